"""``/api/v1/cases/{case_id}/assignees``: who is assigned to a case, and (supervisors and
admins, ``ASSIGN_CASES``) assigning and unassigning users.

Reading the list is a case read: whoever sees the case sees who works on it (the case
page shows the same list). Changes go through :mod:`phunt.accounts.store`, which audits
them with the signed-in user as actor. The case is checked first (404 outside the
caller's cases or unknown); a user that does not exist is bad input (400), not a 404,
since the address named a case that does exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from phunt.accounts import store as accounts
from phunt.accounts.access import SEES_ALL, Action, Viewer
from phunt.errors import NotFoundError, UsageError
from phunt.schema.db import Session
from phunt.web.api.cases import out
from phunt.web.deps import DbSession, api_viewer, check_case

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]
Assigner = Annotated[Viewer, api_viewer(Action.ASSIGN_CASES)]


class Assignee(BaseModel):
    """A user assigned to a case: they see it and everything in it."""

    name: str
    role: str
    disabled: bool
    assigned_at: datetime


class NewAssignee(BaseModel):
    """The user to assign, by name."""

    user: str = Field(max_length=200)


def case_assignees(session: Session, viewer: Viewer, case_id: int) -> list[dict[str, Any]]:
    """The users assigned to a case the viewer sees (404 otherwise)."""
    check_case(viewer, case_id)
    return accounts.assignees(session, case_id)


def change_assignment(
    session: Session, viewer: Viewer, case_id: int, user: str, *, assign: bool
) -> list[dict[str, Any]]:
    """Assign ``user`` to the case, or take it away; the case's assignees afterwards."""
    case_assignees(session, viewer, case_id)  # an unknown case is a 404, before the user
    change = accounts.assign if assign else accounts.unassign
    try:
        change(session, user, case_id)
    except NotFoundError as exc:  # the case exists: what is missing is the user
        raise UsageError(str(exc)) from exc
    return accounts.assignees(session, case_id)


def candidates(session: Session, assigned: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Users an assignment would matter to: active, not seeing every case already, and
    not yet assigned (the case page's choice)."""
    taken = {row["name"] for row in assigned}
    return [
        row
        for row in accounts.list_users(session)
        if not row["disabled"] and row["role"] not in SEES_ALL and row["name"] not in taken
    ]


@router.get("/{case_id}/assignees", response_model=list[Assignee])
def get_assignees(
    request: Request, session: DbSession, viewer: CaseReader, case_id: int
) -> list[dict[str, Any]]:
    """The users assigned to a case, by name."""
    return [out(row, request) for row in case_assignees(session, viewer, case_id)]


@router.post("/{case_id}/assignees", response_model=list[Assignee], status_code=201)
def post_assignee(
    request: Request, session: DbSession, viewer: Assigner, case_id: int, body: NewAssignee
) -> list[dict[str, Any]]:
    """Assign a user to a case (400: no such user, or assigned already); the case's
    assignees afterwards."""
    rows = change_assignment(session, viewer, case_id, body.user, assign=True)
    return [out(row, request) for row in rows]


@router.delete("/{case_id}/assignees/{user}", response_model=list[Assignee])
def delete_assignee(
    request: Request, session: DbSession, viewer: Assigner, case_id: int, user: str
) -> list[dict[str, Any]]:
    """Take a case away from a user (400: no such user, or not assigned); the case's
    assignees afterwards."""
    rows = change_assignment(session, viewer, case_id, user, assign=False)
    return [out(row, request) for row in rows]
