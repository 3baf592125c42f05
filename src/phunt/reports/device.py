"""The device report (``phunt report device ID``): everything a court asks about one
seized device, built from the read models, with one input hash per section and per
matched file so that ``verify`` names exactly what changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from phunt.ingest.browse import DeviceDetail, device_detail
from phunt.reports.facts import AsOf, as_of
from phunt.reports.facts_chats import ChatFindings, chat_findings
from phunt.reports.facts_device import (
    CaseFacts,
    Examiner,
    HashSetUse,
    MatchedFile,
    case_facts,
    examiners,
    hash_sets_used,
    matched_files,
)
from phunt.reports.manifest import Built, digest
from phunt.reports.render import render_html
from phunt.schema.db import Session

KIND = "device"
#: The device's own facts, apart from its custody and its sources (each its own input).
PARTICULARS = ("id", "evidence_number", "kind", "make", "model", "serial", "imei",
               "case_id", "suspect", "raid_location", "raided_at")  # fmt: skip
SOURCES = ("jobs", "problem_files", "damaged")


@dataclass(frozen=True)
class DeviceSection:
    """One device's facts as a report shows them, and the inputs they hash to."""

    device: DeviceDetail
    files: list[MatchedFile]
    hash_sets: list[HashSetUse]
    by_category: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    chats: ChatFindings
    examiners: list[Examiner]
    inputs: dict[str, str]
    labels: dict[str, str]


def device_section(session: Session, device: DeviceDetail, case: CaseFacts | None) -> DeviceSection:
    """Read the rest of one device's facts and hash each section."""
    phones = suspect_phones(case, device.suspect)
    files = matched_files(session, device.id)
    sets = hash_sets_used(session, files)
    chats = chat_findings(session, device.id, phones)
    people = examiners(session, device, files)
    number = device.evidence_number
    facts = asdict(device)
    particulars = {k: facts[k] for k in PARTICULARS}
    inputs = {
        f"device:{number}": digest(particulars),
        f"custody:{number}": digest([asdict(c) for c in device.custody]),
        f"sources:{number}": digest({k: facts[k] for k in SOURCES}),
        f"hash-sets:{number}": digest([asdict(s) for s in sets]),
        f"chats:{number}": digest(asdict(chats)),
        f"examiners:{number}": digest([asdict(e) for e in people]),
    }
    labels = {f"device:{number}": "the device's particulars"}
    for f in files:
        inputs[f"file:{f.id}"] = digest(asdict(f))
        labels[f"file:{f.id}"] = f"matched file on {number}: {f.path}"
    return DeviceSection(
        device, files, sets, _by_category(files), _by_kind(files), chats, people, inputs, labels
    )


def _by_category(files: list[MatchedFile]) -> list[tuple[str, int]]:
    """Files per category of their matches (a file matched in two categories counts in
    each); the reviewer's decisions are listed with the files."""
    counts = Counter(c for f in files for c in {m.category or "no category" for m in f.matches})
    return sorted(counts.items())


def _by_kind(files: list[MatchedFile]) -> list[tuple[str, int]]:
    counts = Counter(k for f in files for k in {m.kind for m in f.matches})
    return sorted(counts.items())


def case_of(session: Session, case_id: int | None) -> CaseFacts | None:
    return None if case_id is None else case_facts(session, case_id)


def suspect_phones(case: CaseFacts | None, suspect: str | None) -> list[str]:
    """The phones the case records for the device's suspect (by name within the case)."""
    if case is None or suspect is None:
        return []
    return sorted({p for s in case.suspects if s.name == suspect for p in s.phones})


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The device report of ``options["device_id"]``, read at audit record
    ``options["as_of"]`` (the newest fact record when absent)."""
    point: AsOf = as_of(session, options.get("as_of"))
    dev = device_detail(session, int(options["device_id"]))
    case = case_of(session, dev.case_id)
    section = device_section(session, dev, case)
    inputs = {
        "audit": digest(point.as_input()),
        "case": digest(None if case is None else asdict(case)),
        **section.inputs,
    }
    labels = section.labels | {"case": "the case", "audit": "the audit record read at"}
    context = {
        "title": f"Device report {dev.evidence_number}",
        "as_of": point,
        "case": case,
        "sections": [section],
        "inputs": inputs,
        "labels": labels,
    }
    html = render_html("device.html", context)
    opts = {"device_id": dev.id, "subject": dev.evidence_number, "as_of": point.seq}
    return Built(html, inputs, labels, opts)
