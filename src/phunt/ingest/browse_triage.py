"""A device's triage for the web workspace: its matches by list and category, exact and
near apart, and each near match with its distance, as an examiner decides on them.

Every count is one aggregate over the device's matches, found by its jobs (indexed).
"""

from __future__ import annotations

from pydantic.dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.cases.devices import get_device
from phunt.ingest.browse import NEAR_KINDS, category_label, job_ids
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

#: Near matches listed on a device's page, closest first; the file listing has them all.
NEAR_SHOWN = 50


@dataclass(frozen=True)
class TriageGroup:
    """Matches of a device on one list and category, exact or near."""

    hash_set: str
    list_kind: str | None
    category_code: int | None
    category_scheme: str | None
    category: str | None
    near: bool
    matches: int
    files: int
    min_distance: int
    max_distance: int


@dataclass(frozen=True)
class NearMatch:
    """One near match of a device: the file, the list entry and how far apart."""

    file_id: int
    path: str
    hash_set: str
    version: int | None
    entry: int
    kind: str
    distance: int
    threshold: int | None
    quality: int | None
    category: str | None


@dataclass(frozen=True)
class Triage:
    """What an examiner decides on: how many files, how many matched, on which lists."""

    files: int
    matched_files: int
    exact_files: int
    near_files: int
    groups: list[TriageGroup]
    near: list[NearMatch]
    near_total: int


def triage_summary(session: Session, device_id: int) -> Triage:
    """A device's matches by list and category (exact and near apart), and its near
    matches closest first with their distances (the first :data:`NEAR_SHOWN`)."""
    dev = get_device(session, device_id)
    on_device = FileMatch.job_id.in_(job_ids(session, dev.id))
    is_near = FileMatch.kind.in_(sorted(NEAR_KINDS))
    files = session.scalar(
        select(func.coalesce(func.sum(IngestJob.files), 0)).where(IngestJob.device_id == dev.id)
    )
    distinct = func.count(FileMatch.file_id.distinct())
    matched, exact, near = session.execute(
        select(
            distinct,
            select(distinct).where(on_device, ~is_near).scalar_subquery(),
            select(distinct).where(on_device, is_near).scalar_subquery(),
        ).where(on_device)
    ).one()
    group_cols = (FileMatch.hash_set, FileMatch.category_code, FileMatch.category_scheme, is_near)
    grouped = (
        select(
            *group_cols,
            HashSet.kind,
            func.count(),
            distinct,
            func.min(FileMatch.distance),
            func.max(FileMatch.distance),
        )
        .outerjoin(HashSet, HashSet.name == FileMatch.hash_set)
        .where(on_device)
        .group_by(*group_cols, HashSet.kind)
        .order_by(FileMatch.hash_set, FileMatch.category_scheme, FileMatch.category_code, is_near)
    )
    groups = [
        TriageGroup(
            name, kind, code, scheme, category_label(code, scheme), bool(is_n), n, f, lo, hi
        )
        for name, code, scheme, is_n, kind, n, f, lo, hi in session.execute(grouped)
    ]
    near_q = (
        select(
            FileMatch.file_id,
            EvidenceFile.path,
            FileMatch.hash_set,
            FileMatch.version,
            FileMatch.entry,
            FileMatch.kind,
            FileMatch.distance,
            FileMatch.threshold,
            FileMatch.quality,
            FileMatch.category_code,
            FileMatch.category_scheme,
        )
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .where(on_device, is_near)
        .order_by(FileMatch.distance, FileMatch.file_id, FileMatch.id)
        .limit(NEAR_SHOWN)
    )
    near_rows = [
        NearMatch(*row[:9], category_label(row[9], row[10])) for row in session.execute(near_q)
    ]
    near_total = session.scalar(select(func.count()).where(on_device, is_near)) or 0
    return Triage(int(files or 0), matched, exact, near, groups, near_rows, near_total)
