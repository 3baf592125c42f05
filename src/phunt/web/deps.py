"""Who is asking, and what they may see: the dependencies of every page and API route.

A page knows its viewer by the session cookie (:func:`page_viewer`), the API by a bearer
token and never by a cookie (:func:`api_viewer`). Both check the role against the one
table in :mod:`phunt.accounts.access`, record a denial in the audit log, and make the
viewer the actor of every audit record the request writes. Anything under a case the
viewer may not see answers exactly as an id that does not exist (:class:`NotVisible`), so
ids are not confirmed.

The database session of a request (:data:`DbSession`) commits when the route returns,
before the response is sent, so a client's next request sees what this one wrote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from phunt.accounts import store as accounts
from phunt.accounts.access import Action, Viewer
from phunt.audit.store import acting_as
from phunt.schema.db import Database, Session
from phunt.web.render import render as render  # re-exported: routes import it from here

SESSION_COOKIE = "phunt_session"
_VISIT = "_phunt_visit"


class NotVisible(Exception):
    """An object outside the viewer's cases, or none at all: both answer 404 alike."""


class LoginRequired(Exception):
    """An anonymous request for a page: answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path
        super().__init__(next_path)


class Unauthenticated(Exception):
    """An API request without a valid bearer token: 401."""


class Forbidden(Exception):
    """The viewer's role may not do this (recorded in the audit log): 403."""


async def _connection_slot(request: Request) -> AsyncIterator[None]:
    """Wait on the event loop, holding no thread, for one of the pool's connections.

    A request keeps its session's connection from its first query to the commit, across
    several hops to the thread pool (the viewer's look-up, the route). Without this wait,
    under load every thread of the pool could block on a connection held by a request
    that waits for a thread, and all of them give up after the pool's 30 s timeout (500).
    """
    async with request.app.state.connection_slots:
        yield


def db_session(
    request: Request, _slot: Annotated[None, Depends(_connection_slot, scope="function")]
) -> Iterator[Session]:
    """One session per request from the app's database, committed when the route returns."""
    database: Database = request.app.state.database
    with database.session() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def check_case(viewer: Viewer, case_id: int | None) -> None:
    """Raise :class:`NotVisible` unless ``viewer`` may see case ``case_id`` (``None``, an
    object of no case, is for those who see everything)."""
    if not viewer.sees_case(case_id):
        raise NotVisible()


def viewer_scope(viewer: Viewer) -> frozenset[int] | None:
    """The case ids a viewer's reads are limited to (``None``: every case), as the read
    models in ``*/browse*.py`` take them."""
    return None if viewer.sees_all else viewer.case_ids


def cookie_visit(request: Request, session: Session) -> tuple[Viewer, str] | None:
    """The viewer and CSRF token of the request's session cookie, looked up once a request
    (the CSRF check and the page's viewer share it); ``None`` when anonymous or expired."""
    if hasattr(request.state, _VISIT):
        found: tuple[Viewer, str] | None = getattr(request.state, _VISIT)
        return found
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        found = accounts.session_viewer(session, token, request.app.state.idle_timeout)
        session.commit()  # the touch of the session ends its write at once (see _lookup_token)
    setattr(request.state, _VISIT, found)
    if found is not None:
        request.state.viewer, request.state.csrf_token = found
    return found


def deny(request: Request, session: Session, viewer: Viewer | None, reason: str) -> None:
    """Record a refused request in the audit log. The store commits it at once, in the
    request's own transaction (a second one would wait on this one's lock on SQLite),
    before the refusal is raised and the rest of the request rolled back."""
    with acting_as(viewer.name if viewer else "anonymous"):
        accounts.record_denial(session, viewer, request.method, request.url.path, reason)


def _next_path(request: Request) -> str:
    path = request.url.path
    if request.url.query and request.method == "GET":
        path += "?" + request.url.query
    return path


def _refuse(request: Request, session: Session, viewer: Viewer, action: Action) -> None:
    deny(request, session, viewer, f"role {viewer.role} may not {action.value}")


class PageViewer:
    """The dependency behind :func:`page_viewer` (``phunt_action`` says what it checks)."""

    def __init__(self, action: Action) -> None:
        self.phunt_action = action

    async def __call__(self, request: Request, session: DbSession) -> AsyncIterator[Viewer]:
        found = await run_in_threadpool(cookie_visit, request, session)
        if found is None:
            raise LoginRequired(_next_path(request))
        viewer = found[0]
        if not viewer.may(self.phunt_action):
            await run_in_threadpool(_refuse, request, session, viewer, self.phunt_action)
            raise Forbidden()
        with acting_as(viewer.name):
            yield viewer


def _lookup_token(session: Session, token: str) -> Viewer | None:
    """The token's viewer, its use recorded and committed at once: on SQLite a request that
    kept that write open while it read and rendered would hold the database's one write
    lock for its whole length, and concurrent requests would queue behind it until their
    busy timeout ("database is locked")."""
    viewer = accounts.token_viewer(session, token)
    session.commit()
    return viewer


class ApiViewer:
    """The dependency behind :func:`api_viewer` (``phunt_action`` says what it checks)."""

    def __init__(self, action: Action) -> None:
        self.phunt_action = action

    async def __call__(self, request: Request, session: DbSession) -> AsyncIterator[Viewer]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        viewer = None
        if scheme.lower() == "bearer" and token.strip():
            viewer = await run_in_threadpool(_lookup_token, session, token.strip())
        if viewer is None:
            raise Unauthenticated()
        request.state.viewer = viewer
        if not viewer.may(self.phunt_action):
            await run_in_threadpool(_refuse, request, session, viewer, self.phunt_action)
            raise Forbidden()
        with acting_as(viewer.name):
            yield viewer


def page_viewer(action: Action) -> Any:
    """``viewer: Viewer = page_viewer(Action.VIEW_CASES)``: the logged-in viewer, when
    their role may ``action``; anonymous requests go to the login page."""
    return Depends(PageViewer(action), scope="function")


def api_viewer(action: Action) -> Any:
    """``viewer: Viewer = api_viewer(Action.VIEW_CASES)``: the bearer token's viewer, when
    their role may ``action``; 401 without a valid token."""
    return Depends(ApiViewer(action), scope="function")


def login_redirect(next_path: str) -> str:
    """The login page's URL, coming back to ``next_path`` afterwards."""
    return "/login?next=" + quote(next_path, safe="/")
