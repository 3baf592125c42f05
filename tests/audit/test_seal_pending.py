"""Rows an unfinished ingest is still writing are pending, never good and never a false
alarm; a job once completed cannot be made pending again to hide a change; a row forged
together with its seal breaks the record that sealed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from seal_world import make_world
from sqlalchemy import select, update

from phunt.audit import store as audit
from phunt.audit.rows import row_hash, table
from phunt.cases.devices import add_device
from phunt.ingest.job import IngestInterrupted, ingest
from phunt.schema.audit import AuditSeal
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, IngestJob


def _folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(count):
        (folder / f"note{i}.txt").write_text(f"neutral note number {i}\n" * (i + 1))
    return folder


def test_an_interrupted_ingest_is_pending_then_sealed_when_resumed(
    database: Database, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, 6)
    with database.session() as s:
        add_device(s, "CARD-1", "memory card")
    asked = iter(range(100))
    with pytest.raises(IngestInterrupted):
        ingest(database, str(folder), "CARD-1", batch_size=1, should_stop=lambda: next(asked) >= 3)
    with database.session() as s:
        stored = len(s.scalars(select(EvidenceFile.id)).all())
        verdict = audit.verify(s)
    assert stored >= 1
    assert (verdict.ok, verdict.pending) == (True, stored)  # the job row: sealed as interrupted
    ingest(database, str(folder), "CARD-1", resume=True)
    with database.session() as s:
        verdict = audit.verify(s)
    assert (verdict.ok, verdict.pending) == (True, 0)


def test_a_completed_job_set_back_to_running_hides_nothing(
    database: Database, tmp_path: Path
) -> None:
    make_world(database, tmp_path)
    with database.session() as s:
        s.execute(update(IngestJob).values(status="running"))
        s.execute(update(EvidenceFile).values(md5="0" * 32))
        verdict = audit.verify(s)
        assert (verdict.ok, verdict.problem, verdict.table, verdict.pending) == (
            False,
            "altered",
            "ingest_job",
            0,
        )
        s.rollback()


def test_a_row_forged_with_its_seal_breaks_the_sealing_record(
    database: Database, tmp_path: Path
) -> None:
    make_world(database, tmp_path)
    files = table("evidence_file")
    with database.session() as s:
        row = dict(s.execute(select(files).order_by(files.c.id).limit(1)).mappings().one())
        s.execute(update(files).where(files.c.id == row["id"]).values(md5="0" * 32))
        forged = row_hash("evidence_file", row | {"md5": "0" * 32})
        where = (AuditSeal.table_name == "evidence_file", AuditSeal.row_id == row["id"])
        sealing = s.scalar(select(AuditSeal.audit_seq).where(*where))
        s.execute(update(AuditSeal).where(*where).values(leaf=forged))
        verdict = audit.verify(s)
        assert (verdict.ok, verdict.problem, verdict.first_bad) == (False, "altered", sealing)
        assert verdict.detail.startswith("its seals were changed: ")
        s.rollback()
