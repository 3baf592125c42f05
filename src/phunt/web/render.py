"""Rendering pages: one Jinja2 environment per app, autoescaped, with phunt's filters.

File names, chat text and participant names are attacker-controlled, so every value is
escaped by the environment (never ``|safe`` on evidence) and :data:`StrictUndefined`
makes a missing value an error in tests instead of a silently empty cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from phunt.accounts.access import Action

if TYPE_CHECKING:
    from phunt.accounts.access import Viewer

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: How a time is shown everywhere: day first, as the unit writes it, with the zone.
TIME_FORMAT = "%d/%m/%Y %H:%M:%S %Z"


def localtime(value: datetime | None, tz: ZoneInfo) -> str:
    """A stored UTC time shown in the unit's zone (naive values are UTC, as stored)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).strftime(TIME_FORMAT)


def app_localtime(request: Request) -> Callable[[datetime], str]:
    """:func:`localtime` in the app's zone, for a time a service writes into a sentence
    (the audit page's last verification), so it reads as the page's other times."""
    tz: ZoneInfo = request.app.state.settings.timezone
    return lambda value: localtime(value, tz)


def hexshort(value: str | bytes | None, length: int = 12) -> str:
    """The first ``length`` hex digits of a hash and an ellipsis (the page shows it whole
    in a ``title``): enough to tell hashes apart in a table."""
    if value is None:
        return ""
    text = value.hex() if isinstance(value, bytes) else str(value)
    return text if len(text) <= length else text[:length] + "…"


def templates(tz: ZoneInfo) -> Jinja2Templates:
    """The app's templates, with ``localtime`` bound to the configured zone."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["localtime"] = lambda value: localtime(value, tz)
    env.filters["hexshort"] = hexshort
    env.globals["Action"] = Action  # templates ask viewer.may(Action.VIEW_AUDIT)
    return Jinja2Templates(env=env)


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered for ``viewer``; the context also gets the request's CSRF token
    (for forms) and the zone's name."""
    state = request.app.state
    values = {
        "viewer": viewer,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "tz": state.settings.timezone.key,
        **context,
    }
    response = state.templates.TemplateResponse(request, template, values, status_code=status_code)
    assert isinstance(response, HTMLResponse)
    return response
