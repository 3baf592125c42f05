"""A backup restored into an empty database of either kind is the same record: every
row back with its id, the audit log verifying, and the report written before the backup
verified against (and rebuilt to the same bytes from) the restored database."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from phunt.audit.store import list_records, verify
from phunt.backup import store
from phunt.backup.service import restore, write_backup
from phunt.cases.case_files import open_case
from phunt.hashsets.blobs import database_problem, local_set_file
from phunt.reports.manifest import read_manifest
from phunt.reports.verify import verify_report
from phunt.review.decisions import Choice, decide
from phunt.schema.db import Database
from phunt.schema.review import ReviewDecision
from reports.conftest import Sources, build
from reports.reading import write


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in store.tables()
        }


def test_restore_reproduces_the_record_and_its_report(
    database: Database, sources: Sources, target_url: str, key: Path, tmp_path: Path
) -> None:
    world = build(database, sources)
    with database.session() as s:  # a decision superseded by a later one (a forward link)
        first = s.execute(select(ReviewDecision)).scalars().one()
        decide(s, [first.file_id], Choice(code=1, note="second look"))
    report = tmp_path / "device.pdf"
    write(database, "device", {"device_id": world.phone}, report)
    before = _counts(database)
    out = tmp_path / "case.phbk"
    with database.session() as s:
        summary = write_backup(s, out, key)
    assert summary.rows == sum(before.values())
    assert summary.set_files == 1
    with database.session() as s:
        last = list_records(s, limit=1)[0]
        assert (last.action, last.details["sha256"]) == (
            "backup.write",
            hashlib.sha256(out.read_bytes()).hexdigest(),
        )

    restored = Database(target_url)
    try:
        with restored.session() as s:
            done = restore(s, out, key)
        assert done.rows == summary.rows
        # the same rows, and the restore's own audit record
        assert _counts(restored) == before | {"audit_record": before["audit_record"] + 1}
        with restored.session() as s:
            verdict = verify(s)
            assert (verdict.ok, verdict.records) == (True, summary.audit_records + 1)
            decisions = s.execute(select(ReviewDecision).order_by(ReviewDecision.id)).scalars()
            assert [d.superseded_by_id for d in decisions] == [first.id + 1, None]
            assert list_records(s, limit=1)[0].action == "backup.restore"
            result = verify_report(report, s)
            assert (result.ok, result.problems) == (True, [])
            sha = store.set_file_shas(s.connection())[0]
            assert database_problem(s, sha) is None  # held by PostgreSQL, whole
            local = local_set_file(s, sha, what="test")  # beside SQLite, or fetched
            assert hashlib.sha256(local.read_bytes()).hexdigest() == sha
        again = tmp_path / "device-again.pdf"
        options = read_manifest(report).options
        write(restored, "device", options, again)
        assert again.read_bytes() == report.read_bytes()
        with restored.session() as s:  # new rows get new ids (PostgreSQL's sequences moved)
            case = open_case(s, "CR 8/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
            assert case.id == world.case_id + 1
    finally:
        restored.close()


def test_a_backup_reads_one_snapshot(database: Database) -> None:
    """What others commit while a backup reads is not in it (nor half in it)."""
    with database.session() as s, store.snapshot(s) as reading:
        seen = store.stream_rows(reading.connection(), store.table_named("district"))
        districts = len(list(seen))
        with database.session() as other:
            open_case(other, "CR 5/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        cases = list(store.stream_rows(reading.connection(), store.table_named("case_file")))
        assert (districts, cases) == (14, [])
    with database.session() as s:
        cases = list(store.stream_rows(s.connection(), store.table_named("case_file")))
        assert [c["number"] for c in cases] == ["CR 5/2026"]


def test_sql_null_and_json_null_come_back_as_they_were(
    database: Database, target_url: str, key: Path, tmp_path: Path
) -> None:
    """Both read back as None; a query on ``IS NULL`` tells them apart, so a restore
    keeps which one each row held."""
    from sqlalchemy import JSON, update

    from phunt.schema.audit import AuditRecord

    from .test_refusals import _small_world

    _small_world(database)
    with database.session() as s:
        write_backup(s, tmp_path / "first.phbk", key)  # record 4, sealing nothing: SQL NULL
        s.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(sealed_rows=JSON.NULL))
    out = tmp_path / "third.phbk"
    with database.session() as s:
        write_backup(s, tmp_path / "second.phbk", key)  # record 5: SQL NULL
    with database.session() as s:
        write_backup(s, out, key)  # records 1 to 5 (this one's record, 6, comes after)
    restored = Database(target_url)
    try:
        with restored.session() as s:
            restore(s, out, key)
            query = select(AuditRecord.seq, AuditRecord.sealed_rows.is_(None))
            held = s.execute(query.where(AuditRecord.seq >= 3).order_by(AuditRecord.seq))
            assert [tuple(r) for r in held] == [
                (3, False),
                (4, False),
                (5, True),
                (6, True),
            ]  # 6: restore
            assert verify(s).ok
    finally:
        restored.close()
