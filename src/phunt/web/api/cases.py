"""``/api/v1/cases`` and ``/api/v1/suspects``: only within the caller's scope.

A case or suspect outside the caller's cases answers 404 exactly as an unknown id. Times
are ISO 8601 in the configured zone. The response models here are shared with
:mod:`phunt.web.api.operations` (a raid lists its cases).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.web.deps import DbSession, api_viewer, check_case

CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]

router = APIRouter(prefix="/api/v1", tags=["cases"])

M = TypeVar("M", bound=BaseModel)


class CaseOut(BaseModel):
    id: int
    number: str
    station: str
    district: str
    operation_id: int | None
    operation: str | None
    raid_id: int | None
    statutes: list[str]
    opened_at: datetime
    suspects: int
    arrests: int
    devices: int


class SuspectOut(BaseModel):
    id: int
    case_id: int
    name: str
    aliases: list[str]
    phones: list[str]
    handles: list[str]
    arrested_at: datetime | None
    devices: int


class CustodyOut(BaseModel):
    at: datetime
    action: str
    actor: str
    note: str


class DeviceOut(BaseModel):
    id: int
    evidence_number: str
    kind: str
    make: str
    model: str
    serial: str
    imei: str
    raid_id: int | None
    suspect_id: int | None
    suspect: str | None
    ingests: int
    files: int
    matched_files: int
    custody: list[CustodyOut]


class CaseDetailOut(BaseModel):
    case: CaseOut
    suspects: list[SuspectOut]
    devices: list[DeviceOut]


class SuspectDetailOut(BaseModel):
    suspect: SuspectOut
    case: CaseOut
    devices: list[DeviceOut]


class Listing(BaseModel, Generic[M]):
    """One page of a sorted list and how many rows the whole list has."""

    items: list[M]
    total: int
    page: int
    per_page: int


SortParam = Annotated[str, Query(description="Column to sort by (see each listing).")]
DescParam = Annotated[bool, Query(description="Largest or latest first.")]
PageParam = Annotated[int, Query(ge=1)]
PerPageParam = Annotated[int, Query(ge=1, le=500)]


def zoned(value: Any, tz: tzinfo) -> Any:
    """``value`` (read models, lists, dicts) with every time in the configured zone."""
    if isinstance(value, datetime):
        return value.astimezone(tz)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {f.name: zoned(getattr(value, f.name), tz) for f in fields}
    if isinstance(value, list):
        return [zoned(item, tz) for item in value]
    if isinstance(value, dict):
        return {key: zoned(item, tz) for key, item in value.items()}
    return value


def out(model: type[M], value: Any, request: Request) -> M:
    """A response model from a read model, its times in the configured zone."""
    return model.model_validate(zoned(value, request.app.state.settings.timezone))


def listing(page: browse.Page[Any], order: browse.Order, request: Request) -> dict[str, Any]:
    """A page of rows as :class:`Listing` (the route's response model) validates it."""
    tz = request.app.state.settings.timezone
    rows = zoned(page.rows, tz)
    return {"items": rows, "total": page.total, "page": order.page, "per_page": order.per_page}


@router.get("/cases", response_model=Listing[CaseOut])
def list_cases(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    operation: int | None = None,
    raid: int | None = None,
    sort: SortParam = "id",
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> dict[str, Any]:
    """The caller's cases, of an operation or a raid; sort by one of
    id, number, station, district, opened_at, suspects, arrests, devices."""
    if operation is not None:
        browse.operation(session, operation)
    order = browse.Order(sort, desc, page, per_page)
    found = browse.list_cases(
        session, scope=browse.scope_of(viewer), operation_id=operation, raid_id=raid, order=order
    )
    return listing(found, order, request)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    case_id: int,
) -> CaseDetailOut:
    """A case with its suspects, devices and each device's chain of custody."""
    check_case(viewer, case_id)
    detail = browse.case_detail(session, case_id)
    return out(CaseDetailOut, detail, request)


@router.get("/suspects", response_model=Listing[SuspectOut])
def list_suspects(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    case: int | None = None,
    sort: SortParam = "id",
    desc: DescParam = False,
    page: PageParam = 1,
    per_page: PerPageParam = 50,
) -> dict[str, Any]:
    """Suspects of the caller's cases (of one case); sort by one of
    id, name, arrested_at, devices."""
    if case is not None:
        check_case(viewer, case)
    order = browse.Order(sort, desc, page, per_page)
    found = browse.list_suspects(session, scope=browse.scope_of(viewer), case_id=case, order=order)
    return listing(found, order, request)


@router.get("/suspects/{suspect_id}", response_model=SuspectDetailOut)
def get_suspect(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    suspect_id: int,
) -> SuspectDetailOut:
    """A suspect, their case and the devices seized from them."""
    check_case(viewer, browse.suspect_case(session, suspect_id))
    detail = browse.suspect_detail(session, suspect_id)
    return out(SuspectDetailOut, detail, request)
