"""The page's cheap chain check on both databases: a stored full verification is not
walked again, records after it are, a tamper among them is caught, and what was checked
is said."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from phunt.audit import store
from phunt.audit.checked import last_verification, page_check, verify_and_record
from phunt.schema.audit import AuditRecord, AuditVerification
from phunt.schema.db import Database
from test_lib import count_record_reads


def _log(database: Database, n: int, actor: str = "asha") -> None:
    with database.session() as s:
        for i in range(n):
            store.append(s, "case.note", "case", i, {"note": f"rice and tea {i}"}, actor=actor)


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the records whose hash the verifier recomputes, in order."""
    return count_record_reads(monkeypatch)


def test_a_view_walks_only_the_records_after_the_last_verification(
    database: Database, read: list[int]
) -> None:
    _log(database, 6)
    with database.session() as s, store.acting_as("meera"):
        assert verify_and_record(s).ok  # records 1..6, then its own record 7
    _log(database, 3)  # records 8..10
    read.clear()
    with database.session() as s:
        check = page_check(s)
        last = last_verification(s)
    assert read == [7, 8, 9, 10]
    assert check.verdict.ok and (check.first, check.last_seq) == (7, 10)
    assert last is not None and (last.actor, last.records, last.full) == ("meera", 6, True)
    said = check.verdict.scope
    assert said.startswith("records 7 to 10 checked on this view (chain links only); ")
    assert "records 1 to 6: intact by the full verification of meera at " in said
    assert said.endswith("not re-checked on this view")
    with database.session() as s:
        audited = s.scalars(select(AuditRecord).where(AuditRecord.action == "audit.verify"))
        assert [(r.seq, r.actor, r.details["records"]) for r in audited] == [(7, "meera", 6)]


def test_a_single_record_is_named_as_one(database: Database) -> None:
    """The demo's page once said "records 78 to 78 checked" after its verification."""
    _log(database, 1)
    with database.session() as s, store.acting_as("meera"):
        assert verify_and_record(s).ok  # record 1, then its own record 2
    with database.session() as s:
        said = page_check(s).verdict.scope
    assert said.startswith("record 2 checked on this view (chain links only); ")
    assert "; record 1: intact by the full verification of meera at " in said


def test_a_tamper_after_the_verification_is_caught_and_one_before_is_not_claimed(
    database: Database, read: list[int]
) -> None:
    _log(database, 4)
    with database.session() as s:
        verify_and_record(s)  # 1..4 verified, record 5 its own
    _log(database, 3)  # 6..8
    with database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 7).values(actor="mallory"))
    with database.session() as s:
        verdict = page_check(s).verdict
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 7, "altered")
    with database.session() as s:  # the last record verified rewritten: caught at once
        s.execute(update(AuditRecord).where(AuditRecord.seq == 4).values(hash="f" * 64))
    read.clear()
    with database.session() as s:
        verdict = page_check(s).verdict
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 4, "altered")
    assert read == [] and verdict.scope.startswith("record 4 checked on this view; ")


def test_the_full_check_finds_an_old_tamper_and_the_page_keeps_saying_so(
    database: Database, read: list[int]
) -> None:
    _log(database, 5)
    with database.session() as s:
        verify_and_record(s)
        s.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(actor="mallory"))
    with database.session() as s:
        assert page_check(s).verdict.ok  # record 2 lies before the verified point ...
        assert "records 1 to 5: intact" in page_check(s).verdict.scope  # ... and says so
    with database.session() as s:
        full = verify_and_record(s)
    assert (full.ok, full.first_bad) == (False, 2)
    read.clear()
    with database.session() as s:
        verdict = page_check(s).verdict
        stored = s.scalar(select(func.count()).select_from(AuditVerification))
    assert (verdict.ok, verdict.first_bad, verdict.problem) == (False, 2, "altered")
    assert read == [] and stored == 2
    assert verdict.scope.startswith("no record checked on this view; records 1 to 6: broken")


def test_never_verified_walks_the_whole_chain(database: Database, read: list[int]) -> None:
    _log(database, 3)
    with database.session() as s:
        check = page_check(s)
    assert read == [1, 2, 3] and check.verdict.ok and check.last is None
    assert check.verdict.scope == (
        "records 1 to 3 checked on this view (chain links only); no verification stored before"
    )
