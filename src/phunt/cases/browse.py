"""Read models of operations, raids, cases and suspects for the web pages and the API.

Every function answers with a handful of aggregate queries whatever the size of the
operation (the seed's 326 raids, 268 cases and 500k files included): counts come from
grouped subqueries joined once, never from a query per row. Listings take the viewer's
scope as a set of case ids (``None`` for a viewer who sees every case) so a page can never
list a case it would refuse to open; counts stay statewide, which every role may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, String, case, cast, func, select
from sqlalchemy.orm import Session

from phunt.cases.operations import get_operation
from phunt.cases.stats import DistrictFigures, operation_stats
from phunt.errors import NotFoundError, UsageError
from phunt.schema.cases import Case, CustodyEvent, Device, District, Operation, Raid, Suspect
from phunt.schema.chats import ChatRecord
from phunt.schema.ingest import IngestJob
from phunt.schema.scope import Scope, in_scope

T = TypeVar("T")


_Query = Select[*tuple[Any, ...]]
_Sorts = Mapping[str, Any]
"""Sort key -> the column or count it orders by."""

_TITLE_ONLY = "title:%"
"""A WhatsApp text export names its group only by title: never one group with another."""


@dataclass
class DashboardFigures(DistrictFigures):
    """The reported figures (:class:`DistrictFigures`) plus what phunt found in the evidence."""

    devices_ingested: int = 0
    matched_files: int = 0
    groups: int = 0


@dataclass(frozen=True)
class Dashboard:
    """Figures per district (every district, zeros included) and in total.

    ``total.groups`` counts distinct groups over the operation: a group seen in two
    districts counts once in each of them and once in the total.
    """

    operation_id: int | None
    rows: list[DashboardFigures]
    total: DashboardFigures


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and how many rows the whole listing has."""

    rows: list[T]
    total: int


@dataclass(frozen=True)
class OperationRow:
    """An operation with its raid, case and device counts (statewide)."""

    id: int
    name: str
    description: str
    created_at: datetime
    raids: int
    cases: int
    devices: int


@dataclass(frozen=True)
class RaidRow:
    """A raid with the number of cases it led to and devices seized there (statewide)."""

    id: int
    operation_id: int
    operation: str
    district: str
    location: str
    raided_at: datetime
    team_lead: str
    cases: int
    devices: int


@dataclass(frozen=True)
class CaseRow:
    """A case (FIR) with its suspect, arrest and device counts."""

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


@dataclass(frozen=True)
class SuspectRow:
    """A suspect named in a case; ``devices`` counts the devices seized from them."""

    id: int
    case_id: int
    name: str
    aliases: list[str]
    phones: list[str]
    handles: list[str]
    arrested_at: datetime | None
    devices: int


@dataclass(frozen=True)
class CustodyRow:
    """One event of a device's chain of custody."""

    at: datetime
    action: str
    actor: str
    note: str


@dataclass(frozen=True)
class DeviceRow:
    """A seized device with what its completed ingests found and its custody chain."""

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
    custody: list[CustodyRow] = field(default_factory=list)


@dataclass(frozen=True)
class RaidDetail:
    """A raid and the cases it led to that the viewer may open."""

    raid: RaidRow
    cases: list[CaseRow]
    """Only the cases in the viewer's scope; ``raid.cases`` counts them all."""


@dataclass(frozen=True)
class CaseDetail:
    """A case with its suspects and its devices with their custody chains."""

    case: CaseRow
    suspects: list[SuspectRow]
    devices: list[DeviceRow]


@dataclass(frozen=True)
class SuspectDetail:
    """A suspect, their case and the devices seized from them."""

    suspect: SuspectRow
    case: CaseRow
    devices: list[DeviceRow]


def _district_of_device() -> ColumnElement[Any]:
    """A device counts towards its case's district, or its raid's without a case (as stats)."""
    return func.coalesce(Case.district_id, Raid.district_id)


