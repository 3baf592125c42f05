"""CSRF tokens: checked on every unsafe request to a page route.

A logged-in session has its own token, made with the session at login
(:func:`phunt.accounts.store.start_session`); forms carry it as ``csrf_token`` and htmx
sends it as ``X-CSRF-Token`` (``hx-headers`` on the page's body). Before login there is no
session, so the login form is protected by a double-submit token: a random value in an
``HttpOnly``, ``SameSite=Strict`` cookie that the form must repeat. The API is exempt: it
is authenticated by a bearer token only, which a browser never sends by itself.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from phunt.web.deps import DbSession, cookie_visit, deny

#: The cookie of the token that protects the login form itself.
LOGIN_COOKIE = "phunt_login"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfRejected(Exception):
    """An unsafe page request without the right token (recorded): 403."""


def login_token(request: Request) -> str:
    """The login form's token: the request's cookie's, or a new one (the page rendering
    the form then sets it with :func:`set_login_cookie`)."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def set_login_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


async def _given(request: Request) -> str:
    header = request.headers.get(HEADER)
    if header:
        return header
    value = (await request.form()).get(FIELD)
    return value if isinstance(value, str) else ""


async def check_csrf(request: Request, session: DbSession) -> None:
    """Refuse an unsafe page request whose token matches neither the session's nor the
    login form's cookie."""
    found = await run_in_threadpool(cookie_visit, request, session)
    if request.method not in UNSAFE:
        return
    candidates = (found[1] if found else None, request.cookies.get(LOGIN_COOKIE))
    expected = [token for token in candidates if token]
    given = await _given(request)
    if given and any(hmac.compare_digest(given.encode(), e.encode()) for e in expected):
        return
    viewer = found[0] if found else None
    await run_in_threadpool(deny, request, session, viewer, "CSRF token missing or wrong")
    raise CsrfRejected()
