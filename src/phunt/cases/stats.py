"""The figures a unit reports: raids, cases, arrests and devices per district."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.cases.operations import get_operation
from phunt.schema.cases import Case, Device, District, Raid, Suspect


@dataclass
class DistrictFigures:
    district: str
    raids: int = 0
    cases: int = 0
    arrests: int = 0
    devices: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def operation_stats(session: Session, operation: str | int | None = None) -> list[DistrictFigures]:
    """Per-district figures (every district listed, zeros included), optionally one operation.

    Devices and arrests count towards the district of their case (devices without a case,
    through their raid); arrests count suspects with an arrest time.
    """
    op_id = get_operation(session, operation).id if operation is not None else None
    rows = {d.id: DistrictFigures(d.name) for d in session.scalars(select(District))}

    raid_q = select(Raid.district_id, func.count()).group_by(Raid.district_id)
    case_q = select(Case.district_id, func.count()).group_by(Case.district_id)
    arrest_q = (
        select(Case.district_id, func.count())
        .join(Suspect, Suspect.case_id == Case.id)
        .where(Suspect.arrested_at.is_not(None))
        .group_by(Case.district_id)
    )
    district_of_device = func.coalesce(Case.district_id, Raid.district_id)
    device_q = (
        select(district_of_device, func.count())
        .select_from(Device)
        .outerjoin(Case, Device.case_id == Case.id)
        .outerjoin(Raid, Device.raid_id == Raid.id)
        .group_by(district_of_device)
    )
    if op_id is not None:
        raid_q = raid_q.where(Raid.operation_id == op_id)
        case_q = case_q.where(Case.operation_id == op_id)
        arrest_q = arrest_q.where(Case.operation_id == op_id)
        device_q = device_q.where(func.coalesce(Case.operation_id, Raid.operation_id) == op_id)
    for field, query in (
        ("raids", raid_q),
        ("cases", case_q),
        ("arrests", arrest_q),
        ("devices", device_q),
    ):
        for district_id, count in session.execute(query):
            if district_id is not None:
                setattr(rows[district_id], field, count)
    return sorted(rows.values(), key=lambda r: r.district)


def totals(rows: list[DistrictFigures]) -> DistrictFigures:
    """Sum over districts."""
    total = DistrictFigures("Total")
    for row in rows:
        total.raids += row.raids
        total.cases += row.cases
        total.arrests += row.arrests
        total.devices += row.devices
    return total
