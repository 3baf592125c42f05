"""The audit log's store: append to, list and verify the hash-chained records.

Each record stores SHA-256 over its canonical JSON (time, actor, action, object, details
and the previous record's hash), so changing, removing, inserting or reordering records
breaks the chain at a point the verifier can name. The newest record's number and hash
are also kept in ``audit_head``, which catches removal of the chain's tail. A defence
expert can recompute every hash with any JSON library and SHA-256: the canonical form is
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
) -> bytes:
    """The exact bytes a record's hash covers."""
    body = {
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(rec: AuditRecord) -> str:
    """Recompute a stored record's hash from its content."""
    data = canonical(
        rec.at, rec.actor, rec.action, rec.object_type, rec.object_id, rec.details, rec.prev_hash
    )
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
    concurrent writers cannot fork the chain.
    """
    details = json.loads(json.dumps(details or {}, default=str))
    head = session.execute(select(AuditHead).with_for_update()).scalar_one_or_none()
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    at = utcnow()
    who = actor or current_actor()
    digest = hashlib.sha256(
        canonical(at, who, action, object_type, str(object_id), details, prev_hash)
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
    """Outcome of verifying the chain; ``first_bad`` is the record number where it breaks."""

    ok: bool
    records: int
    first_bad: int | None = None
    problem: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_bad": self.first_bad,
            "problem": self.problem,
            "detail": self.detail,
        }


def verify(session: Session) -> Verdict:
    """Walk the whole chain in record order and name the first record that is wrong.

    ``problem`` is one of ``altered`` (content no longer matches its hash), ``deleted``
    (a record is missing before this one, or at the end), ``inserted`` (this record links
    past its predecessor, which was put in), ``reordered`` (it links to a later record).
    """
    records = list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())
    by_hash = {r.hash: i for i, r in enumerate(records)}
    prev_hash, prev_seq = GENESIS, 0
    for i, rec in enumerate(records):
        if record_hash(rec) != rec.hash:
            return Verdict(False, len(records), rec.seq, "altered", "content does not match hash")
        if rec.prev_hash != prev_hash:
            return _link_problem(records, by_hash, i, prev_seq)
        if rec.seq != prev_seq + 1:
            detail = f"records {prev_seq + 1}..{rec.seq - 1} are missing"
            return Verdict(False, len(records), rec.seq, "deleted", detail)
        prev_hash, prev_seq = rec.hash, rec.seq
    head = session.execute(select(AuditHead)).scalar_one_or_none()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (prev_seq, prev_hash):
        detail = f"the log ends at record {prev_seq} but its head records {head_seq}"
        if prev_seq > head_seq:
            return Verdict(False, len(records), head_seq + 1, "inserted", detail)
        return Verdict(False, len(records), prev_seq + 1, "deleted", detail)
    return Verdict(True, len(records))


def _link_problem(
    records: list[AuditRecord], by_hash: dict[str, int], i: int, prev_seq: int
) -> Verdict:
    rec = records[i]
    target = by_hash.get(rec.prev_hash)
    if rec.prev_hash == GENESIS and i > 0:
        target = -1
    if target is None:
        detail = f"record {rec.seq} links to a record that is no longer in the log"
        return Verdict(False, len(records), rec.seq, "deleted", detail)
    if target > i:
        detail = f"record {rec.seq} links to record {records[target].seq}, which comes after it"
        return Verdict(False, len(records), rec.seq, "reordered", detail)
    # It links to an earlier record than its predecessor: what stands between was put in.
    first_inserted = records[target + 1].seq if target + 1 < i else records[i - 1].seq
    detail = f"record {rec.seq} links past record {first_inserted}, which was inserted"
    return Verdict(False, len(records), first_inserted, "inserted", detail)
