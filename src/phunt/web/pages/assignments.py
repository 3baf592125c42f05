"""The case page's assignment forms (supervisors and admins, ``ASSIGN_CASES``).

Each form posts here with the session's CSRF token and goes back to the case page
(redirect after post). What the store refuses (no such user, assigned already, not
assigned) is a 400 page saying why; the change itself is audited by the store with the
signed-in user as actor.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from phunt.accounts.access import Action, Viewer
from phunt.web.api.assignments import change_assignment
from phunt.web.deps import DbSession, page_viewer

router = APIRouter()

Assigner = Annotated[Viewer, page_viewer(Action.ASSIGN_CASES)]
UserField = Annotated[str, Form(max_length=200)]


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}#assignees", status_code=303)


@router.post("/cases/{case_id}/assign")
def assign(
    session: DbSession, viewer: Assigner, case_id: int, user: UserField = ""
) -> RedirectResponse:
    """Let a user see the case and everything in it."""
    change_assignment(session, viewer, case_id, user, assign=True)
    return _back(case_id)


@router.post("/cases/{case_id}/unassign")
def unassign(
    session: DbSession, viewer: Assigner, case_id: int, user: UserField = ""
) -> RedirectResponse:
    """Take the case away from a user."""
    change_assignment(session, viewer, case_id, user, assign=False)
    return _back(case_id)
