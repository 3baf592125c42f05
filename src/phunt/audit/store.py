"""The audit log's store: append to, list and verify the hash-chained records.

Each record stores SHA-256 over its canonical JSON (time, actor, action, object, details,
the previous record's hash, and the count and Merkle root of the rows it seals when it
seals any), so changing, removing, inserting or reordering records
breaks the chain at a point the verifier can name. The newest record's number and hash
are also kept in ``audit_head``, which catches removal of the chain's tail. A defence
expert can recompute every hash with any JSON library and SHA-256: the canonical form is
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.audit import seal
from phunt.audit.verify_rows import NoSeals, SealGroups
from phunt.os_user import os_user
from phunt.schema.audit import AuditHead, AuditRecord
from phunt.schema.types import utcnow

GENESIS = "0" * 64

#: The signed-in user a web request acts for; unset on the command line.
_ACTING_AS: ContextVar[str | None] = ContextVar("phunt_acting_as", default=None)


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Record ``name`` as the actor of every audit record made inside the block: the web
    app's user, not the account the server runs under."""
    token = _ACTING_AS.set(name)
    try:
        yield
    finally:
        _ACTING_AS.reset(token)


def current_actor() -> str:
    """The user named by :func:`acting_as` when set, else the OS user running phunt."""
    acting = _ACTING_AS.get()
    return acting if acting is not None else os_user()


def canonical(
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    prev_hash: str,
    sealed_rows: dict[str, Any] | None = None,
) -> bytes:
    """The exact bytes a record's hash covers: ``sealed_rows`` only when the record seals
    rows, so records from before seals keep their hashes."""
    body: dict[str, Any] = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    if sealed_rows is not None:
        body["sealed_rows"] = sealed_rows
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(rec: AuditRecord) -> str:
    """Recompute a stored record's hash from its content."""
    data = canonical(
        rec.at, rec.actor, rec.action, rec.object_type, rec.object_id, rec.details, rec.prev_hash,
        rec.sealed_rows,
    )  # fmt: skip
    return hashlib.sha256(data).hexdigest()


