"""Each kind of tampering is caught, on both databases, at the right record."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, select, update

from phunt.audit import store as audit
from phunt.schema.audit import AuditHead, AuditRecord
from phunt.schema.db import Database


def _fill(database: Database, n: int = 6) -> None:
    with database.session() as s:
        for i in range(1, n + 1):
            audit.append(s, "test.action", "thing", i, {"n": i, "text": "ഒന്ന്"}, actor="tester")


def _verify(database: Database) -> audit.Verdict:
    with database.session() as s:
        return audit.verify(s)


def test_intact_chain_verifies(database: Database) -> None:
    _fill(database)
    verdict = _verify(database)
    assert verdict.ok and verdict.records == 6 and verdict.first_bad is None


def test_list_records_oldest_first_and_newest_limit(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        assert [r.seq for r in audit.list_records(s)] == [1, 2, 3, 4, 5, 6]
        assert [r.seq for r in audit.list_records(s, limit=2)] == [5, 6]


def test_empty_log_verifies(database: Database) -> None:
    assert _verify(database).as_dict() == {
        "ok": True,
        "records": 0,
        "first_bad": None,
        "problem": None,
        "detail": "",
        "table": None,
        "row_id": None,
        "pending": 0,
    }


def test_hash_is_recomputable_from_canonical_json(database: Database) -> None:
    _fill(database, 2)
    with database.session() as s:
        first, second = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    body = {
        "at": first.at.isoformat(timespec="microseconds"),
        "actor": "tester",
        "action": "test.action",
        "object_type": "thing",
        "object_id": "1",
        "details": {"n": 1, "text": "ഒന്ന്"},
        "prev_hash": "0" * 64,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == first.hash
    assert second.prev_hash == first.hash


def test_altered_record_is_named(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(actor="someone else"))
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 3, "altered")


def test_altered_details_are_caught(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 5).values(details={"n": 99}))
    verdict = _verify(database)
    assert (verdict.first_bad, verdict.problem) == (5, "altered")


@pytest.mark.parametrize("renumber", [False, True])
def test_deleted_record_is_named(database: Database, renumber: bool) -> None:
    _fill(database)
    with database.session() as s:
        s.execute(delete(AuditRecord).where(AuditRecord.seq == 3))
        if renumber:  # a careful forger closes the gap in the numbering too
            s.execute(
                update(AuditRecord).where(AuditRecord.seq > 3).values(seq=AuditRecord.seq - 1)
            )
            s.execute(update(AuditHead).values(seq=5))
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (
        False,
        4 if not renumber else 3,
        "deleted",
    )


def test_deleted_tail_is_caught_by_the_head(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        s.execute(delete(AuditRecord).where(AuditRecord.seq == 6))
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 6, "deleted")


def test_inserted_record_is_named(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        records = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        prev = records[1]  # forge a record after #2, with a valid hash of its own
        at = records[2].at
        body = audit.canonical(at, "forger", "case.open", "case", "77", {}, prev.hash)
        forged_hash = hashlib.sha256(body).hexdigest()
        for seq in range(6, 2, -1):
            s.execute(update(AuditRecord).where(AuditRecord.seq == seq).values(seq=seq + 1))
        s.expunge_all()
        s.add(
            AuditRecord(
                seq=3,
                at=at,
                actor="forger",
                action="case.open",
                object_type="case",
                object_id="77",
                details={},
                prev_hash=prev.hash,
                hash=forged_hash,
            )
        )
        s.execute(update(AuditHead).values(seq=7))
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 3, "inserted")


def test_appended_forgery_past_the_head_is_caught(database: Database) -> None:
    _fill(database, 3)
    with database.session() as s:
        last = s.scalars(select(AuditRecord).where(AuditRecord.seq == 3)).one()
        body = audit.canonical(last.at, "forger", "x", "y", "1", {}, last.hash)
        s.add(
            AuditRecord(
                seq=4,
                at=last.at,
                actor="forger",
                action="x",
                object_type="y",
                object_id="1",
                details={},
                prev_hash=last.hash,
                hash=hashlib.sha256(body).hexdigest(),
            )
        )
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 4, "inserted")


def test_reordered_records_are_named(database: Database) -> None:
    _fill(database)
    with database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 3).values(seq=-3))
        s.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(seq=3))
        s.execute(update(AuditRecord).where(AuditRecord.seq == -3).values(seq=4))
    verdict = _verify(database)
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 3, "reordered")


def test_every_service_action_is_audited(database: Database) -> None:
    from datetime import UTC, datetime

    from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
    from phunt.cases.devices import add_device, log_custody
    from phunt.cases.operations import add_district, add_raid, create_operation

    t = datetime(2026, 11, 28, tzinfo=UTC)
    with database.session() as s:
        create_operation(s, "Op")
        add_district(s, "Mahe", "Puducherry")
        add_raid(s, "Op", "Mahe", "x", t, "y")
        case = open_case(s, "1", "PS", "Mahe", [])
        arrest_suspect(s, add_suspect(s, case.id, "A").id, t)
        add_device(s, "E", "laptop")
        log_custody(s, "E", "seized", "y", t)
    with database.session() as s:
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions == [
        "operation.create",
        "district.add",
        "raid.add",
        "case.open",
        "suspect.add",
        "suspect.arrest",
        "device.add",
        "custody.log",
    ]
    assert _verify(database).ok


def test_failed_action_leaves_no_record(database: Database) -> None:
    from phunt.cases.operations import create_operation
    from phunt.errors import UsageError

    with database.session() as s:
        create_operation(s, "Op")
    with pytest.raises(UsageError), database.session() as s:
        create_operation(s, "Op")
    with database.session() as s:
        assert len(s.scalars(select(AuditRecord)).all()) == 1
