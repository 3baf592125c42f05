"""The target page's raid forms (``EDIT_CASES``): plan a raid, record its outcome.

The forms post here with the session's CSRF token (checked for every page route by
:func:`phunt.web.csrf.check_csrf`) and go back to the target's plans (redirect after
post). They take what the API takes, as form fields: statutes and arrested names one per
line or separated by ``;``, seized devices one per line as ``evidence number, kind[,
make, model, IMEI]``. Bad input is a 400 page saying why; a target or plan outside the
viewer's cases answers 404.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from phunt.accounts.access import Action, Viewer
from phunt.errors import UsageError
from phunt.web.api.leads_raids import (
    NewOutcome,
    NewRaidPlan,
    SeizedDeviceIn,
    plan_raid,
    record_outcome,
)
from phunt.web.deps import DbSession, page_viewer

router = APIRouter()

Editor = Annotated[Viewer, page_viewer(Action.EDIT_CASES)]
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=20000)]
M = TypeVar("M", bound=BaseModel)


def _valid(schema: type[M], /, **fields: object) -> M:
    """``schema`` made from form fields; what it refuses is a 400 naming the field."""
    try:
        return schema.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{where}: {first['msg']}") from None


def _items(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split(";") if part.strip()]


def _devices(text: str) -> list[SeizedDeviceIn]:
    """``EV-1/1, mobile phone, make, model, IMEI`` lines (the last three may be left out)."""
    devices = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 2 or len(fields) > 5 or not fields[0] or not fields[1]:
            raise UsageError(
                f"devices seized, line {n}: write 'evidence number, kind[, make, model, IMEI]'"
            )
        fields += [""] * (5 - len(fields))
        number, kind, make, model, imei = fields
        devices.append(
            _valid(
                SeizedDeviceIn, evidence_number=number, kind=kind, make=make, model=model, imei=imei
            )
        )
    return devices


@router.post("/targets/{target_id}/raid-plans")
def plan_form(
    request: Request,
    session: DbSession,
    viewer: Editor,
    target_id: int,
    operation: Short = "",
    team_lead: Short = "",
    planned_for: Annotated[str, Form(max_length=50)] = "",
    district: Annotated[str, Form(max_length=100)] = "",
    location: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Plan a raid on the target, then show its plans."""
    body = _valid(
        NewRaidPlan,
        operation=operation,
        team_lead=team_lead,
        planned_for=planned_for,
        district=district or None,
        location=location,
    )
    plan_raid(session, viewer, target_id, body, request.app.state.settings.timezone)
    return RedirectResponse(f"/targets/{target_id}#plans", status_code=303)


@router.post("/raid-plans/{plan_id}/outcome")
def outcome_form(
    request: Request,
    session: DbSession,
    viewer: Editor,
    plan_id: int,
    raided_at: Annotated[str, Form(max_length=50)] = "",
    case_number: Annotated[str, Form(max_length=100)] = "",
    station: Short = "",
    statutes: Long = "",
    target_arrested: Annotated[bool, Form()] = False,
    others_arrested: Long = "",
    devices: Long = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Record the outcome of a planned raid, then show the target's plans."""
    body = _valid(
        NewOutcome,
        raided_at=raided_at,
        case_number=case_number,
        station=station,
        statutes=_items(statutes),
        target_arrested=target_arrested,
        others_arrested=_items(others_arrested),
        devices=_devices(devices),
        note=note,
    )
    plan = record_outcome(session, viewer, plan_id, body, request.app.state.settings.timezone)
    return RedirectResponse(f"/targets/{plan.target_id}#plans", status_code=303)
