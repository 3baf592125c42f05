"""The review queue of a device or a case, and categorising from it with the keyboard.

The queue lists the pictures and videos no list has categorised (``review/queue.py``),
near-duplicates gathered into one item with their count, each shown by a blurred, grey
thumbnail at the viewer's settings. One key per category (the VICS 2.0 codes 0-4, 0 being
"not pertinent", then the unit's own labels on 5-9) categorises the selected items, or
the focused one; ``static/js/review.js`` only presses the form's buttons, so the page
works without script. Categorising an item decides its shown file, and its near copies
in the item take the same decision naming that one as their source. Analysts and
investigators reach only their assigned cases: any other device or case is a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from phunt.accounts.access import Action, Viewer
from phunt.errors import UsageError
from phunt.review import queue
from phunt.web.deps import DbSession, page_viewer, render
from phunt.web.pages.review_common import (
    Reviewer,
    apply_choice,
    choices,
    parse_items,
    parse_seen,
    refresh_local_set,
    safe_back,
)

router = APIRouter()

Text = Annotated[str, Query(max_length=200)]
KINDS = ("", "picture", "video")


def _int(value: str, name: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise UsageError(f"{name} is a whole number of bytes") from exc


def _day(value: str, name: str, end: bool) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise UsageError(f"{name} is a date (YYYY-MM-DD)") from exc
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def filters_of(request: Request) -> tuple[queue.Filters, dict[str, str]]:
    """The queue's filters from the query string (empty fields from a form are unset)."""
    q = {k: request.query_params.get(k, "")[:200] for k in (
        "kind", "min_size", "max_size", "path", "app", "camera", "since", "until", "flagged",
    )}  # fmt: skip
    if q["kind"] not in KINDS:
        raise UsageError("kind is picture or video")
    found = queue.Filters(
        kind=q["kind"] or None,  # type: ignore[arg-type]
        min_size=_int(q["min_size"], "min_size"),
        max_size=_int(q["max_size"], "max_size"),
        path=q["path"] or None,
        app=q["app"] or None,
        camera=q["camera"] or None,
        since=_day(q["since"], "since", end=False),
        until=_day(q["until"], "until", end=True),
        flagged_chat=q["flagged"] in ("1", "on", "true"),
    )
    return found, q


def _queue_page(
    request: Request,
    session: DbSession,
    viewer: Viewer,
    *,
    device_id: int | None = None,
    case_id: int | None = None,
    page: int = 1,
    sort: str = "first",
) -> HTMLResponse:
    found, values = filters_of(request)
    result = queue.review_queue(
        session, viewer, device_id=device_id, case_id=case_id, filters=found,
        page=page, per_page=50, sort=sort,
    )  # fmt: skip
    owner = ("device", device_id) if device_id is not None else ("case", case_id)
    pages = max(1, -(-result.total_items // result.per_page))
    return render(
        request, "review/queue.html", viewer, result=result, owner=owner, values=values,
        sort=sort, sorts=queue.SORTS, pages=pages, choices=choices(session),
        back=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
        query=request.url.query,
        prev_link=_link(request, page - 1) if page > 1 else "",
        next_link=_link(request, page + 1) if page < pages else "",
    )  # fmt: skip


def _link(request: Request, page: int) -> str:
    params = dict(request.query_params) | {"page": str(page)}
    return "?" + urlencode(params)


Page = Annotated[int, Query(ge=1, le=100_000)]
Sort = Annotated[str, Query(max_length=10)]


@router.get("/review/devices/{device_id}", response_class=HTMLResponse)
def device_queue(
    request: Request,
    device_id: int,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.REVIEW),
    page: Page = 1,
    sort: Sort = "first",
) -> HTMLResponse:
    """A device's review queue."""
    return _queue_page(request, session, viewer, device_id=device_id, page=page, sort=sort)


@router.get("/review/cases/{case_id}", response_class=HTMLResponse)
def case_queue(
    request: Request,
    case_id: int,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.REVIEW),
    page: Page = 1,
    sort: Sort = "first",
) -> HTMLResponse:
    """A case's review queue, over all its devices."""
    return _queue_page(request, session, viewer, case_id=case_id, page=page, sort=sort)


@router.post("/review/decide")
def decide(
    request: Request,
    session: DbSession,
    viewer: Reviewer,
    item: Annotated[list[str] | None, Form(max_length=100_000)] = None,
    choice: Annotated[str, Form(max_length=2)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=4000)] = "",
    seen: Annotated[list[str] | None, Form(max_length=100_000)] = None,
) -> RedirectResponse:
    """Categorise the selected items with the choice of one key; back to the page. A file
    decided by someone else since the page showed it is a 409 naming who (``seen``)."""
    items = parse_items(item or [])
    decided = apply_choice(session, viewer, items, choice, note, parse_seen(seen or []))
    refresh_local_set(request, session, decided)
    return RedirectResponse(safe_back(back, "/review/settings"), status_code=303)
