"""The web app: routers found by module, errors answered alike, headers on everything.

The database is opened once per app (migrated if needed) and closed at shutdown. Pages
are found in :mod:`phunt.web.pages` and the API in :mod:`phunt.web.api`: every module with
a module-level ``router`` is included, so adding an area edits no shared list. Only the
API is in the OpenAPI document (``/api/v1/openapi.json``); there is no interactive
documentation page, which would need scripts from outside.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from phunt.accounts.access import Action
from phunt.config import Settings
from phunt.errors import ConflictError, NotFoundError, UsageError
from phunt.schema.db import Database
from phunt.web import api, pages
from phunt.web.csrf import CsrfRejected, check_csrf
from phunt.web.deps import (
    SESSION_COOKIE,
    Forbidden,
    LoginRequired,
    NotVisible,
    Unauthenticated,
    cookie_visit,
    login_redirect,
)
from phunt.web.render import render, templates
from phunt.web.security import SecurityHeaders

API_PREFIX = "/api/v1"
STATIC = Path(__file__).resolve().parent / "static"
#: Requests of one worker that may hold a database session at once: SQLAlchemy's pool
#: keeps 5 connections and opens up to 10 more (its defaults), and a request waits for a
#: slot before its session opens (``deps._connection_slot``).
CONNECTIONS = 5 + 10

#: What an error page says; never the path or the id asked for, so a 404 for another
#: case's object reads exactly like one for an id that does not exist.
MESSAGES = {
    400: ("Bad request", "The address or the form was not understood."),
    403: ("Not allowed", "Your role does not allow this. The refusal has been recorded."),
    404: ("Not found", "There is nothing here, or nothing you may see."),
    405: ("Not allowed", "This address does not take that kind of request."),
    409: ("Changed meanwhile", "Someone else changed this since you read it. Reload it."),
}
CSRF_MESSAGE = "The form had expired or did not come from phunt. Reload the page and try again."


@dataclass(frozen=True)
class WebRoute:
    """One route as a test or a tool sees it: the path with its parameters, the methods,
    and the actions its viewer dependency checks (none: open to anyone, like /login)."""

    path: str
    methods: frozenset[str]
    actions: frozenset[Action]
    api: bool


def _actions(dependant: Any) -> frozenset[Action]:
    found: set[Action] = set()
    todo = list(getattr(dependant, "dependencies", []))
    while todo:
        dep = todo.pop()
        action = getattr(dep.call, "phunt_action", None)
        if isinstance(action, Action):
            found.add(action)
        todo.extend(dep.dependencies)
    return frozenset(found)


def web_routes(app: FastAPI) -> list[WebRoute]:
    """Every page and API route of ``app`` (included routers flattened), for the walks
    that check each one against the table of who may do what."""
    found = []
    for route in iter_route_contexts(app.routes):
        path, methods = route.path, route.methods
        if path is None or methods is None or route.endpoint is None:
            continue  # the static files' mount
        dependant = getattr(route, "dependant", None)
        api = path.startswith(API_PREFIX + "/") and path != f"{API_PREFIX}/openapi.json"
        found.append(WebRoute(path, frozenset(methods), _actions(dependant), api))
    return found


def _routers(package: ModuleType) -> list[APIRouter]:
    """The ``router`` of every module of ``package``, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def _is_api(request: Request) -> bool:
    return request.url.path == API_PREFIX or request.url.path.startswith(API_PREFIX + "/")


def _look_up_viewer(request: Request) -> None:
    """Find the cookie's viewer for an error page that no route dependency ran for (an
    unknown address), so it keeps the navigation and the logout form."""
    database: Database = request.app.state.database
    with database.session() as session:
        cookie_visit(request, session)


async def _error(request: Request, status: int, detail: str | None = None) -> Response:
    title, text = MESSAGES.get(status, ("Error", "The request could not be carried out."))
    if _is_api(request):
        return JSONResponse({"detail": detail or title.lower()}, status_code=status)
    if not hasattr(request.state, "viewer") and request.cookies.get(SESSION_COOKIE):
        await run_in_threadpool(_look_up_viewer, request)
    viewer = getattr(request.state, "viewer", None)
    return render(
        request, "error.html", viewer, status_code=status, title=title, text=detail or text
    )


def _install_errors(app: FastAPI) -> None:
    async def not_visible(request: Request, _exc: Exception) -> Response:
        return await _error(request, 404, "not found" if _is_api(request) else None)

    async def login_required(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_redirect(exc.next_path), status_code=303)

    async def unauthenticated(_request: Request, _exc: Exception) -> Response:
        headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": "not authenticated"}, status_code=401, headers=headers)

    async def forbidden(request: Request, _exc: Exception) -> Response:
        return await _error(request, 403)

    async def csrf(request: Request, _exc: Exception) -> Response:
        return await _error(request, 403, CSRF_MESSAGE)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return await not_visible(request, exc)
        detail = exc.detail if exc.status_code == 400 else None
        response = await _error(request, exc.status_code, detail)
        response.headers.update(exc.headers or {})
        return response

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _is_api(request):
            errors = [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors()]
            return JSONResponse({"detail": errors}, status_code=422)
        return await _error(request, 400)

    async def usage(request: Request, exc: Exception) -> Response:
        return await _error(request, 400, str(exc))

    async def conflict(request: Request, exc: Exception) -> Response:
        return await _error(request, 409, str(exc))  # the service names who changed what

    app.add_exception_handler(NotVisible, not_visible)
    app.add_exception_handler(NotFoundError, not_visible)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Unauthenticated, unauthenticated)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfRejected, csrf)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(UsageError, usage)
    app.add_exception_handler(ConflictError, conflict)


def _include(app: FastAPI) -> None:
    for router in _routers(pages):
        app.include_router(router, include_in_schema=False, dependencies=[Depends(check_csrf)])
    for router in _routers(api):
        for route in router.routes:
            path = getattr(route, "path", "")
            if not path.startswith(API_PREFIX + "/"):
                raise RuntimeError(f"API route {path!r} is not under {API_PREFIX}/")
        app.include_router(router)


def create_app(
    cfg: Settings,
    *,
    secure_cookies: bool = False,
    idle_timeout: timedelta = timedelta(minutes=30),
) -> FastAPI:
    """The app over ``cfg``'s database; ``secure_cookies`` when served over TLS."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.database.close()

    app = FastAPI(
        title="phunt",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    _install_errors(app)
    _include(app)  # first: a misplaced route fails before the database is opened
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    url = cfg.database_url
    # A request's session moves between the event loop's worker threads: SQLite must allow it.
    extra: dict[str, Any] = {}
    if url.startswith("sqlite"):
        extra["connect_args"] = {"check_same_thread": False}
    app.state.database = Database(url, **extra)
    app.state.connection_slots = asyncio.Semaphore(CONNECTIONS)
    app.state.settings = cfg
    app.state.templates = templates(cfg.timezone)
    app.state.secure_cookies = secure_cookies
    app.state.idle_timeout = idle_timeout
    return app


def from_environment() -> FastAPI:
    """The app as ``phunt serve`` configures it through the environment: uvicorn's
    workers import this factory by name, so it cannot take arguments."""
    from phunt.config import resolve

    secure = os.environ.get("PHUNT_SECURE_COOKIES") == "1"
    return create_app(resolve(), secure_cookies=secure)
