"""Read model of the CASE/UCO export: one device, its custody, its ingests and files.

Files are streamed in job and source order (a phone holds hundreds of thousands); the
rest is small and returned whole. Nothing here is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.exports.store import BATCH, Selection
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Case, CustodyEvent, Device
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob


@dataclass(frozen=True)
class JobMatching:
    """What matching found in one ingest: the lists used and the files they named."""

    sets: tuple[tuple[str, int | None, int], ...]  # (hash set, version, files matched)
    matched_seqs: tuple[int, ...]


@dataclass(frozen=True)
class DeviceFacts:
    device: Device
    case: Case | None
    custody: tuple[CustodyEvent, ...]
    jobs: tuple[IngestJob, ...]
    matching: dict[int, JobMatching]


def device_facts(session: Session, selection: Selection) -> DeviceFacts:
    """The device of a device selection, with its case, custody, jobs and matching."""
    device = session.get(Device, selection.id)
    assert device is not None  # a selection names an existing device
    case = None if device.case_id is None else session.get(Case, device.case_id)
    custody = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.device_id == device.id)
        .order_by(CustodyEvent.at, CustodyEvent.id)
    )
    jobs = tuple(
        session.scalars(
            select(IngestJob).where(IngestJob.device_id == device.id).order_by(IngestJob.id)
        )
    )
    return DeviceFacts(device, case, tuple(custody), jobs, _matching(session, device.id))


def _matching(session: Session, device_id: int) -> dict[int, JobMatching]:
    per_set = (
        select(
            FileMatch.job_id,
            FileMatch.hash_set,
            FileMatch.version,
            func.count(func.distinct(FileMatch.file_id)),
        )
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .where(EvidenceFile.device_id == device_id)
        .group_by(FileMatch.job_id, FileMatch.hash_set, FileMatch.version)
    )
    sets: dict[int, list[tuple[str, int | None, int]]] = {}
    for job_id, name, version, count in session.execute(per_set):
        sets.setdefault(job_id, []).append((name, version, count))
    seqs: dict[int, list[int]] = {}
    matched = (
        select(EvidenceFile.job_id, EvidenceFile.seq)
        .where(EvidenceFile.device_id == device_id)
        .where(select(FileMatch.id).where(FileMatch.file_id == EvidenceFile.id).exists())
        .order_by(EvidenceFile.job_id, EvidenceFile.seq)
    )
    for job_id, seq in session.execute(matched):
        seqs.setdefault(job_id, []).append(seq)
    return {
        job_id: JobMatching(
            tuple(sorted(found, key=lambda s: (s[0], s[1] or 0))), tuple(seqs.get(job_id, ()))
        )
        for job_id, found in sets.items()
    }


@dataclass(frozen=True)
class FileRow:
    """The columns of a stored file that the export writes (no EXIF or other JSON, which
    would be decoded for nothing)."""

    job_id: int
    seq: int
    path: str
    size: int | None
    deleted: bool
    modified: datetime | None
    accessed: datetime | None
    changed: datetime | None
    created: datetime | None
    md5: str | None
    sha1: str | None
    sha256: str | None
    mime: str | None


_FILE_COLUMNS = [getattr(EvidenceFile, name) for name in FileRow.__dataclass_fields__]


def device_files(session: Session, device_id: int) -> Iterator[FileRow]:
    """The device's stored files, in job and source order, a batch at a time."""
    query = (
        select(*_FILE_COLUMNS)
        .where(EvidenceFile.device_id == device_id)
        .order_by(EvidenceFile.job_id, EvidenceFile.seq)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        yield FileRow(*row)


def job_actors(session: Session, job_ids: Iterable[int]) -> dict[int, str]:
    """Who started each ingest, as its audit record says."""
    ids = [str(job_id) for job_id in job_ids]
    if not ids:
        return {}
    query = select(AuditRecord.object_id, AuditRecord.actor).where(
        AuditRecord.action == "ingest.start",
        AuditRecord.object_type == "ingest_job",
        AuditRecord.object_id.in_(ids),
    )
    return {
        int(job_id): actor for job_id, actor in session.execute(query.order_by(AuditRecord.seq))
    }
