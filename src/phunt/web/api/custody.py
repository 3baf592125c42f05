"""``POST /api/v1/devices/{device_id}/custody``: log a custody event (``EDIT_CASES``:
admins, supervisors, and investigators within their cases).

The event goes through :func:`phunt.cases.devices.log_custody`, as ``phunt custody log``
does, which audits it with the signed-in user as actor. A device outside the caller's
cases answers 404 as the reads do. Times are ISO 8601; without a zone they are read in
the unit's zone, as on the command line; a time that cannot be read, or one in the
future, is bad input (400).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from phunt.accounts.access import Action, Viewer
from phunt.cases.devices import log_custody
from phunt.errors import UsageError
from phunt.ingest import browse
from phunt.schema.cases import CUSTODY_ACTIONS
from phunt.schema.db import Session
from phunt.schema.types import utcnow
from phunt.web.deps import DbSession, api_viewer, check_case

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])

Editor = Annotated[Viewer, api_viewer(Action.EDIT_CASES)]
#: Clocks differ a little: a time this far ahead of the server's is still taken as now.
CLOCK_SLACK = timedelta(minutes=2)
_TEXT = 2000  # longest note or name taken


class NewCustodyEvent(BaseModel):
    """A custody event to append (events are never edited, only added)."""

    action: str = Field(description=f"One of: {', '.join(CUSTODY_ACTIONS)}.", max_length=50)
    by: str = Field(description="Who handled the device.", max_length=200)
    note: str = Field(default="", max_length=_TEXT)
    at: str | None = Field(
        default=None,
        max_length=50,
        description="ISO 8601 time; without a zone, the unit's zone; none: now.",
    )
    seen: int | None = Field(
        default=None,
        ge=0,
        description="Id of the newest custody event the client read (0: none); when another "
        "was logged since, the answer is 409 naming it and nothing is recorded.",
    )


class CustodyEvent(BaseModel):
    """A custody event as recorded."""

    id: int
    device_id: int
    action: str
    by: str
    note: str
    at: datetime


def parse_when(text: str | None, tz: tzinfo) -> datetime:
    """The time of a custody event: ``text`` in ISO 8601 (in ``tz`` without a zone), or
    now when empty; never in the future."""
    if text is None or not text.strip():
        return utcnow()
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        shown = text.strip()[:50]
        raise UsageError(f"not a date and time: {shown!r} (e.g. 2026-11-28T06:30)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if value > utcnow() + CLOCK_SLACK:
        raise UsageError("a custody event cannot be in the future")
    return value


def log_event(
    session: Session,
    viewer: Viewer,
    device_id: int,
    event: NewCustodyEvent,
    tz: tzinfo,
) -> CustodyEvent:
    """Append ``event`` to the chain of a device the viewer sees (404 otherwise)."""
    check_case(viewer, browse.device_ref(session, device_id).case_id)
    at = parse_when(event.at, tz)
    row = log_custody(session, device_id, event.action, event.by, at, event.note, seen=event.seen)
    return CustodyEvent(
        id=row.id,
        device_id=device_id,
        action=row.action,
        by=row.actor,
        note=row.note,
        at=at.astimezone(tz),
    )


@router.post("/{device_id}/custody", response_model=CustodyEvent, status_code=201)
def post_custody(
    request: Request, session: DbSession, viewer: Editor, device_id: int, body: NewCustodyEvent
) -> CustodyEvent:
    """Append a custody event to a device's chain (400: unknown action, no name, a time
    that cannot be read or lies in the future; 409: an event logged since ``seen``)."""
    return log_event(session, viewer, device_id, body, request.app.state.settings.timezone)
