"""``/api/v1/files``: a device's files a page at a time, and one file with its matches and
where else its content or a near copy lies in the viewer's cases. Descriptions only: no
route serves a file's bytes. The responses are the read models of
:mod:`phunt.ingest.browse_files` and :mod:`phunt.ingest.browse_copies` (pydantic
dataclasses).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.ingest import browse, browse_copies, browse_files
from phunt.schema.db import Session
from phunt.web.deps import DbSession, api_viewer, check_case, viewer_scope
from phunt.web.paging import Paging, paging

router = APIRouter(prefix="/api/v1/files", tags=["files"])


def visible_files(
    session: Session,
    viewer: Viewer,
    device_id: int,
    filters: browse_files.FileFilter,
    pages: Paging,
) -> tuple[browse.DeviceRef, list[browse_files.FileRow], int]:
    """The device, when the viewer may read it, and a page of its files."""
    device = browse.device_ref(session, device_id)
    check_case(viewer, device.case_id)
    rows, total = browse_files.device_files(
        session, device_id, filters, sort=pages.sort, desc=pages.desc, offset=pages.offset,
        limit=pages.per_page,
    )  # fmt: skip
    return device, rows, total


class FilePage(BaseModel):
    """One page of a device's files, and how many pass the filters in all."""

    items: list[browse_files.FileRow]
    total: int
    page: int
    per_page: int


class FileOut(BaseModel):
    """A file, and where else its content or a near copy is in the viewer's cases."""

    file: browse_files.FileDetail
    where_else: browse_copies.WhereElse


@router.get("", response_model=FilePage)
def files(
    session: DbSession,
    device: Annotated[int, Query(description="the device whose files to list")],
    viewer: Viewer = api_viewer(Action.VIEW_CASES),
    pages: Paging = paging(browse_files.FILE_SORTS, "seq"),
    matched: Annotated[bool, Query(description="only files on a list")] = False,
    type: Annotated[str, Query(max_length=100, description="image, or image/png")] = "",
    path: Annotated[str, Query(max_length=500, description="a piece of the path")] = "",
    problems: Annotated[bool, Query(description="only files not read or warned")] = False,
) -> FilePage:
    """A device's files, a page at a time (``page``, ``per_page``, ``sort``, ``desc``)."""
    filters = browse_files.FileFilter(matched=matched, mime=type, path=path, problems=problems)
    _device, rows, total = visible_files(session, viewer, device, filters, pages)
    return FilePage(items=rows, total=total, page=pages.page, per_page=pages.per_page)


@router.get("/{file_id}", response_model=FileOut)
def file(
    file_id: int, session: DbSession, viewer: Viewer = api_viewer(Action.VIEW_CASES)
) -> FileOut:
    """One file: where it lies, digests, type, EXIF, times, every match, and where else
    the same content or a near copy is, in the viewer's cases."""
    check_case(viewer, browse_files.file_case(session, file_id))
    detail = browse_files.file_detail(session, file_id)
    return FileOut(
        file=detail, where_else=browse_copies.where_else(session, file_id, viewer_scope(viewer))
    )
