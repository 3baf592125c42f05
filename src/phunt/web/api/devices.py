"""``/api/v1/devices``: the devices of the viewer's cases, one device with its custody and
ingest jobs, and its triage summary; the same reads and scope as the device pages.

The responses are the read models of :mod:`phunt.ingest.browse` (pydantic dataclasses),
so the API, its OpenAPI schema and the pages cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.ingest import browse, browse_triage
from phunt.schema.db import Session
from phunt.web.deps import DbSession, api_viewer, check_case, viewer_scope
from phunt.web.paging import Paging, paging

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


def visible_devices(
    session: Session, viewer: Viewer, pages: Paging, case: int | None
) -> tuple[list[browse.DeviceRow], int]:
    """A page of the viewer's devices, of one of their cases when ``case`` is given (the
    page and the API list the same)."""
    if case is not None:
        check_case(viewer, case)
    return browse.list_devices(
        session, viewer_scope(viewer), case_id=case, sort=pages.sort, desc=pages.desc,
        offset=pages.offset, limit=pages.per_page,
    )  # fmt: skip


class DevicePage(BaseModel):
    """One page of devices, and how many there are in all."""

    items: list[browse.DeviceRow]
    total: int
    page: int
    per_page: int


@router.get("", response_model=DevicePage)
def devices(
    session: DbSession,
    viewer: Viewer = api_viewer(Action.VIEW_CASES),
    pages: Paging = paging(browse.DEVICE_SORTS, "evidence_number"),
    case: Annotated[int | None, Query(description="only the devices of this case")] = None,
) -> DevicePage:
    """The devices of the viewer's cases, a page at a time (``page``, ``per_page``,
    ``sort``, ``desc``)."""
    rows, total = visible_devices(session, viewer, pages, case)
    return DevicePage(items=rows, total=total, page=pages.page, per_page=pages.per_page)


@router.get("/{device_id}", response_model=browse.DeviceDetail)
def device(
    device_id: int, session: DbSession, viewer: Viewer = api_viewer(Action.VIEW_CASES)
) -> browse.DeviceDetail:
    """One device: case, raid, suspect, custody, ingest jobs with their source hashes and
    verification, and the files not read or read with a warning."""
    check_case(viewer, browse.device_ref(session, device_id).case_id)
    return browse.device_detail(session, device_id)


@router.get("/{device_id}/summary", response_model=browse_triage.Triage)
def summary(
    device_id: int, session: DbSession, viewer: Viewer = api_viewer(Action.VIEW_CASES)
) -> browse_triage.Triage:
    """A device's triage: matches by list and category, exact and near, and its near
    matches closest first with their distances."""
    check_case(viewer, browse.device_ref(session, device_id).case_id)
    return browse_triage.triage_summary(session, device_id)
