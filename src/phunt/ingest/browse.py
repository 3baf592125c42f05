"""Read models of a device's ingest for the web workspace: the devices a viewer may read,
and one device with its custody, its ingest jobs and the files it could not read. Its
triage is in :mod:`phunt.ingest.browse_triage`, its files in
:mod:`phunt.ingest.browse_files`, and where else a file's content lies in
:mod:`phunt.ingest.browse_copies`.

Every query here is bounded by indexed columns (a device's jobs, a page of its files) and
fetches its rows in one statement, never one query per row: a seized disk of 100,000
files lists a page in one query and counts it in another.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from phunt.cases.case_files import get_case
from phunt.cases.devices import custody_history, get_device
from phunt.hashsets.categories import Category, label
from phunt.matching.segment import PDQ_KIND, VPDQ_KIND
from phunt.schema.cases import Case, Device, Raid, Suspect
from phunt.schema.ingest import EvidenceFile, IngestJob
from phunt.schema.scope import Scope, in_scope

#: Match kinds that compare pictures or videos by distance; the others are digests.
NEAR_KINDS = frozenset({PDQ_KIND, VPDQ_KIND})
#: Problem files shown on a device's page; the file listing has them all.
PROBLEMS_SHOWN = 200


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
    problem = problem_condition()
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


def problem_condition() -> ColumnElement[bool]:
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
