"""Operations, districts and raids: how a statewide sweep is organised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import NotFoundError, UsageError
from phunt.schema.cases import District, Operation, Raid


def create_operation(session: Session, name: str, description: str = "") -> Operation:
    """Create an operation; names are unique so the press figures cannot be double counted."""
    name = name.strip()
    if not name:
        raise UsageError("an operation needs a name")
    if session.scalar(select(Operation).where(Operation.name == name)) is not None:
        raise UsageError(f"operation {name!r} already exists")
    op = Operation(name=name, description=description)
    session.add(op)
    session.flush()
    audit.append(session, "operation.create", "operation", op.id, {"name": name})
    return op


def get_operation(session: Session, ref: str | int) -> Operation:
    """Find an operation by id or exact name."""
    op = _by_id_or_name(session, Operation, ref)
    if op is None:
        raise NotFoundError(f"no operation {ref!r}")
    return op


def list_operations(session: Session) -> list[Operation]:
    return list(session.scalars(select(Operation).order_by(Operation.id)))


def list_districts(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.id)))


def get_district(session: Session, ref: str | int) -> District:
    """Find a district by id or name, ignoring case."""
    if isinstance(ref, int) or str(ref).isdigit():
        district = session.get(District, int(ref))
    else:
        query = select(District).where(func.lower(District.name) == str(ref).strip().lower())
        district = session.scalar(query)
    if district is None:
        known = ", ".join(d.name for d in list_districts(session))
        raise NotFoundError(f"no district {ref!r} (known: {known}; add one with 'district add')")
    return district


def add_district(session: Session, name: str, state: str = "Kerala") -> District:
    name = name.strip()
    if not name:
        raise UsageError("a district needs a name")
    taken = select(District).where(func.lower(District.name) == name.lower())
    if session.scalar(taken) is not None:
        raise UsageError(f"district {name!r} already exists")
    district = District(name=name, state=state)
    session.add(district)
    session.flush()
    audit.append(session, "district.add", "district", district.id, {"name": name, "state": state})
    return district


def add_raid(
    session: Session,
    operation: str | int,
    district: str | int,
    location: str,
    raided_at: datetime,
    team_lead: str,
) -> Raid:
    """Record one raid of an operation."""
    op = get_operation(session, operation)
    dist = get_district(session, district)
    if not location.strip():
        raise UsageError("a raid needs a location")
    raid = Raid(
        operation_id=op.id,
        district_id=dist.id,
        location=location.strip(),
        raided_at=raided_at,
        team_lead=team_lead.strip(),
    )
    session.add(raid)
    session.flush()
    details = {
        "operation": op.name,
        "district": dist.name,
        "location": raid.location,
        "raided_at": raided_at.isoformat(),
        "team_lead": raid.team_lead,
    }
    audit.append(session, "raid.add", "raid", raid.id, details)
    return raid


def get_raid(session: Session, raid_id: int) -> Raid:
    raid = session.get(Raid, raid_id)
    if raid is None:
        raise NotFoundError(f"no raid {raid_id}")
    return raid


def list_raids(session: Session, operation: str | int | None = None) -> list[Raid]:
    query = select(Raid).order_by(Raid.id)
    if operation is not None:
        query = query.where(Raid.operation_id == get_operation(session, operation).id)
    return list(session.scalars(query))


def _by_id_or_name(session: Session, model: type[Operation], ref: str | int) -> Operation | None:
    if isinstance(ref, int) or str(ref).isdigit():
        found = session.get(model, int(ref))
        if found is not None:
            return found
    return session.scalar(select(model).where(model.name == str(ref)))
