"""Read models of a device report's facts: the case, the device with its custody and
sources, its matched files with the reviewer's decision, the hash sets behind the matches
and who examined it. Plain frozen dataclasses, so each section hashes as canonical JSON.

Built on the existing read models (``ingest.browse.device_detail``, ``cases``,
``review.decisions.current_rows``); the queries here are the ones they lack, each a
single statement bounded by the device's jobs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.cases.case_files import get_case
from phunt.ingest.browse import DeviceDetail, category_label, job_ids
from phunt.ingest.browse_files import Match, as_match
from phunt.review.decisions import current_rows
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Device, Operation, Suspect
from phunt.schema.hashsets import HashSet, HashSetVersion
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.schema.review import ReviewDecision


@dataclass(frozen=True)
class SuspectFacts:
    name: str
    phones: list[str]
    arrested_at: datetime | None


@dataclass(frozen=True)
class CaseFacts:
    """The case as registered: FIR number, police station, district, statutes."""

    id: int
    number: str
    station: str
    district: str
    state: str
    statutes: list[str]
    opened_at: datetime
    operation: str | None
    suspects: list[SuspectFacts]


@dataclass(frozen=True)
class DecisionFacts:
    category: str | None
    label: str | None
    note: str | None
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class MatchedFile:
    """A matched file as the report lists it; never its content."""

    id: int
    device: str
    source_path: str
    path: str
    size: int | None
    modified: datetime | None
    accessed: datetime | None
    changed: datetime | None
    created: datetime | None
    deleted: bool
    md5: str | None
    sha1: str | None
    sha256: str | None
    matches: list[Match]
    decision: DecisionFacts | None = None


@dataclass(frozen=True)
class HashSetUse:
    """A hash set version that matched files of the report, with what identifies it."""

    name: str
    list_kind: str | None
    source_agency: str
    version: int | None
    imported_at: datetime | None
    imported_by: str | None
    file_name: str | None
    file_sha256: str | None
    set_file_sha256: str | None
    entries: int | None
    category_scheme: str | None
    thresholds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Examiner:
    name: str
    did: list[str]


def case_facts(session: Session, case_id: int) -> CaseFacts:
    """The case with its district, operation and suspects; NotFoundError for none."""
    case = get_case(session, case_id)
    operation = session.get(Operation, case.operation_id) if case.operation_id else None
    suspects = session.scalars(
        select(Suspect).where(Suspect.case_id == case.id).order_by(Suspect.id)
    )
    return CaseFacts(
        case.id,
        case.number,
        case.station,
        case.district.name,
        case.district.state,
        list(case.statutes),
        case.opened_at,
        operation.name if operation else None,
        [SuspectFacts(s.name, list(s.phones), s.arrested_at) for s in suspects],
    )


def case_device_ids(session: Session, case_id: int) -> list[int]:
    """The case's devices in evidence-number order."""
    query = select(Device.id).where(Device.case_id == get_case(session, case_id).id)
    return list(session.scalars(query.order_by(Device.evidence_number, Device.id)))


def matched_files(session: Session, device_id: int) -> list[MatchedFile]:
    """Every matched file of the device in source order, its matches closest first, with
    its current review decision."""
    query = (
        select(FileMatch, HashSet.kind, EvidenceFile, Device.evidence_number, _source_path())
        .join(EvidenceFile, EvidenceFile.id == FileMatch.file_id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .outerjoin(HashSet, HashSet.name == FileMatch.hash_set)
        .where(FileMatch.job_id.in_(job_ids(session, device_id)))
        .order_by(EvidenceFile.job_id, EvidenceFile.seq, FileMatch.distance, FileMatch.id)
    )
    files: dict[int, tuple[EvidenceFile, str, str]] = {}
    matches: dict[int, list[Match]] = defaultdict(list)
    for m, list_kind, f, number, source in session.execute(query):
        files.setdefault(f.id, (f, number, source))
        matches[f.id].append(as_match(m, list_kind))
    decisions = current_rows(session, list(files))
    return [
        MatchedFile(
            id=f.id,
            device=number,
            source_path=source,
            path=f.path,
            size=f.size,
            modified=f.modified,
            accessed=f.accessed,
            changed=f.changed,
            created=f.created,
            deleted=f.deleted,
            md5=f.md5,
            sha1=f.sha1,
            sha256=f.sha256,
            matches=matches[f.id],
            decision=_decision(decisions.get(f.id)),
        )
        for f, number, source in files.values()
    ]


def _decision(row: ReviewDecision | None) -> DecisionFacts | None:
    if row is None:
        return None
    category = category_label(row.category_code, row.category_scheme)
    return DecisionFacts(category, row.label, row.note, row.decided_by, row.decided_at)


def _source_path() -> Any:
    return (
        select(IngestJob.source_path)
        .where(IngestJob.id == EvidenceFile.job_id)
        .correlate(EvidenceFile)
        .scalar_subquery()
    )


def hash_sets_used(session: Session, files: Sequence[MatchedFile]) -> list[HashSetUse]:
    """Each (set, version) named by a match of ``files``, with its list's and set file's
    SHA-256 and the thresholds its near matches were judged by."""
    thresholds: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    for f in files:
        for m in f.matches:
            rule = f"{m.kind} distance ≤ {m.threshold}" if m.near else f"{m.kind} exact"
            thresholds[(m.hash_set, m.version)].add(rule)
    out = []
    for name, version in sorted(thresholds, key=lambda k: (k[0], k[1] or 0)):
        row = session.execute(
            select(HashSet, HashSetVersion)
            .outerjoin(
                HashSetVersion,
                (HashSetVersion.hash_set_id == HashSet.id) & (HashSetVersion.version == version),
            )
            .where(HashSet.name == name)
        ).first()
        hs, v = (row[0], row[1]) if row else (None, None)
        out.append(
            HashSetUse(
                name,
                hs.kind if hs else None,
                hs.source_agency if hs else "",
                version,
                v.imported_at if v else None,
                v.imported_by if v else None,
                v.file_name if v else None,
                v.file_sha256 if v else None,
                v.index_sha256 if v else None,
                v.entries if v else None,
                v.category_scheme if v else None,
                sorted(thresholds[(name, version)]),
            )
        )
    return out


def examiners(
    session: Session, device: DeviceDetail, files: Sequence[MatchedFile]
) -> list[Examiner]:
    """Who ingested the device's sources (the audit chain's actors), who recorded custody
    as ``examined``, and who reviewed its matched files."""
    did: dict[str, set[str]] = defaultdict(set)
    jobs = [str(job.id) for job in device.jobs]
    actors = session.execute(
        select(AuditRecord.actor).where(
            AuditRecord.object_type == "ingest_job",
            AuditRecord.action == "ingest.start",
            AuditRecord.object_id.in_(jobs),
        )
    )
    for (actor,) in actors:
        did[actor].add("ingested the sources")
    for event in device.custody:
        if event.action == "examined":
            did[event.actor].add("examined the device (custody)")
    for f in files:
        if f.decision is not None:
            did[f.decision.decided_by].add("reviewed matched files")
    return [Examiner(name, sorted(what)) for name, what in sorted(did.items())]
