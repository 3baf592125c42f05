"""Raid plans in the API: plan a raid on a target, record its outcome (``EDIT_CASES``:
admins, supervisors, and investigators within their cases), list a target's plans.

Both writes go through :mod:`phunt.leads.raids`, as ``phunt raid plan`` and ``phunt raid
outcome`` do, which write the raid, case, arrests and devices through the case services
and audit each with the signed-in user as actor. A target or plan outside the caller's
cases answers 404 as an unknown one, and so does an existing case named in an outcome.
Times are ISO 8601; without a zone they are read in the unit's zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from phunt.accounts.access import Action, Viewer
from phunt.errors import UsageError
from phunt.leads import raids, targets
from phunt.schema.db import Session
from phunt.schema.leads import RaidPlan
from phunt.web.deps import DbSession, NotVisible, api_viewer, check_case, viewer_scope

Editor = Annotated[Viewer, api_viewer(Action.EDIT_CASES)]
CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]

router = APIRouter(prefix="/api/v1", tags=["leads"])
_TEXT = 2000


class NewRaidPlan(BaseModel):
    operation: str = Field(description="The operation's name or id.", max_length=200)
    team_lead: str = Field(max_length=200)
    planned_for: str = Field(
        max_length=50, description="ISO 8601 time; without a zone, the unit's zone."
    )
    district: str | None = Field(default=None, max_length=100, description="Default: the target's.")
    location: str = Field(default="", max_length=_TEXT, description="Default: its address.")


class SeizedDeviceIn(BaseModel):
    evidence_number: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    make: str = Field(default="", max_length=100)
    model: str = Field(default="", max_length=100)
    imei: str = Field(default="", max_length=40)


class NewOutcome(BaseModel):
    """What the raid found: a new case (``case_number`` and ``station``) or an existing
    one (``case_id``), arrests and the devices seized."""

    raided_at: str = Field(max_length=50, description="ISO 8601; without a zone, the unit's.")
    case_id: int | None = None
    case_number: str = Field(default="", max_length=100)
    station: str = Field(default="", max_length=200)
    statutes: list[str] = Field(default_factory=list, max_length=20)
    target_arrested: bool = False
    others_arrested: list[str] = Field(default_factory=list, max_length=50)
    devices: list[SeizedDeviceIn] = Field(default_factory=list, max_length=200)
    note: str = Field(default="", max_length=_TEXT)


class RaidPlanOut(BaseModel):
    id: int
    operation: str
    target_id: int
    district: str
    location: str
    team_lead: str
    planned_for: datetime
    raid_id: int | None
    case_id: int | None
    outcome_note: str


def parse_time(text: str, tz: tzinfo, what: str) -> datetime:
    """``text`` in ISO 8601, read in ``tz`` when it names no zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        shown = text.strip()[:50]
        example = "e.g. 2026-12-12T06:00"
        raise UsageError(f"{what}: not a date and time: {shown!r} ({example})") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def plan_out(plan: RaidPlan) -> RaidPlanOut:
    return RaidPlanOut(
        id=plan.id,
        operation=plan.operation.name,
        target_id=plan.target_id,
        district=plan.district.name,
        location=plan.location,
        team_lead=plan.team_lead,
        planned_for=plan.planned_for,
        raid_id=plan.raid_id,
        case_id=plan.case_id,
        outcome_note=plan.outcome_note,
    )


def plans_of_target(session: Session, viewer: Viewer, target_id: int) -> list[RaidPlanOut]:
    """The raid plans of a target the viewer may open (404 otherwise)."""
    scope = viewer_scope(viewer)
    targets.get_target(session, target_id, scope)
    return [plan_out(p) for p in raids.list_plans(session, scope) if p.target_id == target_id]


def plan_raid(
    session: Session, viewer: Viewer, target_id: int, body: NewRaidPlan, tz: tzinfo
) -> RaidPlanOut:
    """Plan a raid on a target the viewer may open."""
    targets.get_target(session, target_id, viewer_scope(viewer))
    planned_for = parse_time(body.planned_for, tz, "planned for")
    if not body.operation.strip():
        raise UsageError("a raid plan needs its operation (name or id)")
    plan = raids.plan_raid(
        session,
        body.operation.strip(),
        target_id,
        team_lead=body.team_lead,
        planned_for=planned_for,
        district=body.district.strip() if body.district and body.district.strip() else None,
        location=body.location,
    )
    return plan_out(plan)


def record_outcome(
    session: Session, viewer: Viewer, plan_id: int, body: NewOutcome, tz: tzinfo
) -> RaidPlanOut:
    """Record the outcome of a plan the viewer may open, into a case they may see."""
    scope = viewer_scope(viewer)
    if plan_id not in {p.id for p in raids.list_plans(session, scope)}:
        raise NotVisible()
    if body.case_id is not None:
        check_case(viewer, body.case_id)
    plan = raids.record_outcome(
        session,
        plan_id,
        raided_at=parse_time(body.raided_at, tz, "raided at"),
        case_id=body.case_id,
        case_number=body.case_number,
        station=body.station,
        statutes=[s.strip() for s in body.statutes if s.strip()],
        target_arrested=body.target_arrested,
        others_arrested=body.others_arrested,
        devices=[raids.SeizedDevice(**d.model_dump()) for d in body.devices],
        note=body.note,
    )
    return plan_out(plan)


@router.get("/targets/{target_id}/raid-plans", response_model=list[RaidPlanOut])
def get_plans(session: DbSession, viewer: CaseReader, target_id: int) -> list[RaidPlanOut]:
    """The raid plans of a target, with the raid and case each outcome recorded."""
    return plans_of_target(session, viewer, target_id)


@router.post("/targets/{target_id}/raid-plans", response_model=RaidPlanOut, status_code=201)
def post_plan(
    request: Request, session: DbSession, viewer: Editor, target_id: int, body: NewRaidPlan
) -> RaidPlanOut:
    """Plan a raid on a target (400: unknown operation or district, no team lead, no
    location, a time that cannot be read)."""
    return plan_raid(session, viewer, target_id, body, request.app.state.settings.timezone)


@router.post("/raid-plans/{plan_id}/outcome", response_model=RaidPlanOut)
def post_outcome(
    request: Request, session: DbSession, viewer: Editor, plan_id: int, body: NewOutcome
) -> RaidPlanOut:
    """Record a planned raid's outcome: the raid, the case, arrests, devices seized (400:
    recorded already, an arrest without a case, a time that cannot be read)."""
    return record_outcome(session, viewer, plan_id, body, request.app.state.settings.timezone)
