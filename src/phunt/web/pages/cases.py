"""Cases and suspects: only within the viewer's scope.

A case or a suspect outside the viewer's cases answers exactly as one that does not
exist (:class:`phunt.web.deps.NotVisible`), and the scope is checked with the case id
before anything else about the object is read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from phunt.accounts import store as accounts
from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.web.api.assignments import candidates
from phunt.web.api.leads import case_tally
from phunt.web.deps import DbSession, check_case, page_viewer, render, viewer_scope
from phunt.web.paging import Paging, paging

CaseReader = Annotated[Viewer, page_viewer(Action.VIEW_CASES)]
CasePaging = Annotated[Paging, paging(browse.CASE_SORTS, "opened_at", desc=True)]

router = APIRouter()


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: CasePaging,
    operation: int | None = None,
) -> HTMLResponse:
    """The viewer's cases (of one operation), sortable and paged."""
    current = browse.operation(session, operation) if operation is not None else None
    page = browse.list_cases(
        session, scope=viewer_scope(viewer), operation_id=operation, order=order
    )
    return render(request, "cases/list.html", viewer, page=page, paging=order, operation=current)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    case_id: int,
) -> HTMLResponse:
    """A case: FIR number, station, statutes, suspects, devices and custody, and who is
    assigned to it (with the forms that change it, for those who may)."""
    check_case(viewer, case_id)
    detail = browse.case_detail(session, case_id)
    assigned = accounts.assignees(session, case_id)
    choices = candidates(session, assigned) if viewer.may(Action.ASSIGN_CASES) else []
    leads = case_tally(session, viewer, case_id)
    return render(
        request, "cases/detail.html", viewer, detail=detail, assignees=assigned,
        candidates=choices, leads=leads,
    )  # fmt: skip


@router.get("/suspects/{suspect_id}", response_class=HTMLResponse)
def suspect_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    suspect_id: int,
) -> HTMLResponse:
    """A suspect, the case naming them and the devices seized from them."""
    check_case(viewer, browse.suspect_case(session, suspect_id))
    detail = browse.suspect_detail(session, suspect_id)
    return render(request, "cases/suspect.html", viewer, detail=detail)
