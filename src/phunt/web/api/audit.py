"""``/api/v1/audit``: the audit log, newest first, and the state of its hash chain.

Only the roles that may read the log (admin, supervisor, auditor); nothing here writes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.audit.browse import AuditEntry, AuditFilter, audit_page
from phunt.audit.checked import page_check
from phunt.audit.store import Verdict
from phunt.web.api.reading import DescParam, PageParam, PerPageParam, plain
from phunt.web.deps import DbSession, api_viewer
from phunt.web.render import app_localtime

AuditReader = Annotated[Viewer, api_viewer(Action.VIEW_AUDIT)]
Text = Annotated[str, Query(max_length=200)]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditListing(BaseModel):
    """A page of the log and the chain's verdict: the last stored verification for the
    records it reached and a walk of those after it, ``scope`` saying which is which."""

    chain: Verdict
    items: list[AuditEntry]
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
        "chain": page_check(session, app_localtime(request)).verdict,
        "items": plain(records, request),
        "total": total,
        "page": page,
        "per_page": per_page,
    }
