"""Eight examiners at once on one device: no decision or custody event lost, none
superseded twice, and the audit log in the order the rows were written. A change made on
a stale view is refused with a message naming what changed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from browse_world import add_file, add_job
from phunt.audit import store as audit
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device, custody_history, log_custody
from phunt.errors import ConflictError
from phunt.review.decisions import Choice, current_rows, decide
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import CustodyEvent
from phunt.schema.db import Database
from phunt.schema.review import ReviewDecision

AT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CLIENTS, ROUNDS = 8, 4


def _file(database: Database) -> int:
    with database.session() as s:
        case = open_case(s, "CR 5/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"]).id
        device = add_device(s, "PH-1", "mobile phone", case_id=case).id
        job = add_job(s, "PH-1", "/evidence/phone")
        file_id: int = add_file(s, job, device, 0, "DCIM/a.jpg", sha256="ab" * 32)
        return file_id


def _client(database: Database, file_id: int, n: int, start: threading.Barrier) -> None:
    start.wait()
    for r in range(ROUNDS):
        with database.session() as s:
            log_custody(s, "PH-1", "examined", f"examiner {n}", AT, note=f"round {r}")
        with database.session() as s:
            decide(s, [file_id], Choice(label=f"client {n} round {r}"))


def _actions(database: Database, action: str) -> list[AuditRecord]:
    with database.session() as s:
        query = select(AuditRecord).where(AuditRecord.action == action)
        return list(s.scalars(query.order_by(AuditRecord.seq)))


def test_eight_clients_lose_nothing_and_the_log_keeps_their_order(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("concurrent writers are PostgreSQL's case: SQLite runs one at a time")
    file_id = _file(database)
    start = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            _client(database, file_id, n, start)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session() as s:
        events = [e.id for e in custody_history(s, "PH-1")]
        rows = list(s.scalars(select(ReviewDecision).order_by(ReviewDecision.id)))
        assert audit.verify(s).ok
        assert len(set(s.scalars(select(CustodyEvent.actor)))) == CLIENTS
    assert len(events) == CLIENTS * ROUNDS
    # One line of decisions: each replaces the one before it, and only the last is current.
    assert len(rows) == CLIENTS * ROUNDS
    assert [r.previous_id for r in rows] == [None, *(r.id for r in rows[:-1])]
    assert [r.superseded_by_id for r in rows] == [*(r.id for r in rows[1:]), None]
    # The log holds them in the order they were written.
    logged = [r.details["event"] for r in _actions(database, "custody.log")]
    assert logged == sorted(events)
    decided = [r.details["decisions"] for r in _actions(database, "review.decide")]
    assert decided == [[r.id] for r in rows]


def test_a_decision_on_a_stale_view_is_refused(database: Database) -> None:
    file_id = _file(database)
    with database.session() as s:
        (first,) = decide(s, [file_id], Choice(label="first look"))
    with database.session() as s:  # another examiner, meanwhile
        (second,) = decide(s, [file_id], Choice(label="second look"))
    with database.session() as s, pytest.raises(ConflictError) as refused:
        decide(s, [file_id], Choice(label="my look"), seen={file_id: first})
    assert str(refused.value).startswith(f"file {file_id}: ")
    assert f"(decision {second}) since you read it; reload it and decide again" in str(
        refused.value
    )
    with database.session() as s:
        assert current_rows(s, [file_id])[file_id].id == second
        (mine,) = decide(s, [file_id], Choice(label="my look"), seen={file_id: second})
        assert current_rows(s, [file_id])[file_id].id == mine


def test_custody_logged_on_a_stale_view_is_refused(database: Database) -> None:
    _file(database)
    with database.session() as s:
        first = log_custody(s, "PH-1", "seized", "SI Devika", AT, seen=0).id
    with database.session() as s:
        second = log_custody(s, "PH-1", "transferred", "HC Anand", AT, seen=first).id
    with database.session() as s, pytest.raises(ConflictError) as refused:
        log_custody(s, "PH-1", "received", "SI Mini", AT, seen=first)
    assert str(refused.value) == (
        f"device PH-1: HC Anand logged 'transferred' (event {second}) since you read its "
        "custody; reload it and log again"
    )
    with database.session() as s:
        assert [e.id for e in custody_history(s, "PH-1")] == [first, second]
