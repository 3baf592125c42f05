"""Read model of the audit log for the web workspace: filtered pages, newest first.

The log is read exactly as stored (every field the record's hash covers, and the hash), so
what a page shows can be checked against ``phunt audit log --json``. The chain's status is
:func:`phunt.audit.store.verify`, the check ``phunt audit verify`` makes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from phunt.audit.store import Verdict, verify
from phunt.schema.audit import AuditRecord


@dataclass(frozen=True)
class AuditFilter:
    """Which records to show; an empty field filters nothing.

    ``action`` matches itself and the actions under it (``hashset`` matches
    ``hashset.import`` and ``hashset.disable``); the others match exactly.
    """

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""

    def clauses(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.actor:
            where.append(AuditRecord.actor == self.actor)
        if self.action:
            prefix = self.action.rstrip(".") + "."
            where.append(
                or_(
                    AuditRecord.action == self.action,
                    func.substr(AuditRecord.action, 1, len(prefix)) == prefix,
                )
            )
        if self.object_type:
            where.append(AuditRecord.object_type == self.object_type)
        if self.object_id:
            where.append(AuditRecord.object_id == self.object_id)
        return where


@dataclass(frozen=True)
class AuditEntry:
    """One record as stored: every field its hash covers, and the hash."""

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def details_text(self) -> str:
        """The details as JSON with sorted keys, for display (escaped by the page)."""
        return json.dumps(self.details, sort_keys=True, ensure_ascii=False)


def audit_page(
    session: Session, where: AuditFilter, offset: int, limit: int, *, newest_first: bool = True
) -> tuple[int, list[AuditEntry]]:
    """One page of the records ``where`` selects, and how many it selects."""
    clauses = where.clauses()
    total = session.scalar(select(func.count()).select_from(AuditRecord).where(*clauses)) or 0
    order = AuditRecord.seq.desc() if newest_first else AuditRecord.seq.asc()
    query = select(AuditRecord).where(*clauses).order_by(order)
    records = session.scalars(query.offset(max(0, offset)).limit(max(0, limit)))
    return int(total), [
        AuditEntry(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            details=dict(r.details),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )
        for r in records
    ]


@dataclass(frozen=True)
class Facets:
    """The distinct actors, actions and object types in the log, for the filter choices."""

    actors: list[str]
    actions: list[str]
    object_types: list[str]


def facets(session: Session) -> Facets:
    def distinct(column: Any) -> list[str]:
        return [str(v) for v in session.scalars(select(column).distinct().order_by(column))]

    return Facets(
        actors=distinct(AuditRecord.actor),
        actions=distinct(AuditRecord.action),
        object_types=distinct(AuditRecord.object_type),
    )


def chain_status(session: Session) -> Verdict:
    """Whether the whole chain verifies, and where it breaks if it does not. The seals and
    the sealed rows are not re-read on every page view (one seal per stored file, and the
    files themselves): ``phunt audit verify`` checks them."""
    return verify(session, rows=False, seals=False)