def append(
    session: Session,
    action: str,
    object_type: str,
    object_id: object,
    details: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> AuditRecord:
    """Add a record in the caller's transaction, so the action and its record commit together.

    The head row is locked (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so
    concurrent writers cannot fork the chain. The sealed rows the action wrote
    (:mod:`phunt.audit.seal`) are sealed by this record: their count and Merkle root go in
    its ``sealed_rows``, which its hash covers.
    """
    details = json.loads(json.dumps(details or {}, default=str))
    session.flush()  # the ORM's writes are noticed (and so sealed) before the seals are made
    todo = seal.take_pending(session)
    staged, sealed = None, None
    if todo.scopes:  # bulk: read and hash before taking the head, which others wait for
        staged = secrets.randbits(31) + 1  # a provisional number no other writer holds
        sealed = seal.write_seals(session, -staged, todo)
    head = session.execute(select(AuditHead).with_for_update()).scalar_one_or_none()
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if staged is not None:
        assert sealed is not None
        seal.claim(session, -staged, prev_seq + 1, sealed["count"])
    elif todo:
        sealed = seal.write_seals(session, prev_seq + 1, todo)
    at = utcnow()
    who = actor or current_actor()
    digest = hashlib.sha256(
        canonical(at, who, action, object_type, str(object_id), details, prev_hash, sealed)
    ).hexdigest()
    rec = AuditRecord(
        seq=prev_seq + 1,
        at=at,
        actor=who,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
        prev_hash=prev_hash,
        hash=digest,
    )
    if sealed is not None:  # unset otherwise: migration 0008 appends before the column exists
        rec.sealed_rows = sealed
    session.add(rec)
    if head is None:
        session.add(AuditHead(id=1, seq=rec.seq, hash=digest))
    else:
        head.seq, head.hash = rec.seq, digest
    session.flush()
    return rec


def list_records(session: Session, limit: int = 0) -> list[AuditRecord]:
    """Records oldest first; with ``limit``, only the newest ``limit`` of them."""
    query = select(AuditRecord).order_by(AuditRecord.seq.desc() if limit else AuditRecord.seq)
    if limit:
        query = query.limit(limit)
    records = list(session.scalars(query))
    if limit:
        records.reverse()
    return records


@dataclass(frozen=True)
class Verdict:
    """Outcome of verifying the chain and the sealed rows.

    ``first_bad`` is the record number where the chain breaks, or the record whose seal a
    row no longer matches; for a row, ``table`` and ``row_id`` name it. ``pending`` counts
    the rows of unfinished ingests, not sealed yet.
    """

    ok: bool
    records: int
    first_bad: int | None = None
    problem: str | None = None
    detail: str = ""
    table: str | None = None
    row_id: int | None = None
    pending: int = 0
    head: str = GENESIS
    #: For a home restored from a case backup, what was proven (never "intact").
    scope: str = ""

    def as_dict(self) -> dict[str, Any]:
        said = {"scope": self.scope} if self.scope else {}  # only a restored case has one
        return said | {
            "ok": self.ok,
            "records": self.records,
            "first_bad": self.first_bad,
            "problem": self.problem,
            "detail": self.detail,
            "table": self.table,
            "row_id": self.row_id,
            "pending": self.pending,
        }


def verify(session: Session, *, rows: bool = True, seals: bool = True) -> Verdict:
    """Walk the chain in record order and name the first record that is wrong, then check
    every sealed row against its latest seal (``rows``) and name the first that differs.

    ``problem`` is one of ``altered`` (content no longer matches its hash or seal),
    ``deleted`` (a record or sealed row is missing), ``inserted`` (a record or row was put
    in), ``reordered`` (a record links to a later record). Records and rows are read as a
    stream. ``seals`` checks each record's seals against it as the chain is walked (a read
    of every seal: one per sealed row).
    """
    from phunt.audit.scope import check_prefix, scope_of
    from phunt.audit.verify_rows import check_rows

    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    scope = scope_of(session)
    start, said = (0, GENESIS), ""
    if scope is not None:  # records up to the signed head are proven, not chained
        wrong = check_prefix(session, scope, record_hash)
        if wrong is not None:
            return Verdict(False, total, wrong[0], wrong[1], wrong[2])
        start, said = (scope.upto, str(scope.checkpoint["head"])), scope.describe()
    groups = SealGroups(session, after=start[0]) if seals else NoSeals()
    try:
        broken = _walk(session, groups, total, start)
    finally:
        groups.close()
    if broken is not None:
        return broken
    if not rows:
        return Verdict(True, total, head=_head(session)[1], scope=said)
    findings, pending = check_rows(session)
    if findings:
        first = findings[0]
        return Verdict(
            False, total, first.audit_seq, first.problem, first.detail,
            table=first.table, row_id=first.row_id, pending=pending, head=_head(session)[1],
        )  # fmt: skip
    return Verdict(True, total, pending=pending, head=_head(session)[1], scope=said)


def verify_after(session: Session, seq: int, head: str) -> Verdict:
    """Verify only the chain after record ``seq`` whose hash is ``head`` (records already
    verified are trusted, not read again); no seals or rows. ``verify`` is the full check."""
    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    broken = _walk(session, NoSeals(), total, (seq, head))
    return broken if broken is not None else Verdict(True, total, head=_head(session)[1])


def head_of(session: Session) -> tuple[int, str]:
    """The newest record's number and hash as the head row holds them."""
    return _head(session)


def _head(session: Session) -> tuple[int, str]:
    head = session.execute(select(AuditHead)).scalar_one_or_none()
    return (head.seq, head.hash) if head else (0, GENESIS)


def _walk(
    session: Session, groups: SealGroups | NoSeals, total: int, start: tuple[int, str]
) -> Verdict | None:
    """The chain's first problem after record ``start`` (number, hash), or None; records
    streamed, their seals beside them."""
    prev_seq, prev_hash = start
    query = (
        select(AuditRecord)
        .where(AuditRecord.seq > prev_seq)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=2000)
    )
    with session.execute(query) as result:
        for rec in result.scalars():
            if record_hash(rec) != rec.hash:
                return Verdict(False, total, rec.seq, "altered", "content does not match hash")
            if rec.prev_hash != prev_hash:
                return _link_problem(session, rec, prev_seq, total)
            if rec.seq != prev_seq + 1:
                detail = f"records {prev_seq + 1}..{rec.seq - 1} are missing"
                return Verdict(False, total, rec.seq, "deleted", detail)
            wrong = groups.check(rec.seq, rec.sealed_rows)
            if wrong is not None:
                return Verdict(False, total, rec.seq, "altered", wrong)
            prev_hash, prev_seq = rec.hash, rec.seq
    head_seq, head_hash = _head(session)
    if (head_seq, head_hash) != (prev_seq, prev_hash):
        detail = f"the log ends at record {prev_seq} but its head records {head_seq}"
        if prev_seq > head_seq:
            return Verdict(False, total, head_seq + 1, "inserted", detail)
        return Verdict(False, total, prev_seq + 1, "deleted", detail)
    stray = groups.leftover()
    if stray is not None:
        detail = f"seals of record {stray}, past the end of the log, were put in"
        return Verdict(False, total, stray, "inserted", detail)
    return None


def _link_problem(session: Session, rec: AuditRecord, prev_seq: int, total: int) -> Verdict:
    """Why ``rec`` does not link to its predecessor ``prev_seq``: looked up, not held."""
    target: int | None
    if rec.prev_hash == GENESIS:
        target = 0
    else:
        target = session.scalar(select(AuditRecord.seq).where(AuditRecord.hash == rec.prev_hash))
    if target is None:
        detail = f"record {rec.seq} links to a record that is no longer in the log"
        return Verdict(False, total, rec.seq, "deleted", detail)
    if target > rec.seq:
        detail = f"record {rec.seq} links to record {target}, which comes after it"
        return Verdict(False, total, rec.seq, "reordered", detail)
    # It links to an earlier record than its predecessor: what stands between was put in.
    after = session.scalar(select(func.min(AuditRecord.seq)).where(AuditRecord.seq > target))
    first_inserted = after if after is not None and after < rec.seq else prev_seq
    detail = f"record {rec.seq} links past record {first_inserted}, which was inserted"
    return Verdict(False, total, first_inserted, "inserted", detail)
