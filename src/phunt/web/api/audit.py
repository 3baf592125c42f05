"""``/api/v1/audit``: the audit log, newest first, and the state of its hash chain.

Only the roles that may read the log (admin, supervisor, auditor); nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.audit.browse import AuditFilter, audit_page, chain_status
from phunt.web.api.reading import DescParam, PageParam, PerPageParam, plain
from phunt.web.deps import DbSession, api_viewer

AuditReader = Annotated[Viewer, api_viewer(Action.VIEW_AUDIT)]
Text = Annotated[str, Query(max_length=200)]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class ChainOut(BaseModel):
    """``phunt audit verify --json``: whether every record verifies, else the first bad."""

    ok: bool
    records: int
    first_bad: int | None
    problem: str | None
    detail: str


class AuditRecordOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditListing(BaseModel):
    chain: ChainOut
    items: list[AuditRecordOut]
    total: int
    page: int
    per_page: int


@router.get("", response_model=AuditListing)
def list_audit(
    request: Request,
    session: DbSession,
    viewer: AuditReader,
    actor: Text = "",
    action: Annotated[
        str, Query(max_length=200, description="An action, or a prefix such as 'hashset'.")
    ] = "",
    object_type: Text = "",
    object_id: Text = "",
    desc: DescParam = True,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> dict[str, Any]:
    """One page of the log (newest first unless desc=false), filtered, and the chain."""
    where = AuditFilter(actor.strip(), action.strip(), object_type.strip(), object_id.strip())
    start = (page - 1) * per_page
    total, records = audit_page(session, where, start, per_page, newest_first=desc)
    return {
        "chain": chain_status(session).as_dict(),
        "items": plain(records, request),
        "total": total,
        "page": page,
        "per_page": per_page,
    }
