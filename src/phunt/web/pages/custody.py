"""The device page's custody form (``EDIT_CASES``: admins, supervisors, and
investigators within their cases).

The form posts here with the session's CSRF token and goes back to the device's chain of
custody (redirect after post). The time is the form's local date and time, read in the
unit's zone; an unknown action, no name, or a time that cannot be read or lies in the
future is a 400 page saying why. A device outside the viewer's cases answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from phunt.accounts.access import Action, Viewer
from phunt.web.api.custody import NewCustodyEvent, log_event
from phunt.web.deps import DbSession, page_viewer

router = APIRouter()

Editor = Annotated[Viewer, page_viewer(Action.EDIT_CASES)]


@router.post("/devices/{device_id}/custody")
def log_custody_event(
    request: Request,
    session: DbSession,
    viewer: Editor,
    device_id: int,
    action: Annotated[str, Form(max_length=50)] = "",
    by: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    at: Annotated[str, Form(max_length=50)] = "",
    seen: Annotated[int | None, Form(ge=0)] = None,
) -> RedirectResponse:
    """Append a custody event to the device's chain; an event logged since the page showed
    the chain (``seen``, its newest id) is a 409 naming it."""
    event = NewCustodyEvent(action=action, by=by, note=note, at=at, seen=seen)
    log_event(session, viewer, device_id, event, request.app.state.settings.timezone)
    return RedirectResponse(f"/devices/{device_id}#custody", status_code=303)
