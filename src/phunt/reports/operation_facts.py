"""The operation report's reads beyond the dashboard's: raid locations, matched files
with their categories, and each device's district (as :mod:`phunt.cases.stats` places it:
its case's district, else its raid's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.schema.cases import Case, Device, District, Raid
from phunt.schema.chats import ChatRecord
from phunt.schema.ingest import EvidenceFile, FileMatch
from phunt.schema.review import ReviewDecision


def device_districts(session: Session, operation_id: int) -> dict[int, str]:
    """District name of each device of the operation, by device id."""
    district = func.coalesce(Case.district_id, Raid.district_id)
    query = (
        select(Device.id, District.name)
        .select_from(Device)
        .outerjoin(Case, Device.case_id == Case.id)
        .outerjoin(Raid, Device.raid_id == Raid.id)
        .join(District, District.id == district)
        .where(func.coalesce(Case.operation_id, Raid.operation_id) == operation_id)
    )
    return {device_id: name for device_id, name in session.execute(query)}


def raid_locations(session: Session, operation_id: int) -> dict[str, set[str]]:
    """The distinct places raided per district: a location written twice (spacing or case
    apart) is one place."""
    query = (
        select(District.name, Raid.location)
        .join(District, District.id == Raid.district_id)
        .where(Raid.operation_id == operation_id)
    )
    found: dict[str, set[str]] = defaultdict(set)
    for name, location in session.execute(query):
        found[name].add(" ".join(location.split()).casefold())
    return found


@dataclass(frozen=True)
class MatchedFile:
    """A matched file's device, the categories its lists gave, and the reviewer's."""

    file_id: int
    device_id: int
    list_categories: frozenset[tuple[int, str]]
    review: tuple[int, str] | None


def matched_files(session: Session, device_ids: set[int]) -> list[MatchedFile]:
    """Every file of those devices with at least one match, in file id order."""
    if not device_ids:
        return []
    query = (
        select(
            FileMatch.file_id,
            EvidenceFile.device_id,
            FileMatch.category_code,
            FileMatch.category_scheme,
        )
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .where(EvidenceFile.device_id.in_(sorted(device_ids)))
    )
    devices: dict[int, int] = {}
    categories: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for file_id, device_id, code, scheme in session.execute(query):
        devices[file_id] = device_id
        if code is not None and scheme is not None:
            categories[file_id].add((code, scheme))
    reviews = (
        select(ReviewDecision.file_id, ReviewDecision.category_code, ReviewDecision.category_scheme)
        .join(EvidenceFile, EvidenceFile.id == ReviewDecision.file_id)
        .where(
            EvidenceFile.device_id.in_(sorted(device_ids)),
            ReviewDecision.superseded_by_id.is_(None),
            ReviewDecision.category_code.is_not(None),
        )
    )
    reviewed = {
        f: (c, s) for f, c, s in session.execute(reviews) if f in devices and c is not None and s
    }
    return [
        MatchedFile(f, devices[f], frozenset(categories[f]), reviewed.get(f))
        for f in sorted(devices)
    ]


def chat_devices(session: Session, device_ids: set[int]) -> dict[int, int]:
    """The device of each chat stored from those devices, by chat id."""
    if not device_ids:
        return {}
    query = select(ChatRecord.id, ChatRecord.device_id).where(
        ChatRecord.device_id.in_(sorted(device_ids))
    )
    return {chat_id: device_id for chat_id, device_id in session.execute(query)}