def _operation_of_device() -> ColumnElement[Any]:
    return func.coalesce(Case.operation_id, Raid.operation_id)


def _with_device_place(query: _Query) -> _Query:
    return query.outerjoin(Case, Device.case_id == Case.id).outerjoin(
        Raid, Device.raid_id == Raid.id
    )


def _group_key() -> ColumnElement[Any]:
    """The identity of a group as :mod:`phunt.analysis.people` merges them: platform and
    platform id, except title-only ids, which stay one group per chat."""
    per_chat = "chat:" + cast(ChatRecord.id, String)
    by_id = ChatRecord.platform + ":" + ChatRecord.platform_id
    return case((ChatRecord.platform_id.like(_TITLE_ONLY), per_chat), else_=by_id)


def dashboard(session: Session, operation: str | int | None = None) -> Dashboard:
    """The dashboard's figures: :func:`operation_stats` plus devices ingested, matched
    files and groups found, by the district of each device."""
    op_id = get_operation(session, operation).id if operation is not None else None
    names: dict[int, str] = {i: n for i, n in session.execute(select(District.id, District.name))}
    rows = {r.district: DashboardFigures(**r.as_dict()) for r in operation_stats(session, op_id)}
    district = _district_of_device()

    # Each job counts its matched files in the transaction that stores their matches
    # (phunt.ingest.store.add_files): summing the jobs reads a row per job, not per match.
    complete = case((IngestJob.status == "complete", IngestJob.device_id))
    jobs = _with_device_place(
        select(
            district,
            func.count(func.distinct(complete)),
            func.coalesce(func.sum(IngestJob.matched_files), 0),
        )
        .select_from(IngestJob)
        .join(Device, Device.id == IngestJob.device_id)
    )
    group_key = _group_key()
    groups = _with_device_place(
        select(district, func.count(func.distinct(group_key)))
        .select_from(ChatRecord)
        .join(Device, Device.id == ChatRecord.device_id)
    ).where(ChatRecord.kind != "private")
    all_groups = groups.with_only_columns(
        func.count(func.distinct(group_key)), maintain_column_froms=True
    ).where(district.is_not(None))
    if op_id is not None:
        jobs = jobs.where(_operation_of_device() == op_id)
        groups = groups.where(_operation_of_device() == op_id)
        all_groups = all_groups.where(_operation_of_device() == op_id)
    for district_id, ingested, matched in session.execute(jobs.group_by(district)):
        if district_id is not None:
            rows[names[district_id]].devices_ingested = ingested
            rows[names[district_id]].matched_files = int(matched)
    for district_id, count in session.execute(groups.group_by(district)):
        if district_id is not None:
            rows[names[district_id]].groups = count
    ordered = sorted(rows.values(), key=lambda r: r.district)
    total = DashboardFigures("Total")
    for row in ordered:
        for key, value in row.as_dict().items():
            if key != "district":
                setattr(total, key, getattr(total, key) + value)
    total.groups = session.scalar(all_groups) or 0
    return Dashboard(op_id, ordered, total)


OPERATION_SORTS = ("id", "name", "created_at", "raids", "cases", "devices")
RAID_SORTS = ("id", "district", "location", "raided_at", "team_lead", "cases", "devices")
CASE_SORTS = ("id", "number", "station", "district", "opened_at", "suspects", "arrests", "devices")
SUSPECT_SORTS = ("id", "name", "arrested_at", "devices")


class Ordering(Protocol):
    """Which page of a listing, sorted how: :class:`Order`, or the web layer's paging,
    which validates the values where the request enters."""

    @property
    def sort(self) -> str: ...
    @property
    def desc(self) -> bool: ...
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...


@dataclass(frozen=True)
class Order:
    sort: str = "id"
    desc: bool = False
    page: int = 1
    per_page: int = 50


def _counted(key: Any, *where: ColumnElement[bool]) -> Any:
    """``key, n`` grouped by ``key``: joined once to a listing instead of a query per row."""
    return select(key.label("key"), func.count().label("n")).where(*where).group_by(key).subquery()


