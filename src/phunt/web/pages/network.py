"""The network view: the top-ranked people of the viewer's cases, their groups and the
listed files between them, drawn by Cytoscape.js from a JSON block (no inline script),
and the same nodes and links as a table for a browser without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.web.api.people import NETWORK_MOST, NETWORK_PEOPLE, network_for, network_json
from phunt.web.deps import DbSession, page_viewer, render

router = APIRouter()


@router.get("/network", response_class=HTMLResponse)
def network(
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
    people: Annotated[int, Query(ge=1, le=NETWORK_MOST)] = NETWORK_PEOPLE,
) -> HTMLResponse:
    graph = network_json(network_for(session, viewer), people)
    labels = {node.id: node.label for node in graph.nodes}
    return render(
        request,
        "network/network.html",
        viewer,
        graph=graph,
        elements=graph.model_dump(),
        labels=labels,
        people=people,
        most=NETWORK_MOST,
    )
