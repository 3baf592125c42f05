"""Review settings and exports: each user's default blur and greyscale, the unit's floor
(minimum blur, greyscale required) and labels set by an admin, and the decisions exported
as VICS 2.0 or a plain hash list through ``review/export.py``.

A user's level below the unit's minimum is refused (400), never stored. An export is
written into the data folder (its SHA-256 audited, as every export) and sent as a
download; it holds hashes and categories, never a picture.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from phunt.accounts.access import Action, Viewer
from phunt.review import export, settings
from phunt.review.thumbs import MAX_BLUR
from phunt.web.deps import DbSession, page_viewer, render, viewer_scope
from phunt.web.pages.review_common import Reviewer, choices

router = APIRouter()

Admin = Annotated[Viewer, page_viewer(Action.SET_REVIEW_MINIMUM)]
Writer = Annotated[Viewer, page_viewer(Action.WRITE_REPORTS)]
Level = Annotated[int, Form(ge=0, le=MAX_BLUR)]
SUFFIX = {"vics": "json", "plain": "txt"}


@router.get("/review/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: DbSession, viewer: Reviewer) -> HTMLResponse:
    """The viewer's settings, the unit's floor and labels, and the export links."""
    return render(
        request, "review/settings.html", viewer, mine=settings.settings(session, viewer),
        levels=range(0, MAX_BLUR + 1), choices=choices(session),
        labels=settings.unit_labels(session), label_keys=settings.LABEL_KEYS,
        formats=export.FORMATS,
    )  # fmt: skip


@router.post("/review/settings")
def save_settings(
    session: DbSession,
    viewer: Reviewer,
    blur: Level = settings.UNIT_MINIMUM_DEFAULT,
    grey: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Store the viewer's default blur level and greyscale."""
    settings.save_settings(session, viewer, blur, grey)
    return RedirectResponse("/review/settings", status_code=303)


@router.post("/review/settings/unit")
def save_unit_minimum(
    session: DbSession,
    viewer: Admin,
    min_blur: Level = settings.UNIT_MINIMUM_DEFAULT,
    require_grey: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Set the unit's minimum blur and whether grey is required (admins)."""
    settings.set_unit_minimum(session, viewer, min_blur, grey=require_grey)
    return RedirectResponse("/review/settings", status_code=303)


@router.post("/review/settings/labels")
def save_labels(
    session: DbSession, viewer: Admin, labels: Annotated[str, Form(max_length=2000)] = ""
) -> RedirectResponse:
    """Set the unit's own labels, one a line (admins)."""
    settings.set_unit_labels(session, viewer, labels.splitlines())
    return RedirectResponse("/review/settings", status_code=303)


@router.post("/review/export")
def export_decisions(
    request: Request,
    session: DbSession,
    viewer: Writer,
    fmt: Annotated[str, Form(max_length=10)] = "vics",
) -> Response:
    """The current decisions in the viewer's cases as a file to download."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"review-decisions-{stamp}-{uuid.uuid4().hex[:8]}.{SUFFIX.get(fmt, 'txt')}"
    folder = request.app.state.settings.home / "exports"  # phunt's own, in the data folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    out = folder / name
    export.export_decisions(session, str(out), fmt=fmt, scope=viewer_scope(viewer), own=folder)
    media = "application/json" if fmt == "vics" else "text/plain; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.read_bytes(), media_type=media, headers=headers)