def _n(sub: Any) -> ColumnElement[int]:
    return func.coalesce(sub.c.n, 0)


def _paged(
    session: Session,
    model: type[Any],
    query: _Query,
    where: Sequence[ColumnElement[bool]],
    sorts: _Sorts,
    order: Ordering,
    build: Callable[[Any], T],
) -> Page[T]:
    """One page of ``query`` sorted by a known key; the id breaks ties so pages are stable.

    ``where`` filters ``model`` itself, so the total is counted without the joins."""
    if order.sort not in sorts:
        raise UsageError(f"cannot sort by {order.sort!r} (choose from: {', '.join(sorts)})")
    if order.page < 1 or order.per_page < 1:
        raise UsageError("page and per_page start at 1")
    column, tiebreak = sorts[order.sort], sorts["id"]
    keys = [column.desc(), tiebreak.desc()] if order.desc else [column.asc(), tiebreak.asc()]
    page = (
        query.where(*where)
        .order_by(*keys)
        .offset((order.page - 1) * order.per_page)
        .limit(order.per_page)
    )
    total = select(func.count()).select_from(model).where(*where)
    return Page([build(row) for row in session.execute(page)], session.scalar(total) or 0)


def _one(session: Session, query: _Query, build: Callable[[Any], T], what: str) -> T:
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError(f"no {what}")
    return build(row)


def _scoped(scope: Scope) -> list[ColumnElement[bool]]:
    return [in_scope(Case.id, scope)]


# -- operations -------------------------------------------------------------------------


def _operation_query() -> tuple[_Query, _Sorts]:
    raids, cases = _counted(Raid.operation_id), _counted(Case.operation_id)
    op_of_device = _operation_of_device()
    devices = (
        select(op_of_device.label("key"), func.count().label("n"))
        .select_from(Device)
        .outerjoin(Case, Device.case_id == Case.id)
        .outerjoin(Raid, Device.raid_id == Raid.id)
        .group_by(op_of_device)
        .subquery()
    )
    query = (
        select(Operation, _n(raids), _n(cases), _n(devices))
        .outerjoin(raids, raids.c.key == Operation.id)
        .outerjoin(cases, cases.c.key == Operation.id)
        .outerjoin(devices, devices.c.key == Operation.id)
    )
    sorts = {
        "id": Operation.id,
        "name": Operation.name,
        "created_at": Operation.created_at,
        "raids": _n(raids),
        "cases": _n(cases),
        "devices": _n(devices),
    }
    return query, sorts


def _operation_row(row: Any) -> OperationRow:
    op, raids, cases, devices = row
    return OperationRow(op.id, op.name, op.description, op.created_at, raids, cases, devices)


def list_operations(session: Session, order: Ordering = Order()) -> Page[OperationRow]:
    """Operations with their raid, case and device counts (statewide: every role sees them)."""
    query, sorts = _operation_query()
    return _paged(session, Operation, query, [], sorts, order, _operation_row)


def operation(session: Session, operation_id: int) -> OperationRow:
    query, _ = _operation_query()
    where = query.where(Operation.id == operation_id)
    return _one(session, where, _operation_row, f"operation {operation_id}")


# -- raids ------------------------------------------------------------------------------


def _raid_query() -> tuple[_Query, _Sorts]:
    cases, devices = _counted(Case.raid_id), _counted(Device.raid_id)
    query = (
        select(Raid, Operation.name, District.name, _n(cases), _n(devices))
        .join(Operation, Operation.id == Raid.operation_id)
        .join(District, District.id == Raid.district_id)
        .outerjoin(cases, cases.c.key == Raid.id)
        .outerjoin(devices, devices.c.key == Raid.id)
    )
    sorts = {
        "id": Raid.id,
        "district": District.name,
        "location": Raid.location,
        "raided_at": Raid.raided_at,
        "team_lead": Raid.team_lead,
        "cases": _n(cases),
        "devices": _n(devices),
    }
    return query, sorts


