"""``/api/v1/cases`` and ``/api/v1/suspects``: only within the caller's scope.

A case or suspect outside the caller's cases answers 404 exactly as an unknown id. Times
are ISO 8601 in the configured zone. The responses are the read models of
:mod:`phunt.cases.browse` themselves (dataclasses, which FastAPI validates and describes
in the OpenAPI document through pydantic), so their shape is written once.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.web.deps import DbSession, api_viewer, check_case, viewer_scope

CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]

router = APIRouter(prefix="/api/v1", tags=["cases"])

R = TypeVar("R")


class Listing(BaseModel, Generic[R]):
    """One page of a sorted list and how many rows the whole list has."""

    items: list[R]
    total: int
    page: int
    per_page: int


def api_order(
    sort: Annotated[str, Query(description="Column to sort by (see each listing).")] = "id",
    desc: Annotated[bool, Query(description="Largest or latest first.")] = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> browse.Order:
    """``?sort=&desc=&page=&per_page=`` of a listing (an unknown sort key is a 400)."""
    return browse.Order(sort, desc, page, per_page)


OrderParam = Annotated[browse.Order, Depends(api_order)]


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


def out(value: Any, request: Request) -> dict[str, Any]:
    """A read model as the route's response model (the same dataclass) validates it, its
    times in the configured zone."""
    found: dict[str, Any] = zoned(value, request.app.state.settings.timezone)
    return found


def listing(page: browse.Page[Any], order: browse.Order, request: Request) -> dict[str, Any]:
    """A page of rows as :class:`Listing` (the route's response model) validates it."""
    tz = request.app.state.settings.timezone
    rows = zoned(page.rows, tz)
    return {"items": rows, "total": page.total, "page": order.page, "per_page": order.per_page}


@router.get("/cases", response_model=Listing[browse.CaseRow])
def list_cases(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: OrderParam,
    operation: int | None = None,
    raid: int | None = None,
) -> dict[str, Any]:
    """The caller's cases, of an operation or a raid; sort by one of
    id, number, station, district, opened_at, suspects, arrests, devices."""
    if operation is not None:
        browse.operation(session, operation)  # an unknown parent is a 404, not an empty list
    if raid is not None:
        browse.raid(session, raid)
    found = browse.list_cases(
        session, scope=viewer_scope(viewer), operation_id=operation, raid_id=raid, order=order
    )
    return listing(found, order, request)


@router.get("/cases/{case_id}", response_model=browse.CaseDetail)
def get_case(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    case_id: int,
) -> dict[str, Any]:
    """A case with its suspects, devices and each device's chain of custody."""
    check_case(viewer, case_id)
    detail = browse.case_detail(session, case_id)
    return out(detail, request)


@router.get("/suspects", response_model=Listing[browse.SuspectRow])
def list_suspects(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: OrderParam,
    case: int | None = None,
) -> dict[str, Any]:
    """Suspects of the caller's cases (of one case); sort by one of
    id, name, arrested_at, devices."""
    if case is not None:
        check_case(viewer, case)
        browse.case_row(session, case)  # an unknown case is a 404, as for those who see all
    found = browse.list_suspects(session, scope=viewer_scope(viewer), case_id=case, order=order)
    return listing(found, order, request)


@router.get("/suspects/{suspect_id}", response_model=browse.SuspectDetail)
def get_suspect(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    suspect_id: int,
) -> dict[str, Any]:
    """A suspect, their case and the devices seized from them."""
    check_case(viewer, browse.suspect_case(session, suspect_id))
    detail = browse.suspect_detail(session, suspect_id)
    return out(detail, request)
