"""Read models of a device's ingest for the web workspace: the device with its custody and
jobs, the triage summary, the file listing. A file's own page is in
:mod:`phunt.ingest.browse_files`.

Every query here is bounded by indexed columns (a device's jobs, a page of its files) and
fetches its rows in one statement, never one query per row: a seized disk of 100,000
files lists a page in one query and counts it in another.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import field
from datetime import datetime
from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import ColumnElement, Select, String, Text, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from phunt.cases.case_files import get_case
from phunt.cases.devices import custody_history, get_device
from phunt.hashsets.categories import Category, label
from phunt.matching.segment import PDQ_KIND, VPDQ_KIND
from phunt.schema.cases import Case, Device, Raid, Suspect
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

#: Match kinds that compare pictures or videos by distance; the others are digests.
NEAR_KINDS = frozenset({PDQ_KIND, VPDQ_KIND})
#: Problem files shown on a device's page; the file listing has them all.
PROBLEMS_SHOWN = 200
#: Near matches listed on a device's page, closest first; the file listing has them all.
NEAR_SHOWN = 500

Scope = Collection[int] | None
"""The case ids a viewer may read; None for a viewer who sees everything, including
devices with no case."""


def in_scope(case_column: Any, scope: Scope) -> ColumnElement[bool]:
    """The condition that keeps rows of the viewer's cases (a null case only for all)."""
    if scope is None:
        return true()
    condition: ColumnElement[bool] = case_column.in_(sorted(scope))
    return condition


def category_label(code: int | None, scheme: str | None) -> str | None:
    """What a stored category means, or None for an entry without one."""
    if code is None or scheme is None:
        return None
    return label(Category(code, scheme))


@dataclass(frozen=True)
class DeviceRow:
    """One device of a listing, with its ingest totals."""

    id: int
    evidence_number: str
    kind: str
    make: str
    model: str
    case_id: int | None
    case_number: str | None
    station: str | None
    suspect: str | None
    jobs: int
    files: int
    matched_files: int


DEVICE_SORTS = ("evidence_number", "kind", "case", "files", "matched_files")