def _raid_row(row: Any) -> RaidRow:
    raid, op_name, district, cases, devices = row
    return RaidRow(
        raid.id,
        raid.operation_id,
        op_name,
        district,
        raid.location,
        raid.raided_at,
        raid.team_lead,
        cases,
        devices,
    )


def list_raids(
    session: Session, *, operation_id: int | None = None, order: Ordering = Order()
) -> Page[RaidRow]:
    """Raids (of one operation) with their case and device counts."""
    query, sorts = _raid_query()
    where = [] if operation_id is None else [Raid.operation_id == operation_id]
    return _paged(session, Raid, query, where, sorts, order, _raid_row)


def raid(session: Session, raid_id: int) -> RaidRow:
    query, _ = _raid_query()
    return _one(session, query.where(Raid.id == raid_id), _raid_row, f"raid {raid_id}")


def raid_detail(session: Session, raid_id: int, scope: Scope) -> RaidDetail:
    """A raid and the cases it led to that the viewer may open."""
    found = raid(session, raid_id)
    cases = list_cases(session, scope=scope, raid_id=raid_id, order=Order(per_page=10_000))
    return RaidDetail(found, cases.rows)


# -- cases ------------------------------------------------------------------------------


def _case_query() -> tuple[_Query, _Sorts]:
    suspects = _counted(Suspect.case_id)
    arrests = _counted(Suspect.case_id, Suspect.arrested_at.is_not(None))
    devices = _counted(Device.case_id)
    query = (
        select(Case, District.name, Operation.name, _n(suspects), _n(arrests), _n(devices))
        .join(District, District.id == Case.district_id)
        .outerjoin(Operation, Operation.id == Case.operation_id)
        .outerjoin(suspects, suspects.c.key == Case.id)
        .outerjoin(arrests, arrests.c.key == Case.id)
        .outerjoin(devices, devices.c.key == Case.id)
    )
    sorts = {
        "id": Case.id,
        "number": Case.number,
        "station": Case.station,
        "district": District.name,
        "opened_at": Case.opened_at,
        "suspects": _n(suspects),
        "arrests": _n(arrests),
        "devices": _n(devices),
    }
    return query, sorts


def _case_row(row: Any) -> CaseRow:
    case_, district, op_name, suspects, arrests, devices = row
    return CaseRow(
        case_.id,
        case_.number,
        case_.station,
        district,
        case_.operation_id,
        op_name,
        case_.raid_id,
        list(case_.statutes),
        case_.opened_at,
        suspects,
        arrests,
        devices,
    )


def list_cases(
    session: Session,
    *,
    scope: Scope,
    operation_id: int | None = None,
    raid_id: int | None = None,
    order: Ordering = Order(),
) -> Page[CaseRow]:
    """Cases in the viewer's scope (of an operation or a raid) with their counts."""
    query, sorts = _case_query()
    where = _scoped(scope)
    if operation_id is not None:
        where.append(Case.operation_id == operation_id)
    if raid_id is not None:
        where.append(Case.raid_id == raid_id)
    return _paged(session, Case, query, where, sorts, order, _case_row)


def case_row(session: Session, case_id: int) -> CaseRow:
    query, _ = _case_query()
    return _one(session, query.where(Case.id == case_id), _case_row, f"case {case_id}")


def case_detail(session: Session, case_id: int) -> CaseDetail:
    """A case with its suspects and arrests, its devices and each device's custody chain.

    The caller checks the viewer's scope with the case id first."""
    row = case_row(session, case_id)
    suspects = list_suspects(session, scope=None, case_id=case_id, order=Order(per_page=10_000))
    return CaseDetail(row, suspects.rows, _devices(session, Device.case_id == case_id))


# -- suspects ---------------------------------------------------------------------------


