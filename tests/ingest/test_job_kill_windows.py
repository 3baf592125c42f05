"""Deaths at the exact points between an ingest's transactions, which random kills
(tests/cli/test_kill_points.py) are unlikely to hit: each is simulated by an exception
raised right where the process would have died, then the job is resumed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from phunt.cases.devices import add_device
from phunt.ingest.job import ingest
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.ingest import DeviceLock, IngestJob


class Died(BaseException):
    """Where the process was killed: nothing after it runs, no handler catches it."""


@contextmanager
def death_after_commit_of(
    model: type[Any], where: Callable[[Any], bool] = lambda _obj: True
) -> Iterator[None]:
    """Die right after the first commit that inserted a ``model`` row (one ``where``
    accepts): that transaction's rows are stored, and the next transaction never starts."""
    state = {"inserted": False, "committed": False}

    def flushed(session: Session, _context: Any) -> None:
        if any(isinstance(obj, model) and where(obj) for obj in session.new):
            state["inserted"] = True

    def committed(_session: Session) -> None:
        state["committed"] = state["committed"] or state["inserted"]

    def began(*_args: Any) -> None:
        if state["committed"]:
            raise Died

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", committed)
    event.listen(Session, "after_begin", began)
    try:
        yield
    finally:
        event.remove(Session, "after_flush", flushed)
        event.remove(Session, "after_commit", committed)
        event.remove(Session, "after_begin", began)


def test_folder_job_killed_once_opened_still_records_its_start(
    database: Database, tmp_path: Path
) -> None:
    """A kill right after a folder's job is stored must not leave a job that completes on
    resume with no ``ingest.start`` record (the job and its start are one transaction)."""
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    folder = tmp_path / "phone"
    folder.mkdir()
    (folder / "notes.txt").write_text("groceries\n")
    with death_after_commit_of(IngestJob), pytest.raises(Died):
        ingest(database, str(folder), "EV-1", workers=1)
    with database.session() as s:  # the dead process's lock, which a resume takes over
        s.execute(delete(DeviceLock))
    summary = ingest(database, str(folder), "EV-1", workers=1, resume=True)
    with database.session() as s:
        actions = list(
            s.scalars(
                select(AuditRecord.action)
                .where(AuditRecord.object_type == "ingest_job")
                .where(AuditRecord.object_id == str(summary.job))
                .order_by(AuditRecord.seq)
            )
        )
    assert [a for a in actions if a != "ingest.resume"] == ["ingest.start", "ingest.complete"], (
        actions
    )


def test_a_kill_right_after_completion_leaves_no_lock(database: Database, tmp_path: Path) -> None:
    """The job's completion and the release of the device's lock are one transaction: a
    kill just after it leaves a complete job and a free device, not a stale lock."""
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    folder = tmp_path / "phone"
    folder.mkdir()
    (folder / "notes.txt").write_text("groceries\n")
    completed = death_after_commit_of(AuditRecord, lambda r: r.action == "ingest.complete")
    with completed, contextlib.suppress(Died):  # dies only if a transaction follows
        ingest(database, str(folder), "EV-1", workers=1)
    with database.session() as s:
        assert s.scalars(select(IngestJob.status)).all() == ["complete"]
        assert s.scalars(select(DeviceLock)).all() == []
