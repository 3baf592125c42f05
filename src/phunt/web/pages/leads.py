"""Lead and target pages: the reports of the viewer's cases, the targets by district and
priority, and the corroboration of each by the devices seized.

The pages read what the API answers (:mod:`phunt.web.api.leads`), with the same access
rules: a lead or target of a case the viewer is not assigned to answers 404 as an unknown
one. The raid plan and outcome forms post to :mod:`phunt.web.pages.leads_raids`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.web.api.leads import case_leads, lead_detail, lead_list, target_detail, target_list
from phunt.web.api.leads_raids import plans_of_target
from phunt.web.deps import DbSession, page_viewer, render

CaseReader = Annotated[Viewer, page_viewer(Action.VIEW_CASES)]

router = APIRouter()


@router.get("/leads", response_class=HTMLResponse)
def leads_page(request: Request, session: DbSession, viewer: CaseReader) -> HTMLResponse:
    """Every lead the viewer may open, with its target and corroboration."""
    leads = lead_list(session, viewer)
    return render(request, "leads/list.html", viewer, leads=leads)


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(
    request: Request, session: DbSession, viewer: CaseReader, lead_id: int
) -> HTMLResponse:
    """A lead: the report, its files and where each was found, links, chat sightings."""
    lead = lead_detail(session, viewer, lead_id)
    return render(request, "leads/lead.html", viewer, lead=lead)


@router.get("/targets", response_class=HTMLResponse)
def targets_page(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    district: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """Targets grouped by district, highest priority first, each corroborated."""
    rows = target_list(session, viewer, district or None)
    return render(request, "leads/targets.html", viewer, targets=rows, district=district or "")


@router.get("/targets/{target_id}", response_class=HTMLResponse)
def target_page(
    request: Request, session: DbSession, viewer: CaseReader, target_id: int
) -> HTMLResponse:
    """A target, its leads corroborated, its raid plans and the forms to plan a raid and
    record its outcome (for those who may edit cases)."""
    target = target_detail(session, viewer, target_id)
    plans = plans_of_target(session, viewer, target_id)
    return render(request, "leads/target.html", viewer, target=target, plans=plans)


@router.get("/cases/{case_id}/leads", response_class=HTMLResponse)
def case_leads_page(
    request: Request, session: DbSession, viewer: CaseReader, case_id: int
) -> HTMLResponse:
    """The leads of a case and the case's corroboration."""
    found = case_leads(session, viewer, case_id)
    return render(request, "leads/case.html", viewer, found=found)
