"""One item under review: its thumbnail, a reveal, its decisions' history, the
propagation dialog and the circulation of its content.

The thumbnail is rendered from the evidence through the file's locator and cached in the
case store (``review/thumb_store.py``): a downscaled, blurred, grey re-encoding at the
viewer's settings, never the file's bytes, sent with ``Cache-Control: no-store`` (as is
every page). A reveal is a form post: the lower-blur picture comes back inside that one
answer (a ``data:`` image, which the policy allows) so there is no address to fetch it
again from, and the audit log records who asked and when. A file outside the viewer's
cases is a 404, exactly as one that does not exist.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from phunt.errors import InputError, UsageError, WrongFormat
from phunt.ingest import browse_files
from phunt.review import circulation, decisions, propagate, settings, thumb_store
from phunt.review.thumbs import MAX_BLUR
from phunt.web.deps import DbSession, check_case, render, viewer_scope
from phunt.web.pages.review_common import Reviewer, choices, known_bad, refresh_local_set

router = APIRouter()


def _current(session: DbSession, viewer: Reviewer, file_id: int) -> decisions.Decision | None:
    """The file's current decision; a file outside the viewer's cases is a 404."""
    found = [d for d in decisions.history(session, file_id, viewer_scope(viewer)) if d.current]
    return found[0] if found else None


@router.get("/review/files/{file_id}", response_class=HTMLResponse)
def item_page(
    request: Request, file_id: int, session: DbSession, viewer: Reviewer, done: int | None = None
) -> HTMLResponse:
    """The file's thumbnail, the keys to categorise it, and every decision made on it."""
    check_case(viewer, browse_files.file_case(session, file_id))
    detail = browse_files.file_detail(session, file_id)
    history = decisions.history(session, file_id, viewer_scope(viewer))
    mine = settings.settings(session, viewer)
    current = next((d for d in history if d.current), None)  # sent back as ``seen``
    return render(
        request, "review/item.html", viewer, file=detail, history=history[::-1],
        choices=choices(session), mine=mine, levels=range(0, MAX_BLUR + 1), done=done,
        back=f"/review/files/{file_id}", current=current,
    )  # fmt: skip


@router.get("/review/files/{file_id}/thumb")
def thumbnail(file_id: int, session: DbSession, viewer: Reviewer) -> Response:
    """The file's thumbnail at the viewer's blur and greyscale (a strip for a video)."""
    try:
        made = thumb_store.thumbnail(session, viewer, file_id)
    except WrongFormat as exc:
        raise HTTPException(415, "not a picture or a video") from exc
    except InputError as exc:
        raise HTTPException(503, "the evidence cannot be read now") from exc
    return Response(made.data, media_type=made.media_type, headers={"Cache-Control": "no-store"})


@router.post("/review/files/{file_id}/reveal", response_class=HTMLResponse)
def reveal(
    request: Request,
    file_id: int,
    session: DbSession,
    viewer: Reviewer,
    blur: Annotated[int, Form(ge=0, le=MAX_BLUR)] = 0,
    colour: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """This file once at a lower blur (audited: who, when, which level)."""
    try:
        made = thumb_store.reveal(
            session, viewer, file_id, blur=blur, grey=None if not colour else False
        )
    except WrongFormat as exc:
        raise HTTPException(415, "not a picture or a video") from exc
    except InputError as exc:
        raise HTTPException(503, "the evidence cannot be read now") from exc
    data = base64.b64encode(made.data).decode("ascii")
    return render(
        request, "review/reveal.html", viewer, file_id=file_id, blur=blur, colour=colour,
        src=f"data:{made.media_type};base64,{data}", width=made.width, height=made.height,
    )  # fmt: skip


@router.get("/review/files/{file_id}/propagate", response_class=HTMLResponse)
def propagate_dialog(
    request: Request, file_id: int, session: DbSession, viewer: Reviewer
) -> HTMLResponse:
    """How many files, devices and cases the file's current decision would reach."""
    current = _current(session, viewer, file_id)
    found = None
    if current is not None:
        found = propagate.preview(session, current.id, viewer_scope(viewer))
    return render(
        request, "review/propagate.html", viewer, file_id=file_id, decision=current,
        preview=found,
    )  # fmt: skip


@router.post("/review/files/{file_id}/propagate")
def propagate_apply(
    request: Request, file_id: int, session: DbSession, viewer: Reviewer
) -> RedirectResponse:
    """Apply the file's current decision to its copies, then re-screen the devices."""
    current = _current(session, viewer, file_id)
    if current is None:
        raise UsageError("this file has no decision to propagate yet")
    made = propagate.apply(session, current.id, viewer_scope(viewer))
    refresh_local_set(request, session, known_bad(current.category_code))
    return RedirectResponse(f"/review/files/{file_id}?done={len(made)}", status_code=303)


@router.get("/review/files/{file_id}/circulation", response_class=HTMLResponse)
def circulation_page(
    request: Request, file_id: int, session: DbSession, viewer: Reviewer
) -> HTMLResponse:
    """Every device, case, suspect and chat of the viewer's where the content lies."""
    found = circulation.circulation(session, file_id, viewer_scope(viewer))
    return render(request, "review/circulation.html", viewer, c=found)
