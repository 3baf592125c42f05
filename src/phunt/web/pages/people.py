"""People pages: everyone in the chats of the viewer's cases, ranked with the evidence,
and one person as those cases show them (another case's evidence is never counted)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.analysis.people import WEIGHTS
from phunt.web.api.leads import person_leads
from phunt.web.api.people import (
    PEOPLE_SORTS,
    network_for,
    person_detail,
    person_href,
    person_out,
    sorted_people,
)
from phunt.web.deps import DbSession, page_viewer, render
from phunt.web.paging import Paging, paging

router = APIRouter()


@router.get("/people", response_class=HTMLResponse)
def people(
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(PEOPLE_SORTS, "rank")],
) -> HTMLResponse:
    network = network_for(session, viewer)
    rank = {p.id: n for n, p in enumerate(network.people, start=1)}
    shown = sorted_people(network, at)[at.offset : at.offset + at.per_page]
    return render(
        request,
        "people/list.html",
        viewer,
        paging=at,
        people=[(rank[p.id], person_out(p, network)) for p in shown],
        total=len(network.people),
        weights=WEIGHTS,
        href=person_href,
    )


@router.get("/people/{person_id:path}", response_class=HTMLResponse)
def person(
    person_id: str,
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
) -> HTMLResponse:
    network = network_for(session, viewer)
    p = person_detail(network, person_id)
    return render(
        request,
        "people/person.html",
        viewer,
        p=p,
        total=len(network.people),
        weights=WEIGHTS,
        leads=person_leads(session, viewer, p.phones, [*p.usernames, *p.platform_ids]),
    )
