"""Which ingest may write a device now, and whether its source was ingested there before.

Two ingests writing one device would store its files twice, or collide on the same
sequence numbers when both resume one job. So an ingest holds the device's row in
``device_lock`` while it runs: the row is inserted in its own transaction and the
primary key decides a race, on SQLite and PostgreSQL alike. The row names its holder
(host, pid, since); a holder whose pid is dead on this host left a stale lock, which the
next ingest takes over and says so. A lock held from another host cannot be checked from
here and is taken over only when asked.

The same source ingested again for a device is found here too, by path, size and kind
before any work, and by the source's SHA-256 once it is known.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from phunt import scratch
from phunt.cases.devices import get_device
from phunt.errors import UsageError
from phunt.schema.cases import Device
from phunt.schema.db import Database
from phunt.schema.ingest import DeviceLock, EvidenceFile, FileMatch, IngestJob

#: Status of a job stopped by Ctrl-C on its way out; it resumes like a running one.
INTERRUPTED = "interrupted"
#: Statuses of a job that has not finished and can be resumed.
UNFINISHED = ("running", INTERRUPTED)

NoticeFn = Callable[[str], None]


def this_host() -> str:
    return socket.gethostname()


def process_identity(pid: int) -> str | None:
    """The boot and start time of process ``pid`` (Linux), so that a pid reused after a
    reboot or a wrap-around is not taken for the holder; None where /proc cannot say."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None
    start = scratch.process_token(pid)
    return None if start is None else f"{boot}/{start}"


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (one of another user's counts; a killed
    one not yet reaped does not)."""
    return scratch.pid_running(pid)


def when(at: datetime) -> str:
    """A time for messages, in UTC and said so."""
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Holder:
    """Who holds a device's lock."""

    host: str
    pid: int
    since: datetime
    job_id: int | None
    token: str
    process: str | None = None

    @property
    def gone(self) -> bool:
        """True when the holder ran on this host and its process no longer exists: its
        pid is dead, or now names another process (another boot or start time)."""
        if self.host != this_host():
            return False
        if not pid_alive(self.pid):
            return True
        now = process_identity(self.pid)
        return self.process is not None and now is not None and now != self.process

    def describe(self) -> str:
        job = f" (job {self.job_id})" if self.job_id is not None else ""
        return f"pid {self.pid} on host {self.host} since {when(self.since)}{job}"


def insert_lock(session: Session, device_id: int, pid: int, token: str) -> bool:
    """Insert the device's lock row for this process; False when another row holds it."""
    try:
        with session.begin_nested():
            session.add(
                DeviceLock(
                    device_id=device_id,
                    host=this_host(),
                    pid=pid,
                    process=process_identity(pid),
                    token=token,
                )
            )
    except IntegrityError:
        return False
    return True


def lock_holder(session: Session, device_id: int) -> Holder | None:
    row = session.get(DeviceLock, device_id)
    if row is None:
        return None
    return _holder(row)


def remove_lock(session: Session, device_id: int, token: str) -> bool:
    """Delete the device's lock row if it is still the one ``token`` names."""
    query = delete(DeviceLock).where(DeviceLock.device_id == device_id, DeviceLock.token == token)
    result = cast(CursorResult[Any], session.execute(query))
    return bool(result.rowcount)


def lock_job(session: Session, device_id: int, token: str, job_id: int | None) -> None:
    """Name the job the lock's holder runs, once it is known."""
    query = update(DeviceLock).where(DeviceLock.device_id == device_id, DeviceLock.token == token)
    session.execute(query.values(job_id=job_id))


def locks(session: Session) -> dict[int, Holder]:
    """Every lock held, by device id."""
    rows = session.scalars(select(DeviceLock))
    return {row.device_id: _holder(row) for row in rows}


def _holder(row: DeviceLock) -> Holder:
    return Holder(row.host, row.pid, row.since, row.job_id, row.token, row.process)


@dataclass
class Lease:
    """A device lock this process holds; :meth:`release` gives it back."""

    db: Database
    device_id: int
    token: str
    job_id: int | None = None
    released: bool = False

    def attach(self, job_id: int) -> None:
        """Name the job on the lock, for whoever finds it held."""
        with self.db.session() as s:
            lock_job(s, self.device_id, self.token, job_id)
        self.job_id = job_id

    def release(self, session: Session | None = None) -> None:
        """Give the lock back: in ``session`` when given (so that the job's completion and
        the release commit together, and no kill can fall between them), else on its own."""
        if self.released:
            return
        if session is not None:
            remove_lock(session, self.device_id, self.token)
        else:
            with self.db.session() as s:
                remove_lock(s, self.device_id, self.token)
        self.released = True