def list_devices(
    session: Session,
    scope: Scope,
    *,
    case_id: int | None = None,
    sort: str = "evidence_number",
    desc: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeviceRow], int]:
    """A page of the devices the viewer may read (optionally of one case: NotFoundError
    for no such case), and how many there are; the totals are the sums of the devices'
    jobs."""
    totals = (
        select(
            IngestJob.device_id,
            func.count().label("jobs"),
            func.sum(IngestJob.files).label("files"),
            func.sum(IngestJob.matched_files).label("matched"),
        )
        .group_by(IngestJob.device_id)
        .subquery()
    )
    where = [in_scope(Device.case_id, scope)]
    if case_id is not None:
        where.append(Device.case_id == get_case(session, case_id).id)
    files, matched = func.coalesce(totals.c.files, 0), func.coalesce(totals.c.matched, 0)
    keys: dict[str, Any] = {
        "evidence_number": Device.evidence_number,
        "kind": Device.kind,
        "case": Case.number,
        "files": files,
        "matched_files": matched,
    }
    order = keys.get(sort, Device.evidence_number)
    query = (
        select(
            Device.id,
            Device.evidence_number,
            Device.kind,
            Device.make,
            Device.model,
            Device.case_id,
            Case.number,
            Case.station,
            Suspect.name,
            func.coalesce(totals.c.jobs, 0),
            files,
            matched,
        )
        .outerjoin(Case, Case.id == Device.case_id)
        .outerjoin(Suspect, Suspect.id == Device.suspect_id)
        .outerjoin(totals, totals.c.device_id == Device.id)
        .where(*where)
        .order_by(order.desc() if desc else order.asc(), Device.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [DeviceRow(*row) for row in session.execute(query)]
    total = session.scalar(select(func.count()).select_from(Device).where(*where)) or 0
    return rows, total


@dataclass(frozen=True)
class Custody:
    """One event of a device's chain of custody."""

    at: datetime
    action: str
    actor: str
    note: str


@dataclass(frozen=True)
class Job:
    """One ingest of a source onto the device, with what a defence expert checks: the
    source's and segments' SHA-256, the acquisition hashes and whether they verified."""

    id: int
    source_path: str
    source_kind: str
    source_sha256: str | None
    source_size: int | None
    segments: dict[str, str]
    manifest_sha256: str | None
    verification: dict[str, Any]
    status: str
    started_at: datetime
    finished_at: datetime | None
    files: int
    bytes: int
    errors: int
    matched_files: int
    #: True when the image's acquisition hashes checked out, False when they did not,
    #: None for a source that carries none (a folder, an archive).
    verified: bool | None


@dataclass(frozen=True)
class Problem:
    """A file that could not be read, or was read with a warning, and why."""

    file_id: int
    job_id: int
    path: str
    error: str | None
    warnings: list[str]
    #: Whether the reason is bad sectors of a disk image (its digests are of zeros).
    damaged: bool


def _problem(row: Any) -> Problem:
    file_id, job_id, path, error, warnings = row
    damaged = any("bad sectors" in text for text in (error or "", *warnings))
    return Problem(file_id, job_id, path, error, list(warnings), damaged)


@dataclass(frozen=True)
class DeviceDetail:
    """Everything a device's page shows but the triage: who, where, custody, ingests."""

    id: int
    evidence_number: str
    kind: str
    make: str
    model: str
    serial: str
    imei: str
    created_at: datetime
    case_id: int | None
    case_number: str | None
    station: str | None
    raid_id: int | None
    raid_location: str | None
    raided_at: datetime | None
    suspect_id: int | None
    suspect: str | None
    custody: list[Custody]
    jobs: list[Job]
    problems: list[Problem]
    problem_files: int
    damaged: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class DeviceRef:
    """A device's name and case: what a page checks the viewer's scope against."""

    id: int
    evidence_number: str
    case_id: int | None


def device_ref(session: Session, device_id: int) -> DeviceRef:
    """The device's name and case; NotFoundError for no such device."""
    dev = get_device(session, device_id)
    return DeviceRef(dev.id, dev.evidence_number, dev.case_id)


def device_detail(session: Session, device_id: int) -> DeviceDetail:
    """The device, its case, raid and suspect, custody chain, ingest jobs and problem files
    (the first :data:`PROBLEMS_SHOWN`, with the count, and every damaged one)."""
    dev = get_device(session, device_id)
    case = session.get(Case, dev.case_id) if dev.case_id is not None else None
    raid = session.get(Raid, dev.raid_id) if dev.raid_id is not None else None
    suspect = session.get(Suspect, dev.suspect_id) if dev.suspect_id is not None else None
    custody = [Custody(e.at, e.action, e.actor, e.note) for e in custody_history(session, dev.id)]
    jobs = [_job(job) for job in session.scalars(_jobs_of(dev.id).order_by(IngestJob.id))]
    problem = _problem_condition()
    of_device = EvidenceFile.job_id.in_([job.id for job in jobs])
    problems_q = _problem_query().where(of_device, problem)
    problems = [_problem(row) for row in session.execute(problems_q.limit(PROBLEMS_SHOWN))]
    count_q = select(func.count()).where(of_device, problem)
    damaged_jobs = [
        job.id for job in jobs if (job.verification.get("ewf") or {}).get("damaged_files")
    ]
    damaged: list[Problem] = []
    if damaged_jobs:
        rows = session.execute(
            _problem_query().where(EvidenceFile.job_id.in_(damaged_jobs), problem)
        )
        damaged = [p for p in map(_problem, rows) if p.damaged]
    return DeviceDetail(
        dev.id,
        dev.evidence_number,
        dev.kind,
        dev.make,
        dev.model,
        dev.serial,
        dev.imei,
        dev.created_at,
        dev.case_id,
        case.number if case else None,
        case.station if case else None,
        dev.raid_id,
        raid.location if raid else None,
        raid.raided_at if raid else None,
        dev.suspect_id,
        suspect.name if suspect else None,
        custody,
        jobs,
        problems,
        session.scalar(count_q) or 0,
        damaged,
    )


def job_ids(session: Session, device_id: int) -> list[int]:
    """The ids of a device's ingest jobs: a device's files and matches are found by them
    (indexed), never by scanning the table for its device."""
    return list(session.scalars(select(IngestJob.id).where(IngestJob.device_id == device_id)))


def _jobs_of(device_id: int) -> Select[IngestJob]:
    return select(IngestJob).where(IngestJob.device_id == device_id)


def _job(job: IngestJob) -> Job:
    segments = dict(job.options.get("segments") or {})
    ewf = job.verification.get("ewf")
    verified = None if not ewf else ewf.get("ok") is True
    return Job(
        job.id,
        job.source_path,
        job.source_kind,
        job.source_sha256,
        job.source_size,
        segments,
        job.manifest_sha256,
        dict(job.verification),
        job.status,
        job.started_at,
        job.finished_at,
        job.files,
        job.bytes,
        job.errors,
        job.matched_files,
        verified,
    )


def _problem_condition() -> ColumnElement[bool]:
    """A file with an error or a warning (warnings are a JSON list, ``[]`` when none)."""
    warned = cast(EvidenceFile.warnings, Text) != "[]"
    return or_(EvidenceFile.error.is_not(None), warned)


def _problem_query() -> Select[int, int, str, str | None, list[str]]:
    return select(
        EvidenceFile.id,
        EvidenceFile.job_id,
        EvidenceFile.path,
        EvidenceFile.error,
        EvidenceFile.warnings,
    ).order_by(EvidenceFile.job_id, EvidenceFile.seq)


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


@dataclass(frozen=True)
class FileRow:
    """One file of a device's listing, with its matches counted."""

    id: int
    path: str
    size: int | None
    mime: str | None
    modified: datetime | None
    sha256: str | None
    deleted: bool
    error: str | None
    matches: int
    min_distance: int | None


FILE_SORTS = ("seq", "path", "size", "mime", "modified", "matches")


@dataclass(frozen=True)
class FileFilter:
    """What a file listing keeps: matched files only, a type (``image`` or
    ``image/png``), a piece of the path (any case), files with problems only."""

    matched: bool = False
    mime: str = ""
    path: str = ""
    problems: bool = False


def device_files(
    session: Session,
    device_id: int,
    filters: FileFilter | None = None,
    *,
    sort: str = "seq",
    desc: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[FileRow], int]:
    """A page of a device's files, filtered and sorted, and how many match the filters."""
    dev = get_device(session, device_id)
    jobs = job_ids(session, dev.id)
    counted = (
        select(
            FileMatch.file_id,
            func.count().label("n"),
            func.min(FileMatch.distance).label("closest"),
        )
        .where(FileMatch.job_id.in_(jobs))
        .group_by(FileMatch.file_id)
        .subquery()
    )
    where = _file_conditions(filters or FileFilter(), jobs)
    matches = func.coalesce(counted.c.n, 0)
    keys: dict[str, Sequence[Any]] = {
        "seq": (EvidenceFile.job_id, EvidenceFile.seq),
        "path": (EvidenceFile.path,),
        "size": (EvidenceFile.size,),
        "mime": (EvidenceFile.mime,),
        "modified": (EvidenceFile.modified,),
        "matches": (matches,),
    }
    order = [key.desc() if desc else key.asc() for key in keys.get(sort, keys["seq"])]
    if sort == "matches":
        order.append(counted.c.closest.asc())  # the closest match first, either way
    query = (
        select(
            EvidenceFile.id,
            EvidenceFile.path,
            EvidenceFile.size,
            EvidenceFile.mime,
            EvidenceFile.modified,
            EvidenceFile.sha256,
            EvidenceFile.deleted,
            EvidenceFile.error,
            matches,
            counted.c.closest,
        )
        .outerjoin(counted, counted.c.file_id == EvidenceFile.id)
        .where(*where)
        .order_by(*order, EvidenceFile.id)
        .offset(offset)
        .limit(limit)
    )
    rows = [FileRow(*row) for row in session.execute(query)]
    total = session.scalar(select(func.count()).select_from(EvidenceFile).where(*where)) or 0
    return rows, total


def _file_conditions(filters: FileFilter, jobs: list[int]) -> list[ColumnElement[bool]]:
    # By job, not device: PostgreSQL then walks the (job, seq) index in source order
    # within the device's jobs instead of the whole table's.
    where: list[ColumnElement[bool]] = [EvidenceFile.job_id.in_(jobs)]
    if filters.matched:
        where.append(
            EvidenceFile.id.in_(select(FileMatch.file_id).where(FileMatch.job_id.in_(jobs)))
        )
    mime = filters.mime.strip().lower()
    if "/" in mime:
        where.append(EvidenceFile.mime == mime)
    elif mime:
        where.append(EvidenceFile.mime.startswith(f"{mime}/", autoescape=True))
    if filters.path:
        text = filters.path.lower()
        where.append(func.lower(EvidenceFile.path).contains(text, autoescape=True))
    if filters.problems:
        where.append(_problem_condition())
    return where


def file_types(session: Session, device_id: int) -> list[tuple[str, int]]:
    """The MIME types of a device's files with their counts, most frequent first (the
    choices of the listing's type filter)."""
    mime = func.coalesce(EvidenceFile.mime, literal("", String))
    query = (
        select(mime, func.count())
        .where(EvidenceFile.job_id.in_(job_ids(session, get_device(session, device_id).id)))
        .group_by(mime)
        .order_by(func.count().desc(), mime)
    )
    return [(name, n) for name, n in session.execute(query) if name]
