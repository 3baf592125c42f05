"""The audit log, newest first, with the state of its hash chain.

Only the roles the table lets read it (admin, supervisor, auditor) see it. A view shows
the last stored verification and walks only the records written after it
(:func:`phunt.audit.checked.page_check`: the whole chain took half a minute at a million
records), saying what it checked; a supervisor or admin may run the full check
(``phunt audit verify``'s) from the page, which stores its verdict, audited. Details hold
names from evidence and lists (file names, list names), so they are shown escaped.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from phunt.accounts.access import Action, Viewer
from phunt.audit.browse import AuditFilter, audit_page, facets
from phunt.audit.checked import page_check, verify_and_record
from phunt.web.deps import DbSession, page_viewer, render
from phunt.web.paging import Paging, paging
from phunt.web.render import app_localtime

AuditReader = Annotated[Viewer, page_viewer(Action.VIEW_AUDIT)]
AuditVerifier = Annotated[Viewer, page_viewer(Action.VERIFY_AUDIT)]
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
    check = page_check(session, app_localtime(request))
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
        verdict=check.verdict,
        check=check,
        choices=facets(session),
        may_verify=viewer.may(Action.VERIFY_AUDIT),
    )


@router.post("/audit/verify")
def verify_audit_chain(session: DbSession, viewer: AuditVerifier) -> RedirectResponse:
    """Run the full check now (chain, seals, sealed rows), store and audit its verdict,
    and go back to the log, which shows it."""
    verify_and_record(session)
    return RedirectResponse("/audit", status_code=303)
