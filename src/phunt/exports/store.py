"""Read model of the exports: matches, categorised files and the inputs they came from.

Every query of the VICS and CSV exports is here, filtered by a viewer's scope, so the
services above build no SQL. Rows come back as plain frozen dataclasses, in a fixed order
(device, job, sequence, row id), which is what makes an export byte-identical from the
same database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from phunt.cases.devices import get_device
from phunt.errors import NotFoundError
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Case, Device
from phunt.schema.hashsets import HashSet, HashSetVersion
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.schema.review import ReviewDecision
from phunt.schema.scope import Scope, in_scope

#: Rows fetched per round trip when a listing is streamed.
BATCH = 1000


@dataclass(frozen=True)
class Selection:
    """What an export covers: one case's devices, or one device."""

    kind: str  # "case" or "device"
    id: int
    label: str  # the case's number and station, or the device's evidence number
    case_id: int | None
    device_ids: tuple[int, ...]


@dataclass(frozen=True)
class Decision:
    """A file's current review decision."""

    id: int
    code: int | None
    scheme: str | None
    label: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class MatchRow:
    """One match with its file, its device and the file's current decision."""

    device: str
    job: int
    seq: int
    file_id: int
    path: str
    size: int | None
    modified: datetime | None
    md5: str | None
    sha1: str | None
    sha256: str | None
    hash_set: str
    version: int | None
    entry: int
    kind: str
    distance: int
    threshold: int | None
    quality: int | None
    variant: str | None
    category_code: int | None
    category_scheme: str | None
    decision: Decision | None


@dataclass
class CategorisedFile:
    """A stored file with a category from a list or from review."""

    file: EvidenceFile
    device: str
    matches: list[FileMatch] = field(default_factory=list)
    decision: Decision | None = None


def case_selection(session: Session, case_id: int, scope: Scope = None) -> Selection:
    """The case and its devices; an unknown case and one outside ``scope`` look alike."""
    case = session.scalar(select(Case).where(Case.id == case_id, in_scope(Case.id, scope)))
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    ids = session.scalars(select(Device.id).where(Device.case_id == case.id).order_by(Device.id))
    return Selection("case", case.id, f"{case.number} ({case.station})", case.id, tuple(ids))


def device_selection(session: Session, ref: int | str, scope: Scope = None) -> Selection:
    """One device by id or evidence number, within ``scope``."""
    device = get_device(session, ref)
    seen = select(Device.id).where(Device.id == device.id, in_scope(Device.case_id, scope))
    if session.scalar(seen) is None:
        raise NotFoundError(f"no device {ref!r}")
    return Selection("device", device.id, device.evidence_number, device.case_id, (device.id,))


def case_row(session: Session, case_id: int | None) -> Case | None:
    return None if case_id is None else session.get(Case, case_id)


def _current_decision() -> object:
    return and_(
        ReviewDecision.file_id == EvidenceFile.id, ReviewDecision.superseded_by_id.is_(None)
    )


def _decision(row: ReviewDecision | None) -> Decision | None:
    if row is None:
        return None
    return Decision(
        row.id, row.category_code, row.category_scheme, row.label, row.decided_by, row.decided_at
    )


def match_rows(session: Session, selection: Selection) -> Iterator[MatchRow]:
    """Every match on the selection's files, in device, job and source order."""
    query = (
        select(FileMatch, EvidenceFile, Device.evidence_number, ReviewDecision)
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .outerjoin(ReviewDecision, _current_decision())  # type: ignore[arg-type]
        .where(Device.id.in_(selection.device_ids))
        .order_by(Device.id, EvidenceFile.job_id, EvidenceFile.seq, FileMatch.id)
        .execution_options(yield_per=BATCH)
    )
    for match, file, device, decision in session.execute(query):
        yield MatchRow(
            device, file.job_id, file.seq, file.id, file.path, file.size, file.modified,
            file.md5, file.sha1, file.sha256, match.hash_set, match.version, match.entry,
            match.kind, match.distance, match.threshold, match.quality, match.variant,
            match.category_code, match.category_scheme, _decision(decision),
        )  # fmt: skip


def categorised_files(session: Session, selection: Selection) -> list[CategorisedFile]:
    """The selection's files that a list or a reviewer categorised, by file id."""
    found: dict[int, CategorisedFile] = {}
    matched = (
        select(EvidenceFile, FileMatch, Device.evidence_number)
        .join(FileMatch, FileMatch.file_id == EvidenceFile.id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(Device.id.in_(selection.device_ids), FileMatch.category_code.is_not(None))
        .order_by(EvidenceFile.id, FileMatch.id)
    )
    for file, match, device in session.execute(matched):
        found.setdefault(file.id, CategorisedFile(file, device)).matches.append(match)
    reviewed = (
        select(EvidenceFile, ReviewDecision, Device.evidence_number)
        .join(ReviewDecision, _current_decision())  # type: ignore[arg-type]
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(Device.id.in_(selection.device_ids), ReviewDecision.category_code.is_not(None))
        .order_by(EvidenceFile.id, ReviewDecision.id)
    )
    for file, decision, device in session.execute(reviewed):
        found.setdefault(file.id, CategorisedFile(file, device)).decision = _decision(decision)
    return [found[key] for key in sorted(found)]


def input_hashes(session: Session, selection: Selection) -> dict[str, str]:
    """What the export was made from, by hash: each finished ingest's manifest SHA-256
    and each hash-set version matched against, named ``job:N`` and ``hashset:NAME:vN``."""
    out: dict[str, str] = {}
    jobs = select(IngestJob.id, IngestJob.manifest_sha256).where(
        IngestJob.device_id.in_(selection.device_ids), IngestJob.manifest_sha256.is_not(None)
    )
    for job_id, manifest in session.execute(jobs.order_by(IngestJob.id)):
        out[f"job:{job_id}"] = str(manifest)
    used = (
        select(FileMatch.hash_set, FileMatch.version)
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .where(EvidenceFile.device_id.in_(selection.device_ids))
        .distinct()
    )
    out.update(set_version_hashes(session, session.execute(used)))
    return out


def set_version_hashes(session: Session, pairs: Iterable[tuple[str, int | None]]) -> dict[str, str]:
    """``hashset:NAME:vN`` -> the SHA-256 of the list file imported as that version."""
    wanted = {(name, version) for name, version in pairs if version is not None}
    if not wanted:
        return {}
    query = (
        select(HashSet.name, HashSetVersion.version, HashSetVersion.file_sha256)
        .join(HashSet, HashSet.id == HashSetVersion.hash_set_id)
        .where(HashSet.name.in_(sorted({name for name, _ in wanted})))
    )
    rows = session.execute(query)
    found = {f"hashset:{n}:v{v}": sha for n, v, sha in rows if (n, v) in wanted}
    return dict(sorted(found.items()))


def export_writes(
    session: Session, action: str, object_type: str, object_id: int
) -> list[tuple[int, dict[str, Any]]]:
    """(record number, details) of every audit record of writing an export of that
    object, oldest first."""
    query = select(AuditRecord.seq, AuditRecord.details).where(
        AuditRecord.action == action,
        AuditRecord.object_type == object_type,
        AuditRecord.object_id == str(object_id),
    )
    return [(seq, details) for seq, details in session.execute(query.order_by(AuditRecord.seq))]
