"""Cases (FIRs) with their statutes, and the suspects named in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.cases.operations import get_district, get_operation, get_raid
from phunt.errors import NotFoundError, UsageError
from phunt.phones import parse_phone
from phunt.schema.cases import Case, Suspect


def open_case(
    session: Session,
    number: str,
    station: str,
    district: str | int,
    statutes: list[str],
    *,
    operation: str | int | None = None,
    raid_id: int | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Open a case; the FIR number is unique within its police station or unit."""
    number, station = number.strip(), station.strip()
    if not number or not station:
        raise UsageError("a case needs a number and a police station or unit")
    exists = select(Case).where(Case.station == station, Case.number == number)
    if session.scalar(exists) is not None:
        raise UsageError(f"case {number!r} already exists at {station!r}")
    dist = get_district(session, district)
    op_id = get_operation(session, operation).id if operation is not None else None
    if raid_id is not None:
        get_raid(session, raid_id)
    clean = [s.strip() for s in statutes if s.strip()]
    case = Case(
        number=number,
        station=station,
        district_id=dist.id,
        operation_id=op_id,
        raid_id=raid_id,
        statutes=clean,
    )
    if opened_at is not None:
        case.opened_at = opened_at
    session.add(case)
    session.flush()
    details = {"number": number, "station": station, "district": dist.name, "statutes": clean}
    audit.append(session, "case.open", "case", case.id, details)
    return case


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def list_cases(session: Session, operation: str | int | None = None) -> list[Case]:
    query = select(Case).order_by(Case.id)
    if operation is not None:
        query = query.where(Case.operation_id == get_operation(session, operation).id)
    return list(session.scalars(query))


def add_suspect(
    session: Session,
    case_id: int,
    name: str,
    *,
    aliases: list[str] | None = None,
    phones: list[str] | None = None,
    handles: list[str] | None = None,
) -> Suspect:
    """Name a suspect in a case; phones are stored in E.164 so they match chat data."""
    case = get_case(session, case_id)
    if not name.strip():
        raise UsageError("a suspect needs a name")
    suspect = Suspect(
        case_id=case.id,
        name=name.strip(),
        aliases=[a.strip() for a in aliases or [] if a.strip()],
        phones=[parse_phone(p) for p in phones or []],
        handles=[h.strip() for h in handles or [] if h.strip()],
    )
    session.add(suspect)
    session.flush()
    details = {
        "case": case.id,
        "name": suspect.name,
        "aliases": suspect.aliases,
        "phones": suspect.phones,
        "handles": suspect.handles,
    }
    audit.append(session, "suspect.add", "suspect", suspect.id, details)
    return suspect


def get_suspect(session: Session, suspect_id: int) -> Suspect:
    suspect = session.get(Suspect, suspect_id)
    if suspect is None:
        raise NotFoundError(f"no suspect {suspect_id}")
    return suspect


def arrest_suspect(session: Session, suspect_id: int, at: datetime) -> Suspect:
    """Record an arrest; arresting twice is refused so figures stay honest."""
    suspect = get_suspect(session, suspect_id)
    if suspect.arrested_at is not None:
        raise UsageError(f"suspect {suspect_id} was already arrested at {suspect.arrested_at}")
    suspect.arrested_at = at
    session.flush()
    audit.append(session, "suspect.arrest", "suspect", suspect.id, {"at": at.isoformat()})
    return suspect


def list_suspects(session: Session, case_id: int | None = None) -> list[Suspect]:
    query = select(Suspect).order_by(Suspect.id)
    if case_id is not None:
        query = query.where(Suspect.case_id == case_id)
    return list(session.scalars(query))