def _suspect_query() -> tuple[_Query, _Sorts]:
    devices = _counted(Device.suspect_id)
    query = (
        select(Suspect, _n(devices))
        .join(Case, Case.id == Suspect.case_id)
        .outerjoin(devices, devices.c.key == Suspect.id)
    )
    sorts = {
        "id": Suspect.id,
        "name": Suspect.name,
        "arrested_at": Suspect.arrested_at,
        "devices": _n(devices),
    }
    return query, sorts


def _suspect_row(row: Any) -> SuspectRow:
    suspect, devices = row
    return SuspectRow(
        suspect.id,
        suspect.case_id,
        suspect.name,
        list(suspect.aliases),
        list(suspect.phones),
        list(suspect.handles),
        suspect.arrested_at,
        devices,
    )


def list_suspects(
    session: Session, *, scope: Scope, case_id: int | None = None, order: Ordering = Order()
) -> Page[SuspectRow]:
    """Suspects of the cases in the viewer's scope (of one case)."""
    query, sorts = _suspect_query()
    where: list[ColumnElement[bool]] = [in_scope(Suspect.case_id, scope)]
    if case_id is not None:
        where.append(Suspect.case_id == case_id)
    return _paged(session, Suspect, query, where, sorts, order, _suspect_row)


def suspect_detail(session: Session, suspect_id: int) -> SuspectDetail:
    """A suspect, their case and the devices seized from them.

    The caller checks the viewer's scope with ``detail.suspect.case_id``."""
    query, _ = _suspect_query()
    where = query.where(Suspect.id == suspect_id)
    suspect = _one(session, where, _suspect_row, f"suspect {suspect_id}")
    case_ = case_row(session, suspect.case_id)
    return SuspectDetail(suspect, case_, _devices(session, Device.suspect_id == suspect_id))


def suspect_case(session: Session, suspect_id: int) -> int:
    """The case of a suspect, to check a viewer's scope before reading anything else."""
    found = session.scalar(select(Suspect.case_id).where(Suspect.id == suspect_id))
    if found is None:
        raise NotFoundError(f"no suspect {suspect_id}")
    return found


# -- devices of a case or a suspect -----------------------------------------------------


def _devices(session: Session, where: ColumnElement[bool]) -> list[DeviceRow]:
    """Devices with what their completed ingests found and their custody chains: two
    queries however many devices."""
    jobs = (
        select(
            IngestJob.device_id.label("key"),
            func.count().label("n"),
            func.sum(IngestJob.files).label("files"),
            func.sum(IngestJob.matched_files).label("matched"),
        )
        .where(IngestJob.status == "complete")
        .group_by(IngestJob.device_id)
        .subquery()
    )
    query = (
        select(
            Device,
            Suspect.name,
            _n(jobs),
            func.coalesce(jobs.c.files, 0),
            func.coalesce(jobs.c.matched, 0),
        )
        .outerjoin(Suspect, Suspect.id == Device.suspect_id)
        .outerjoin(jobs, jobs.c.key == Device.id)
        .where(where)
        .order_by(Device.evidence_number, Device.id)
    )
    found = session.execute(query).all()
    custody: dict[int, list[CustodyRow]] = defaultdict(list)
    if found:
        events = (
            select(CustodyEvent)
            .where(CustodyEvent.device_id.in_([row[0].id for row in found]))
            .order_by(CustodyEvent.at, CustodyEvent.id)
        )
        for event in session.scalars(events):
            custody[event.device_id].append(
                CustodyRow(event.at, event.action, event.actor, event.note)
            )
    return [
        DeviceRow(
            dev.id,
            dev.evidence_number,
            dev.kind,
            dev.make,
            dev.model,
            dev.serial,
            dev.imei,
            dev.raid_id,
            dev.suspect_id,
            suspect,
            ingests,
            int(files),
            int(matched),
            custody[dev.id],
        )
        for dev, suspect, ingests, files, matched in found
    ]