def acquire(db: Database, device: str, *, take_over: bool, notice: NoticeFn) -> Lease:
    """Take the device's lock, each step in its own transaction.

    A stale lock (its pid dead on this host) is taken over with a ``notice``; a lock held
    from another host only with ``take_over``. Anything else is a :class:`UsageError`
    naming the holder.
    """
    with db.session() as s:
        dev = get_device(s, device)
        device_id, evidence = dev.id, dev.evidence_number
    token = uuid.uuid4().hex
    for _attempt in range(5):
        with db.session() as s:
            if insert_lock(s, device_id, os.getpid(), token):
                return Lease(db, device_id, token)
        with db.session() as s:
            holder = lock_holder(s, device_id)
        if holder is None:
            continue  # released in between: try again
        if holder.gone:
            why = "which is no longer running"
        elif take_over and holder.host != this_host():
            why = "from another host, as --take-over asks"
        else:
            raise UsageError(_busy(evidence, holder))
        with db.session() as s:
            taken = remove_lock(s, device_id, holder.token)
        if taken:
            notice(f"taking over the lock on device {evidence} held by {holder.describe()}, {why}")
    raise UsageError(f"device {evidence}: could not take its ingest lock, try again")


def _busy(evidence: str, holder: Holder) -> str:
    text = f"device {evidence} is being ingested by {holder.describe()}"
    if holder.host == this_host():
        return f"{text}; wait for it to finish or stop it"
    return (
        f"{text}; this host cannot tell whether it still runs: if it stopped, run again "
        "with --take-over"
    )


@contextmanager
def held(db: Database, device: str, *, take_over: bool, notice: NoticeFn) -> Iterator[Lease]:
    """The device's lock for the length of a ``with`` block, released however it ends."""
    lease = acquire(db, device, take_over=take_over, notice=notice)
    try:
        yield lease
    finally:
        lease.release()


@dataclass(frozen=True)
class EarlierJob:
    """A job that ingested a source before, and what made it the same."""

    id: int
    started_at: datetime
    status: str
    source_path: str
    same: str

    def describe(self) -> str:
        return f"job {self.id} of {when(self.started_at)} ({self.status}, {self.same})"


def same_source(
    session: Session,
    device_id: int,
    *,
    path: str,
    kind: str,
    size: int | None,
    sha256: str | None = None,
    exclude: int | None = None,
) -> EarlierJob | None:
    """The newest other job of the device with the same source, if any: same SHA-256, or
    same path, size and kind."""
    same_path = (
        (IngestJob.source_path == path)
        & (IngestJob.source_kind == kind)
        & (IngestJob.source_size.is_(None) if size is None else IngestJob.source_size == size)
    )
    query = select(IngestJob).where(IngestJob.device_id == device_id)
    if exclude is not None:
        query = query.where(IngestJob.id != exclude)
    if sha256 is not None:
        query = query.where(or_(same_path, IngestJob.source_sha256 == sha256))
    else:
        query = query.where(same_path)
    job = session.scalars(query.order_by(IngestJob.id.desc())).first()
    if job is None:
        return None
    if sha256 is not None and job.source_sha256 == sha256:
        same = f"same SHA-256 {sha256}"
    else:
        same = "same path and kind" if size is None else "same path, size and kind"
    return EarlierJob(job.id, job.started_at, job.status, job.source_path, same)


def set_status(session: Session, job_id: int, status: str) -> None:
    job = session.get(IngestJob, job_id)
    if job is not None:
        job.status = status


def discard_job(session: Session, job_id: int) -> None:
    """Delete a job refused before it was audited, with the files and matches it stored."""
    session.execute(update(DeviceLock).where(DeviceLock.job_id == job_id).values(job_id=None))
    session.execute(delete(FileMatch).where(FileMatch.job_id == job_id))
    session.execute(delete(EvidenceFile).where(EvidenceFile.job_id == job_id))
    session.execute(delete(IngestJob).where(IngestJob.id == job_id))


@dataclass(frozen=True)
class JobRow:
    """A job as ``phunt jobs`` lists it: its stored status and, for a running one, how it
    stands (a holder gone means it was killed: resume it)."""

    id: int
    device: str
    source: str
    status: str
    state: str
    started_at: datetime
    finished_at: datetime | None
    files: int
    holder: str | None


def list_jobs(session: Session, device: str | None = None) -> list[JobRow]:
    """Every job, oldest first, with how each unfinished one stands."""
    query = select(IngestJob, Device.evidence_number).join(Device, Device.id == IngestJob.device_id)
    if device is not None:
        query = query.where(IngestJob.device_id == get_device(session, device).id)
    held_now = locks(session)
    rows = []
    for job, evidence in session.execute(query.order_by(IngestJob.id)):
        lock = held_now.get(job.device_id)
        mine = lock if lock is not None and lock.job_id == job.id else None
        rows.append(
            JobRow(
                job.id,
                evidence,
                job.source_path,
                job.status,
                _state(job.status, mine),
                job.started_at,
                job.finished_at,
                job.files,
                None if mine is None else mine.describe(),
            )
        )
    return rows


def _state(status: str, holder: Holder | None) -> str:
    if status != "running":
        return status
    if holder is None:
        return "stopped (no process holds it: resume it)"
    if holder.gone:
        return "stopped (its process is gone: resume it)"
    if holder.host != this_host():
        return f"running on {holder.host}"
    return "running"
