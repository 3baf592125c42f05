"""CASE/UCO JSON-LD of a device: conforms to the CASE ontology's SHACL shapes as
case-utils' ``case_validate`` checks them, says what the rows say (device, files and
their hashes, custody, ingest and matching as provenance), and is the same bytes twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from phunt.errors import NotFoundError
from phunt.exports.case_uco import export_case_uco
from phunt.hashing.crypto import sha256_file
from phunt.schema.db import Database
from test_lib import TEST_DATA

from .conftest import ExportWorld
from .uco_check import assert_conforms

UCO = "https://ontology.unifiedcyberontology.org/uco/"


def _by_type(graph: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [node for node in graph if node["@type"] == kind]


def test_device_export_conforms_to_case(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    out = tmp_path / "ev-a.jsonld"
    with database.session() as s:
        result = export_case_uco(s, "EV-A", out)
    assert result.entries == 7  # EV-A's stored files, over its two ingests
    assert_conforms(out)
    graph = json.loads(out.read_text())["@graph"]
    (device,) = _by_type(graph, "uco-observable:MobileDevice")
    facets = {f["@type"]: f for f in device["uco-core:hasFacet"]}
    assert device["uco-core:name"] == "EV-A"
    assert facets["uco-observable:MobileDeviceFacet"]["uco-observable:IMEI"] == "356938035643809"
    files = {
        facet["uco-observable:filePath"]: node
        for node in _by_type(graph, "uco-observable:File")
        for facet in node["uco-core:hasFacet"]
        if facet["@type"] == "uco-observable:FileFacet"
    }
    known = {f["@type"]: f for f in files["/DCIM/known.jpg"]["uco-core:hasFacet"]}
    hashes = {
        h["uco-types:hashMethod"]: h["uco-types:hashValue"]["@value"]
        for h in known["uco-observable:ContentDataFacet"]["uco-observable:hash"]
    }
    assert hashes == {"MD5": "D" * 32, "SHA1": "E" * 40, "SHA256": "C" * 64}
    actions = _by_type(graph, "case-investigation:InvestigativeAction")
    assert [a["uco-core:name"] for a in actions] == [
        "custody: seized", "custody: received", "ingest", "hash-list matching", "ingest",
    ]  # fmt: skip
    people = {p["@id"]: p["uco-core:name"] for p in _by_type(graph, "uco-identity:Person")}
    assert people[actions[0]["uco-action:performer"]["@id"]] == "SI Example"
    assert actions[1]["case-investigation:wasInformedBy"] == [{"@id": actions[0]["@id"]}]
    records = {r["@id"]: r for r in _by_type(graph, "case-investigation:ProvenanceRecord")}
    matched = records[actions[3]["uco-action:result"][0]["@id"]]
    named = {o["@id"] for o in matched["uco-core:object"]}
    paths = {path for path, node in files.items() if node["@id"] in named}
    assert paths == {"/DCIM/known.jpg", "/DCIM/resized.JPG", '<script>alert("x")</script>.jpg',
                     '=HYPERLINK("http://example.invalid")'}  # fmt: skip
    listed = {o["@id"] for o in actions[3]["uco-action:object"]}
    (hash_list,) = [node for node in graph if node["@id"] in listed and "hash-list" in node["@id"]]
    (content,) = hash_list["uco-core:hasFacet"]
    (digest,) = content["uco-observable:hash"]
    plain = sha256_file(str(TEST_DATA / "hashsets" / "plain.txt"))
    assert digest["uco-types:hashValue"]["@value"] == plain.upper()
    (investigation,) = _by_type(graph, "case-investigation:Investigation")
    assert investigation["case-investigation:focus"] == ["IT Act 67B"]


# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_same_bytes_and_rdf(database: Database, export_world: ExportWorld, tmp_path: Path) -> None:
    import rdflib

    with database.session() as s:
        first = export_case_uco(s, export_world.world.dev_a, tmp_path / "one.jsonld")
        second = export_case_uco(s, "EV-A", tmp_path / "two.jsonld")
        with pytest.raises(NotFoundError):
            export_case_uco(s, "EV-A", tmp_path / "x.jsonld", scope=frozenset({99}))
    assert first.sha256 == second.sha256
    assert (tmp_path / "one.jsonld").read_bytes() == (tmp_path / "two.jsonld").read_bytes()
    graph = rdflib.Graph().parse(tmp_path / "one.jsonld", format="json-ld")
    values = {str(o) for o in graph.objects(None, rdflib.URIRef(UCO + "types/hashValue"))}
    assert {"d" * 32, "4" * 32} <= {value.lower() for value in values}
    assert all(str(s).startswith("urn:phunt:kb:") for s in graph.subjects(unique=True))
