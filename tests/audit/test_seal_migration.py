"""A database with a log from before seals: migration 0016 seals every row as it finds
them in one record, so verify holds and a later change is caught; a new database gets no
such record."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text, update

from phunt.audit import store as audit
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Suspect
from phunt.schema.db import Database, make_engine, upgrade


def test_rows_from_before_seals_are_sealed_by_the_migration(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0012")
    with engine.begin() as conn:  # what services wrote before 0016, and its audit record
        conn.execute(text("INSERT INTO case_file (id, number, station, district_id, statutes, "
                          "opened_at) VALUES (1, 'CR 1/2026', 'PS', 1, '[]', :at)"),
                     {"at": datetime(2026, 11, 1, 6, 0)})  # fmt: skip
        conn.execute(text("INSERT INTO suspect (id, case_id, name, aliases, phones, handles, "
                          "created_at) VALUES (7, 1, 'Ravi Example', '[]', '[]', '[]', :at)"),
                     {"at": datetime(2026, 11, 1, 6, 5)})  # fmt: skip
    engine.dispose()
    database = Database(db_url, migrate=False)
    with database.session() as s:  # an action before the upgrade: the log is not empty
        audit.append(s, "case.open", "case", 1, {"number": "CR 1/2026"}, actor="tester")
    database.close()
    engine = make_engine(db_url)
    upgrade(engine, "head")
    engine.dispose()
    database = Database(db_url)
    try:
        with database.session() as s:
            record = s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
            assert record is not None
            assert (record.seq, record.action, record.actor) == (
                2,
                "audit.seal_existing",
                "migration",
            )
            assert record.sealed_rows is not None and record.sealed_rows["count"] == 2
            assert audit.verify(s).ok
        with database.session() as s:
            s.execute(update(Suspect).where(Suspect.id == 7).values(name="Someone Else"))
            verdict = audit.verify(s)
            assert (verdict.problem, verdict.table, verdict.row_id, verdict.first_bad) == (
                "altered",
                "suspect",
                7,
                2,
            )
            suspect = s.get(Suspect, 7)
            assert suspect is not None
            assert suspect.created_at == datetime(2026, 11, 1, 6, 5, tzinfo=UTC)
            s.rollback()
    finally:
        database.close()


def test_a_new_database_starts_with_an_empty_log(database: Database) -> None:
    with database.session() as s:
        assert audit.verify(s).records == 0
