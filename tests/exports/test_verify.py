"""``verify_export``: an export checked against its manifest, the audit log and the
database; a matched file's row altered afterwards, the bytes altered, an input added or
the audit record missing are each named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.errors import InputError
from phunt.exports.case_uco import export_case_uco
from phunt.exports.matches_csv import export_matches
from phunt.exports.verify import verify_export
from phunt.exports.vics import export_vics
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database, Session
from phunt.schema.ingest import EvidenceFile, IngestJob

from .conftest import ExportWorld


def _written(session: Session) -> dict[str, int]:
    """Each export action's audit record number."""
    records = session.scalars(select(AuditRecord).where(AuditRecord.action.like("export.%")))
    return {r.action: r.seq for r in records}


def test_every_kind_verifies_unchanged(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    world = export_world.world
    with database.session() as s:
        export_vics(s, world.case_a, tmp_path / "a.json")
        export_matches(s, tmp_path / "a.csv", case_id=world.case_a)
        export_case_uco(s, "EV-A", tmp_path / "a.jsonld")
    with database.session() as s:
        written = _written(s)
        for name in ("a.json", "a.csv", "a.jsonld"):
            check = verify_export(s, tmp_path / name)
            assert (check.ok, check.problems) == (True, []), name
            assert (check.file_ok, check.rebuilt_ok) == (True, True)
            assert check.written_at_record == written[f"export.{check.kind}"]


def test_an_altered_row_an_input_and_the_bytes_are_named(
    database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    world = export_world.world
    out = tmp_path / "a.csv"
    with database.session() as s:
        export_matches(s, out, case_id=world.case_a)
    with database.session() as s:
        row = s.get(EvidenceFile, world.files["known"])
        assert row is not None
        row.path = "/DCIM/renamed.jpg"
        job = s.get(IngestJob, world.job_a)
        assert job is not None
        job.manifest_sha256 = "9" * 64
    with database.session() as s:
        check = verify_export(s, out)
        written = _written(s)
    assert (check.ok, check.file_ok, check.rebuilt_ok) == (False, True, False)
    assert check.written_at_record == written["export.matches-csv"]
    assert check.added == [f"job:{world.job_a}"] and check.changed == check.missing == []
    assert check.problems == [
        f"inputs new since: job:{world.job_a}",
        "exporting the same selection today gives different bytes",
    ]
    out.write_text(out.read_text().replace("known.jpg", "other.jpg"))
    with database.session() as s:
        check = verify_export(s, out)
    assert (check.file_ok, check.written_at_record) == (False, written["export.matches-csv"])
    assert check.problems[0] == (
        "the file's SHA-256 is not the one its manifest records: it was altered"
    )
    manifest = Path(f"{out}.manifest.json")  # a manifest forged to match the altered file
    data = json.loads(manifest.read_text())
    data["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data))
    with database.session() as s:
        check = verify_export(s, out)
    assert (check.file_ok, check.written_at_record) == (True, None)
    assert check.problems[0] == (
        "the audit log holds no record of writing an export with this SHA-256"
    )


def test_no_manifest(database: Database, tmp_path: Path) -> None:
    lone = tmp_path / "lone.csv"
    lone.write_text("a\n")
    with database.session() as s, pytest.raises(InputError, match="no manifest beside"):
        verify_export(s, lone)
    Path(f"{lone}.manifest.json").write_text('{"kind": "pdf"}')
    with database.session() as s, pytest.raises(InputError, match="not a phunt export"):
        verify_export(s, lone)
