"""The audit log, newest first, with the state of its hash chain.

Only the roles the table lets read it (admin, supervisor, auditor) see it; nothing here
changes anything. The chain is verified on every visit, as ``phunt audit verify`` does,
so a page never shows a log as intact after it was tampered with. Details hold names
from evidence and lists (file names, list names), so they are shown escaped.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.audit.browse import AuditFilter, audit_page, chain_status, facets
from phunt.web.deps import DbSession, page_viewer, render
from phunt.web.paging import Paging, paging

AuditReader = Annotated[Viewer, page_viewer(Action.VIEW_AUDIT)]
AuditPaging = Annotated[Paging, paging(("seq",), "seq", desc=True)]
Text = Annotated[str, Query(max_length=200)]

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
def audit_log_page(
    request: Request,
    session: DbSession,
    viewer: AuditReader,
    order: AuditPaging,
    actor: Text = "",
    action: Text = "",
    object_type: Text = "",
    object_id: Text = "",
) -> HTMLResponse:
    """A page of the log (filtered by actor, action and object) and the chain's status."""
    where = AuditFilter(actor.strip(), action.strip(), object_type.strip(), object_id.strip())
    total, records = audit_page(
        session, where, order.offset, order.per_page, newest_first=order.desc
    )
    return render(
        request,
        "audit/log.html",
        viewer,
        records=records,
        total=total,
        paging=order,
        where=where,
        verdict=chain_status(session),
        choices=facets(session),
    )
