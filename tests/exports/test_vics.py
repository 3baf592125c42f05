"""VICS 2.0 of a case: imported back with phunt's own hash-set import, the same entries
and categories return; review decides over the list; never over a file without force."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from browse_world import BASE
from phunt.errors import NotFoundError, UsageError
from phunt.exports.vics import export_vics
from phunt.hashsets.categories import VICS_US, Category
from phunt.hashsets.store import entries_of, import_hash_list
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database

from .conftest import ExportWorld


def test_round_trip_through_hashset_import(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    out = tmp_path / "case.json"
    with database.session() as s:
        result = export_vics(s, export_world.world.case_a, out)
    assert result.entries == 3
    with database.session() as s:
        import_hash_list(s, str(out), name="Case back")
        back = {e.hashes["sha256"]: e for _n, e in entries_of(s, "Case back")}
    assert {sha: e.category for sha, e in back.items()} == {
        "c" * 64: Category(1, VICS_US),  # the list's category
        "f" * 64: Category(2, VICS_US),  # the reviewer's, over the list's 1
        "3" * 64: Category(0, VICS_US),  # DHS 5 (non-pertinent) is VICS 0
    }
    assert back["c" * 64].hashes == {
        "md5": "d" * 32, "sha1": "e" * 40, "sha256": "c" * 64, "pdq": BASE,
    }  # fmt: skip
    document = json.loads(out.read_text())
    assert document["@odata.context"].endswith("/2.0.xml/US/$metadata#Cases")
    (case,) = document["value"]
    assert (case["CaseNumber"], case["ContactOrganization"], case["TotalMediaFiles"]) == (
        "12/2026", "Town East", 3,
    )  # fmt: skip
    media = {m["SHA256"]: m for m in case["Media"]}
    reviewed = media["F" * 64]
    assert (reviewed["IsPrecategorized"], reviewed["PhuntCategorySource"]) == (False, "review")
    assert reviewed["PhuntDecision"]["ID"] == export_world.decision
    assert media["C" * 64]["IsPrecategorized"] is True
    assert [f["FilePath"] for f in media["C" * 64]["MediaFiles"]] == ["/DCIM/known.jpg"]
    assert [m["HashSet"] for m in media["C" * 64]["PhuntMatches"]] == ["unit"]


def test_manifest_audit_force_and_same_bytes(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    out = tmp_path / "exports" / "case.json"
    case = export_world.world.case_a
    with database.session() as s:
        first = export_vics(s, case, out)
    data = out.read_bytes()
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest() == first.sha256
    assert (manifest["kind"], manifest["entries"], manifest["size"]) == ("vics", 3, len(data))
    assert manifest["selection"] == {"kind": "case", "id": case, "label": "12/2026 (Town East)"}
    assert list(manifest["inputs"]) == ["hashset:unit:v1"]
    with database.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "export.vics")).one()
        assert (record.object_type, record.object_id) == ("case_file", str(case))
        assert record.details["sha256"] == first.sha256
        with pytest.raises(UsageError, match="--force"):
            export_vics(s, case, out)
    assert out.read_bytes() == data
    with database.session() as s:
        again = export_vics(s, case, out, force=True)
    assert (again.sha256, out.read_bytes()) == (first.sha256, data)
    assert sorted(p.name for p in out.parent.iterdir()) == ["case.json", "case.json.manifest.json"]


def test_scope_and_unknown_case(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    world = export_world.world
    with database.session() as s:
        with pytest.raises(NotFoundError, match=f"no case {world.case_a}"):
            export_vics(s, world.case_a, tmp_path / "x.json", scope=frozenset({world.case_b}))
        with pytest.raises(NotFoundError):
            export_vics(s, 999, tmp_path / "x.json")
        result = export_vics(s, world.case_b, tmp_path / "b.json", scope=frozenset({world.case_b}))
    assert result.entries == 0  # case B's match has no category
    assert not (tmp_path / "x.json").exists()
