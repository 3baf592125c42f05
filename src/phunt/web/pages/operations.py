"""Operations and their raids: visible to every role, their case lists filtered.

An operation or a raid is organisation, not evidence, so every role may open it; the
cases a raid led to are listed only where the viewer may open them, with a count of the
rest (counts are statewide figures, which every role sees).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.web.deps import DbSession, page_viewer, render, viewer_scope
from phunt.web.paging import Paging, paging

CaseReader = Annotated[Viewer, page_viewer(Action.VIEW_CASES)]
OperationPaging = Annotated[Paging, paging(browse.OPERATION_SORTS, "id", desc=True)]
RaidPaging = Annotated[Paging, paging(browse.RAID_SORTS, "raided_at")]

router = APIRouter()


@router.get("/operations", response_class=HTMLResponse)
def operations_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: OperationPaging,
) -> HTMLResponse:
    """Every operation with its raid, case and device counts."""
    page = browse.list_operations(session, order)
    return render(request, "operations/list.html", viewer, page=page, paging=order)


@router.get("/operations/{operation_id}", response_class=HTMLResponse)
def operation_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: RaidPaging,
    operation_id: int,
) -> HTMLResponse:
    """An operation and its raids, sortable and paged."""
    operation = browse.operation(session, operation_id)
    raids = browse.list_raids(session, operation_id=operation_id, order=order)
    return render(
        request, "operations/detail.html", viewer, operation=operation, raids=raids, paging=order
    )


@router.get("/raids/{raid_id}", response_class=HTMLResponse)
def raid_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    raid_id: int,
) -> HTMLResponse:
    """A raid and the cases it led to that the viewer may open."""
    detail = browse.raid_detail(session, raid_id, viewer_scope(viewer))
    return render(request, "operations/raid.html", viewer, detail=detail)
