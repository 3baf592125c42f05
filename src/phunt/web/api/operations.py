"""``/api/v1/operations`` and ``/api/v1/raids``: visible to every role.

``/api/v1/operations/{id}/stats?by=district`` answers exactly what
``phunt stats --operation ID --by district --json`` prints. A raid lists only the cases
the caller may open; its ``cases`` count is statewide, as every count is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.cases import browse
from phunt.cases.stats import DistrictFigures, operation_stats, totals
from phunt.errors import UsageError
from phunt.web.api.cases import (
    Listing,
    OrderParam,
    listing,
    out,
)
from phunt.web.deps import DbSession, api_viewer, viewer_scope

CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]
StatsReader = Annotated[Viewer, api_viewer(Action.VIEW_STATS)]

router = APIRouter(prefix="/api/v1", tags=["operations"])


class StatsOut(BaseModel):
    """The same document as ``phunt stats --by district --json``."""

    by: str
    rows: list[DistrictFigures]
    total: DistrictFigures


@router.get("/operations", response_model=Listing[browse.OperationRow])
def list_operations(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: OrderParam,
) -> dict[str, Any]:
    """Operations with their counts; sort by one of id, name, created_at, raids, cases,
    devices."""
    return listing(browse.list_operations(session, order), order, request)


@router.get("/operations/{operation_id}", response_model=browse.OperationRow)
def get_operation(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    operation_id: int,
) -> dict[str, Any]:
    return out(browse.operation(session, operation_id), request)


@router.get("/operations/{operation_id}/stats", response_model=StatsOut)
def get_stats(
    session: DbSession,
    viewer: StatsReader,
    operation_id: int,
    by: str = "district",
) -> dict[str, Any]:
    """Raids, cases, arrests and devices per district and in total."""
    if by != "district":
        raise UsageError(f"by={by!r} is not supported (choose from: district)")
    rows = operation_stats(session, operation_id)
    return {"by": by, "rows": [r.as_dict() for r in rows], "total": totals(rows).as_dict()}


@router.get("/raids", response_model=Listing[browse.RaidRow])
def list_raids(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    order: OrderParam,
    operation: int | None = None,
) -> dict[str, Any]:
    """Raids (of one operation); sort by one of id, district, location, raided_at,
    team_lead, cases, devices."""
    if operation is not None:
        browse.operation(session, operation)
    found = browse.list_raids(session, operation_id=operation, order=order)
    return listing(found, order, request)


@router.get("/raids/{raid_id}", response_model=browse.RaidDetail)
def get_raid(
    request: Request,
    session: DbSession,
    viewer: CaseReader,
    raid_id: int,
) -> dict[str, Any]:
    """A raid and the cases it led to that the caller may open."""
    detail = browse.raid_detail(session, raid_id, viewer_scope(viewer))
    return out(detail, request)
