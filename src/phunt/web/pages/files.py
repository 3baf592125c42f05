"""A stored file's page: where it lies in its source, its digests, type, EXIF and times,
every match, and where else its content or a near copy was found in the viewer's cases.

The page describes the file; it never shows it: no bytes, no picture, no thumbnail.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from phunt.accounts.access import Action, Viewer
from phunt.ingest import browse_copies, browse_files
from phunt.web.deps import DbSession, check_case, page_viewer, render, viewer_scope

router = APIRouter()


@router.get("/files/{file_id}", response_class=HTMLResponse)
def file_page(
    request: Request,
    file_id: int,
    session: DbSession,
    viewer: Viewer = page_viewer(Action.VIEW_CASES),
) -> HTMLResponse:
    """One file of a device the viewer may read."""
    check_case(viewer, browse_files.file_case(session, file_id))
    detail = browse_files.file_detail(session, file_id)
    elsewhere = browse_copies.where_else(session, file_id, viewer_scope(viewer))
    return render(request, "files/detail.html", viewer, file=detail, elsewhere=elsewhere)
