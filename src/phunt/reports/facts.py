"""The point in the audit chain a report's facts are read at, and its time.

A report states when its facts were read as the database records it, never the wall
clock: the newest audit record that is not itself the writing of a report or export
(those change no fact). Writing the same report twice therefore cites the same record and
gives the same bytes, and ``verify`` can check later that this record is still in the
chain with the same hash, however much the chain has grown since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import not_, or_, select
from sqlalchemy.orm import Session

from phunt.audit.store import GENESIS
from phunt.errors import NotFoundError
from phunt.schema.audit import AuditCheckpoint, AuditRecord

#: Audit actions that write an output (a report, an export) and change no fact.
OUTPUT_ACTION_PREFIXES = ("report.", "export.")


@dataclass(frozen=True)
class AsOf:
    """The audit record a report's facts are read at: its number, hash and time, and the
    newest signed checkpoint of the chain at or before it, when there is one."""

    seq: int
    hash: str
    at: datetime | None
    checkpoint: dict[str, Any] | None = None

    def as_input(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "checkpoint": self.checkpoint}


def as_of(session: Session, seq: int | None = None) -> AsOf:
    """The audit record numbered ``seq``, or the newest one that records a fact.

    An empty chain gives record 0 with the genesis hash and no time.
    """
    query = select(AuditRecord)
    if seq is None:
        outputs = [AuditRecord.action.startswith(p) for p in OUTPUT_ACTION_PREFIXES]
        query = query.where(not_(or_(*outputs))).order_by(AuditRecord.seq.desc()).limit(1)
    elif seq == 0:
        return AsOf(0, GENESIS, None)
    else:
        query = query.where(AuditRecord.seq == seq)
    rec = session.scalars(query).first()
    if rec is None:
        if seq is not None:
            raise NotFoundError(f"audit record {seq} is not in the chain")
        return AsOf(0, GENESIS, None)
    return AsOf(rec.seq, rec.hash, rec.at, _checkpoint(session, rec.seq))


def _checkpoint(session: Session, seq: int) -> dict[str, Any] | None:
    """The newest signed checkpoint (``phunt audit anchor``) covering no record after
    ``seq``: a later checkpoint must not change a report read at ``seq``, or ``verify``
    would see a change."""
    model = AuditCheckpoint
    query = (
        select(model).where(model.records <= seq).order_by(model.records.desc(), model.id.desc())
    )
    row = session.scalars(query.limit(1)).first()
    if row is None:
        return None
    names = ("records", "head", "at", "key_id", "signature")
    return {name: getattr(row, name) for name in names}


@dataclass(frozen=True)
class WriteRecord:
    """The audit record of one report's writing."""

    seq: int
    at: datetime
    actor: str
    details: dict[str, Any]


def report_writes(session: Session, sha256: str) -> list[WriteRecord]:
    """The ``report.write`` records that wrote a file with this SHA-256, oldest first."""
    query = (
        select(AuditRecord).where(AuditRecord.action == "report.write").order_by(AuditRecord.seq)
    )
    return [
        WriteRecord(r.seq, r.at, r.actor, r.details)
        for r in session.scalars(query)
        if r.details.get("sha256") == sha256
    ]
