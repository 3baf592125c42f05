"""Verifying sealed rows: each row against its latest seal, each record's seals against it.

Both checks stream: a table's rows in id order beside its seals in (row, record) order, and
the seals in (record, table, row) order beside the chain, so memory does not grow with the
tables. A row that differs from its latest seal is ``altered``; a sealed row that is gone
is ``deleted``; a row no record sealed is ``inserted``. Rows an unfinished ingest is still
writing are not sealed yet (its ``ingest.complete`` record seals them): they are counted
as pending, never as good, and a job once completed is never pending again.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.audit.rows import DELETED, SEALED_TABLES, merkle_root, row_hash, table
from phunt.schema.audit import AuditRecord, AuditSeal

_CHUNK = 2000
_JOB_ROWS = ("evidence_file", "file_match")


@dataclass(frozen=True)
class Finding:
    """The first row of a table that does not match its seal."""

    problem: str
    table: str
    row_id: int
    audit_seq: int | None
    detail: str


class SealGroups:
    """The seals in record order, consumed as the chain is walked."""

    def __init__(self, session: Session, after: int = 0) -> None:
        query = (
            select(AuditSeal.audit_seq, AuditSeal.table_name, AuditSeal.row_id, AuditSeal.leaf)
            .where(AuditSeal.audit_seq > after)
            .order_by(AuditSeal.audit_seq, AuditSeal.table_name, AuditSeal.row_id)
            .execution_options(yield_per=_CHUNK)
        )
        self._result = session.execute(query)
        self._rows: Iterator[Any] = iter(self._result)
        self._next: Any = next(self._rows, None)

    def close(self) -> None:
        """Close the cursor (a server-side one on PostgreSQL) when the walk stops early."""
        self._result.close()

    def _group(self, seq: int) -> Iterator[tuple[str, int, str]]:
        while self._next is not None and self._next[0] == seq:
            yield self._next[1], int(self._next[2]), self._next[3]
            self._next = next(self._rows, None)

    def check(self, seq: int, claim: Any) -> str | None:
        """Why record ``seq``'s seals do not match what its details claim, or None."""
        if self._next is not None and self._next[0] < seq:
            return f"seals of record {self._next[0]}, which seals nothing, were put in"
        count, root = merkle_root(self._group(seq))
        if not isinstance(claim, dict):
            return None if count == 0 else f"{count} seals were put in for record {seq}"
        if (count, root) != (claim.get("count"), claim.get("merkle_root")):
            return (
                f"its seals were changed: {count} seals with root {root[:16]}, "
                f"the record sealed {claim.get('count')} with root "
                f"{str(claim.get('merkle_root'))[:16]}"
            )
        return None

    def leftover(self) -> int | None:
        """The record number of seals past the end of the log, if any."""
        return None if self._next is None else int(self._next[0])


class NoSeals:
    """Stands for :class:`SealGroups` when only the chain is checked."""

    def check(self, seq: int, claim: Any) -> str | None:
        return None

    def leftover(self) -> int | None:
        return None

    def close(self) -> None:
        pass


class _Pending:
    """Which ingest jobs are unfinished and never completed (their rows not sealed yet)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._jobs: dict[int, bool] = {}
        self.count = 0

    def job(self, job_id: int) -> bool:
        if job_id not in self._jobs:
            jobs = table("ingest_job")
            status = self.session.scalar(select(jobs.c.status).where(jobs.c.id == job_id))
            completed = self.session.scalar(
                select(func.count()).where(
                    AuditRecord.object_type == "ingest_job",
                    AuditRecord.object_id == str(job_id),
                    AuditRecord.action == "ingest.complete",
                )
            )
            self._jobs[job_id] = status in ("running", "interrupted") and not completed
        return self._jobs[job_id]

    def row(self, name: str, row: dict[str, Any]) -> bool:
        """Whether ``row`` may still be unsealed: it is pending (and counted) if so."""
        if name == "ingest_job":
            found = self.job(int(row["id"]))
        elif name in _JOB_ROWS:
            found = self.job(int(row["job_id"]))
        else:
            found = False
        self.count += found
        return found


def _latest_seals(session: Session, name: str) -> Generator[tuple[int, int, str]]:
    """``(row_id, audit_seq, hash)`` of each row's latest seal, in row order."""
    query = (
        select(AuditSeal.row_id, AuditSeal.audit_seq, AuditSeal.leaf)
        .where(AuditSeal.table_name == name)
        .order_by(AuditSeal.row_id, AuditSeal.audit_seq)
        .execution_options(yield_per=_CHUNK)
    )
    last: tuple[int, int, str] | None = None
    with session.execute(query) as result:
        for row_id, seq, leaf in result:
            if last is not None and last[0] != row_id:
                yield last
            last = (int(row_id), int(seq), leaf)
    if last is not None:
        yield last


def _rows(session: Session, name: str) -> Generator[dict[str, Any]]:
    tbl = table(name)
    query = select(tbl).order_by(tbl.c.id).execution_options(yield_per=_CHUNK)
    with session.execute(query) as result:
        for row in result.mappings():
            yield dict(row)


def check_table(session: Session, name: str, pending: _Pending) -> Finding | None:
    """Merge a table's rows with their latest seals; the first row that does not match."""
    with closing(_rows(session, name)) as rows, closing(_latest_seals(session, name)) as seals:
        return _merge(name, rows, seals, pending)


def _merge(
    name: str,
    rows: Iterator[dict[str, Any]],
    seals: Iterator[tuple[int, int, str]],
    pending: _Pending,
) -> Finding | None:
    row, sealed = next(rows, None), next(seals, None)
    while row is not None or sealed is not None:
        row_id = None if row is None else int(row["id"])
        if sealed is not None and (row_id is None or sealed[0] < row_id):
            if sealed[2] != DELETED:
                detail = f"{name} row {sealed[0]} sealed by record {sealed[1]} is gone"
                return Finding("deleted", name, sealed[0], sealed[1], detail)
            sealed = next(seals, None)
            continue
        assert row is not None and row_id is not None
        if sealed is None or sealed[0] > row_id:
            if not pending.row(name, row):
                detail = f"{name} row {row_id} was sealed by no audit record"
                return Finding("inserted", name, row_id, None, detail)
        elif sealed[2] == DELETED:
            detail = f"{name} row {row_id} was deleted by record {sealed[1]} and is back"
            return Finding("inserted", name, row_id, sealed[1], detail)
        elif row_hash(name, row) != sealed[2] and not pending.row(name, row):
            detail = f"{name} row {row_id} differs from its seal in record {sealed[1]}"
            return Finding("altered", name, row_id, sealed[1], detail)
        if sealed is not None and sealed[0] == row_id:
            sealed = next(seals, None)
        row = next(rows, None)
    return None


def check_rows(session: Session) -> tuple[list[Finding], int]:
    """The first bad row of each sealed table, and how many rows are pending."""
    pending = _Pending(session)
    findings = [f for name in SEALED_TABLES if (f := check_table(session, name, pending))]
    return findings, pending.count
