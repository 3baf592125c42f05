"""``phunt export case-uco``: one device as CASE/UCO JSON-LD (CASE 1.x), for other tools.

Shaped as Autopsy's CASE exporter writes a data source: the device (``MobileDevice`` with
its IMEI, or ``Device``) and each stored file as a ``File`` with a ``FileFacet`` (name,
path, size, times) and a ``ContentDataFacet`` (MIME type, MD5/SHA-1/SHA-256 ``Hash``
nodes), related to the device by ``Contained_Within``. Provenance is written as
``InvestigativeAction`` nodes, each with a ``ProvenanceRecord`` as its result: every
custody event (performer, time, the device), every ingest (phunt as instrument, the
source read with its SHA-256, the files it stored) and its matching (the lists compared
against, by their files' SHA-256, and the files they named). The case, when the device
has one, is an ``Investigation`` holding them. Ids are derived from the rows, so the same
database gives the same bytes; ``case_validate`` (case-utils) checks the output against
the ontology's SHACL shapes in the tests.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import TextIO

from phunt.exports import case_uco_nodes as nodes
from phunt.exports.ids import clean
from phunt.exports.manifest import ExportResult, Plan, check_target, write_plan
from phunt.exports.store import Selection, device_selection, input_hashes
from phunt.exports.store_device import DeviceFacts, device_facts, device_files, job_actors
from phunt.schema.db import Session
from phunt.schema.scope import Scope

#: An ingest job's status in UCO's action status vocabulary (an interrupted job waits to
#: be resumed).
ACTION_STATUS = {"complete": "Complete/Finish", "running": "Ongoing", "interrupted": "Pending"}


def export_case_uco(
    session: Session,
    device: int | str,
    out: Path,
    *,
    scope: Scope = None,
    force: bool = False,
    own: Path | None = None,
) -> ExportResult:
    """Write the device's files, custody and ingests to ``out`` (see the module)."""
    selection = device_selection(session, device, scope)
    check_target(Path(out), force, own)
    return write_plan(session, out, case_uco_plan(session, selection), force, own)


def case_uco_plan(session: Session, selection: Selection) -> Plan:
    """The CASE/UCO export of a device selection."""
    facts = device_facts(session, selection)
    inputs = input_hashes(session, selection)
    actors = job_actors(session, (job.id for job in facts.jobs))

    def write(fh: TextIO) -> int:
        return write_graph(session, facts, inputs, actors, fh)

    return Plan("case-uco", selection, inputs, write)


class _Graph:
    """Writes ``@graph`` items one per line, so a device of a million files streams."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def add(self, node: nodes.Node) -> None:
        sep = "," if self.count else ""
        self.out.write(sep + "\n" + json.dumps(node, ensure_ascii=False))
        self.count += 1


def write_graph(
    session: Session,
    facts: DeviceFacts,
    inputs: dict[str, str],
    actors: dict[int, str],
    out: TextIO,
) -> int:
    """The JSON-LD document; returns how many files it describes."""
    device, evidence = facts.device, facts.device.evidence_number
    device_iri = nodes.iri("device", evidence)
    tool = nodes.tool_node()
    out.write('{"@context": ' + json.dumps(nodes.CONTEXT) + ', "@graph": [')
    graph = _Graph(out)
    graph.add(tool)
    if device.make:
        graph.add(nodes.organization_node(device.make))
    people = sorted({e.actor for e in facts.custody} | set(actors.values()))
    for person in people:
        graph.add(nodes.person_node(person))
    graph.add(nodes.device_node(device))
    actions = _custody(graph, facts, device_iri)
    actions += [nodes.iri("investigative-action", "ingest", evidence, job.id) for job in facts.jobs]
    actions += [
        nodes.iri("investigative-action", "matching", evidence, job_id)
        for job_id in sorted(facts.matching)
    ]
    if facts.case is not None:
        graph.add(nodes.investigation_node(facts.case, [device_iri, *actions]))
    seqs: dict[int, array[int]] = {job.id: array("q") for job in facts.jobs}
    files = 0
    for file in device_files(session, device.id):
        node = nodes.file_node(evidence, file)
        graph.add(node)
        graph.add(nodes.contained_node(node["@id"], device_iri))
        seqs[file.job_id].append(file.seq)
        files += 1
    for name, sha256 in inputs.items():
        if name.startswith("hashset:"):
            graph.add(nodes.set_list_node(name, sha256))
    for job in facts.jobs:
        _ingest(graph, facts, job.id, seqs[job.id], actors, tool["@id"], inputs)
    out.write("\n]}\n")
    return files


def _custody(graph: _Graph, facts: DeviceFacts, device_iri: str) -> list[str]:
    """One action and record per custody event, each informed by the one before."""
    evidence = facts.device.evidence_number
    made: list[str] = []
    for event in facts.custody:
        key = ("custody", evidence, event.id)
        record = nodes.provenance_node(key, evidence, [device_iri], nodes.custody_text(event))
        graph.add(record)
        graph.add(
            nodes.action_node(
                key,
                f"custody: {event.action}",
                description=nodes.custody_text(event),
                start=event.at,
                performer=nodes.iri("person", event.actor),
                objects=[device_iri],
                results=[record["@id"]],
                informed_by=made[-1:],
            )
        )
        made.append(nodes.iri("investigative-action", *key))
    return made


def _ingest(
    graph: _Graph,
    facts: DeviceFacts,
    job_id: int,
    seqs: array[int],
    actors: dict[int, str],
    tool: str,
    inputs: dict[str, str],
) -> None:
    evidence = facts.device.evidence_number
    job = next(j for j in facts.jobs if j.id == job_id)
    source = nodes.source_node(facts.device, job)
    graph.add(source)
    key = ("ingest", evidence, job.id)
    stored = [nodes.file_iri(evidence, job.id, seq) for seq in seqs]
    manifest = f"; manifest SHA-256 {job.manifest_sha256}" if job.manifest_sha256 else ""
    text = f"files stored by phunt ingest {job.id} of {clean(job.source_path)}{manifest}"
    record = nodes.provenance_node(key, evidence, stored, text)
    graph.add(record)
    actor = actors.get(job.id)
    ingest_iri = nodes.iri("investigative-action", *key)
    graph.add(
        nodes.action_node(
            key,
            "ingest",
            description=(
                f"phunt ingest {job.id} ({job.status}): {job.files} files, {job.errors} errors"
            ),
            status=ACTION_STATUS.get(job.status, "Unknown"),
            start=job.started_at,
            end=job.finished_at,
            performer=None if actor is None else nodes.iri("person", actor),
            instrument=tool,
            objects=[source["@id"], nodes.iri("device", evidence)],
            results=[record["@id"]],
        )
    )
    matching = facts.matching.get(job.id)
    if matching is None:
        return
    key = ("matching", evidence, job.id)
    named = [nodes.file_iri(evidence, job.id, seq) for seq in matching.matched_seqs]
    used = [f"{clean(n)} v{v} ({count} files)" for n, v, count in matching.sets]
    text = f"files matched in ingest {job.id} against: {'; '.join(used)}"
    matched = nodes.provenance_node(key, evidence, named, text)
    graph.add(matched)
    lists = [
        nodes.iri("hash-list", f"hashset:{n}:v{v}")
        for n, v, _ in matching.sets
        if f"hashset:{n}:v{v}" in inputs
    ]
    graph.add(
        nodes.action_node(
            key,
            "hash-list matching",
            description=text,
            start=job.started_at,
            end=job.finished_at,
            instrument=tool,
            objects=[record["@id"], *lists],
            results=[matched["@id"]],
            informed_by=[ingest_iri],
        )
    )
