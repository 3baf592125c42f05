"""Logging in and out, and the front door.

A login makes a new session (and CSRF token) and ends any the browser brought along, so a
session id planted before login is worth nothing after it. The session cookie is
``HttpOnly`` and ``SameSite=Strict`` (``Secure`` over TLS) and lives until the browser
closes, logout, or the idle timeout. ``next=`` sends the user back only to a path of
this site.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phunt.accounts import store as accounts
from phunt.accounts.access import Viewer
from phunt.errors import LoginRefused, LoginThrottled
from phunt.web.csrf import LOGIN_COOKIE, login_token, set_login_cookie
from phunt.web.deps import SESSION_COOKIE, DbSession, cookie_visit, render

router = APIRouter()

#: Where ``/`` leads: the statewide dashboard.
HOME = "/dashboard"
REFUSED = "Wrong name or password, or the account is disabled."


def safe_next(value: str | None) -> str:
    """``value`` when it is a path of this site, else the home page: never another host
    (``//host``, ``/\\host``, ``https://host``) nor anything with control characters."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return HOME
    if any(ord(ch) < 0x20 or ch == "\\" for ch in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    return value


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request, next_path: str, message: str = "", status: int = 200, name: str = ""
) -> Response:
    token = login_token(request)
    response = render(
        request, "login.html", None, status_code=status, next=next_path, message=message, name=name
    )
    set_login_cookie(response, token, secure=request.app.state.secure_cookies)
    return response


@router.get("/")
def home() -> RedirectResponse:
    """The front door leads to the dashboard (which sends anonymous visitors to log in)."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/login")
def login_form(request: Request, session: DbSession, next: str | None = None) -> Response:
    """The login form; a logged-in visitor goes straight on."""
    target = safe_next(next)
    if cookie_visit(request, session) is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, target)


def _start(
    session: DbSession, request: Request, name: str, password: str
) -> tuple[Viewer, str, str]:
    viewer = accounts.authenticate(session, name, password, _address(request))
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a session planted before login (fixation) or left over: ended, not reused
        accounts.end_session(session, old)
    token, csrf = accounts.start_session(session, viewer, _address(request))
    return viewer, token, csrf


@router.post("/login")
async def login(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password; on success a new session and a redirect to ``next``."""
    target = safe_next(next)
    try:
        _viewer, token, _csrf = await run_in_threadpool(_start, session, request, name, password)
    except LoginThrottled as exc:
        wait = max(1, exc.retry_after)
        message = f"Too many failed logins. Try again in {wait} seconds."
        response = _login_page(request, target, message, 429, name)
        response.headers["Retry-After"] = str(wait)
        return response
    except LoginRefused:
        return _login_page(request, target, REFUSED, 401, name)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    """End the session (the CSRF check has already run) and go back to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
    )
    return response
