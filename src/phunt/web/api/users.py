"""``/api/v1/users``: the users of the workspace, adding one, disabling one (admins only,
``MANAGE_USERS``).

Everything goes through :mod:`phunt.accounts.store`, which audits each change with the
signed-in admin as actor and applies the same rules as ``phunt user add`` (name, role,
the minimum password length). No answer ever carries a password or a token's hash;
issuing a token stays on the command line (``phunt user token NAME``), where it is
printed once to the person at the terminal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from phunt.accounts import store as accounts
from phunt.accounts.access import ROLES, Action, Viewer
from phunt.errors import NotFoundError, UsageError
from phunt.schema.db import Session
from phunt.web.api.cases import out
from phunt.web.deps import DbSession, api_viewer

router = APIRouter(prefix="/api/v1/users", tags=["users"])

Admin = Annotated[Viewer, api_viewer(Action.MANAGE_USERS)]


class UserRow(BaseModel):
    """A user: role, state, assigned cases and how many API tokens they hold."""

    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime
    cases: list[int]
    tokens: int


class NewUser(BaseModel):
    """A user to add; the password is only ever stored as its argon2 hash."""

    name: str = Field(max_length=200)
    role: str = Field(description=f"One of: {', '.join(ROLES)}.", max_length=50)
    password: str = Field(max_length=2000)


def user_row(session: Session, name: str) -> dict[str, Any]:
    """One user as :func:`phunt.accounts.store.list_users` lists them."""
    return next(row for row in accounts.list_users(session) if row["name"] == name)


def add(session: Session, name: str, role: str, password: str, again: str | None = None) -> None:
    """Add a user; with ``again`` (the form's second field), the two must be equal."""
    if again is not None and again != password:
        raise UsageError("the two passwords differ")
    accounts.add_user(session, name, role, password)


def disable(session: Session, viewer: Viewer, name: str) -> None:
    """Disable ``name`` (400: no such user, disabled already, or the admin themselves,
    who would lock themselves out)."""
    if name == viewer.name:
        raise UsageError("you cannot disable your own account")
    try:
        accounts.disable(session, name)
    except NotFoundError as exc:  # bad input in a form or body, not an unknown address
        raise UsageError(str(exc)) from exc


@router.get("", response_model=list[UserRow])
def get_users(request: Request, session: DbSession, viewer: Admin) -> list[dict[str, Any]]:
    """Every user, by name."""
    return [out(row, request) for row in accounts.list_users(session)]


@router.post("", response_model=UserRow, status_code=201)
def post_user(request: Request, session: DbSession, viewer: Admin, body: NewUser) -> dict[str, Any]:
    """Add a user (400: a name taken or not allowed, no such role, a short password)."""
    add(session, body.name, body.role, body.password)
    return out(user_row(session, body.name), request)


@router.post("/{user}/disable", response_model=UserRow)
def post_disable(request: Request, session: DbSession, viewer: Admin, user: str) -> dict[str, Any]:
    """Stop a user signing in: their sessions end and their tokens stop working."""
    disable(session, viewer, user)
    return out(user_row(session, user), request)
