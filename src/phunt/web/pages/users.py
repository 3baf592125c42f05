"""The users page (admins only, ``MANAGE_USERS``): every user with role, state, cases and
number of API tokens; forms to add a user and to disable one.

Forms post with the session's CSRF token and come back here (redirect after post); what
the store refuses (a name taken or not allowed, no such role, a short password, two
passwords that differ) is a 400 page saying why. No password or token hash is ever
shown; tokens are issued on the command line only (``phunt user token NAME``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from phunt.accounts import store as accounts
from phunt.accounts.access import ROLES, SEES_ALL, Action, Viewer
from phunt.accounts.passwords import MIN_LENGTH
from phunt.web.api.users import add, disable
from phunt.web.deps import DbSession, page_viewer, render

router = APIRouter()

Admin = Annotated[Viewer, page_viewer(Action.MANAGE_USERS)]
Secret = Annotated[str, Form(max_length=2000)]


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, viewer: Admin) -> HTMLResponse:
    """Every user, by name, and the forms that change them."""
    users = accounts.list_users(session)
    return render(
        request, "users/list.html", viewer, users=users, roles=ROLES, sees_all=SEES_ALL,
        min_length=MIN_LENGTH,
    )  # fmt: skip


@router.post("/users")
def add_user(
    session: DbSession,
    viewer: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=50)] = "",
    password: Secret = "",
    password_again: Secret = "",
) -> RedirectResponse:
    """Add a user; the password is typed twice and must be equal."""
    add(session, name, role, password, password_again)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user}/disable")
def disable_user(session: DbSession, viewer: Admin, user: str) -> RedirectResponse:
    """Stop a user signing in; their sessions end and their API tokens stop working."""
    disable(session, viewer, user)
    return RedirectResponse("/users", status_code=303)
