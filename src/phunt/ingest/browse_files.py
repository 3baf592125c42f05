"""Read models of one stored file for the web workspace: what it is, every match, and
where else the same content or a near copy of it was found, across devices and cases.

Near copies are found with the matching code's exact PDQ index at the PDQ hash kind's
threshold and quality minimum, the ones ingest matches lists with. The index of every
stored picture is built once per database and process and rebuilt when an ingest has
stored files since: rows are only ever added, and an ingest adds to its job's ``files``
in the transaction that stores them, so the jobs' count, newest id and sum of files
change whenever the stored pictures do.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import numpy as np
from pydantic.dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import NotFoundError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest.browse import NEAR_KINDS, Scope, category_label, in_scope
from phunt.matching.pdq_index import PdqIndex, hex_to_array
from phunt.schema.cases import Case, Device
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from phunt.sources.locator import Locator

#: Copies listed on a file's page, each kind; the totals count them all.
COPIES_SHOWN = 200
#: Ids per ``IN`` list, well under SQLite's limit on bound parameters.
_CHUNK = 5000


@dataclass(frozen=True)
class Match:
    """One match of a file: the list, its version and entry, how it matched and how far."""

    hash_set: str
    list_kind: str | None
    version: int | None
    entry: int
    kind: str
    near: bool
    distance: int
    threshold: int | None
    quality: int | None
    variant: str | None
    category_code: int | None
    category_scheme: str | None
    category: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class FileDetail:
    """A stored file as a defence expert checks it."""

    id: int
    device_id: int
    evidence_number: str
    case_id: int | None
    job_id: int
    source_path: str
    source_kind: str
    path: str
    locator: str | None
    container: list[tuple[str, str]]
    size: int | None
    md5: str | None
    sha1: str | None
    sha256: str | None
    digests: dict[str, Any]
    pdq: str | None
    pdq_quality: int | None
    pdq_mode: str | None
    vpdq: str | None
    video: dict[str, Any]
    mime: str | None
    extension_mismatch: bool
    app: str | None
    exif: dict[str, Any]
    modified: datetime | None
    accessed: datetime | None
    changed: datetime | None
    created: datetime | None
    deleted: bool
    known_good: bool
    error: str | None
    warnings: list[str]
    matches: list[Match]


def file_case(session: Session, file_id: int) -> int | None:
    """The case of a file's device, for the viewer's scope; NotFoundError for no such file."""
    row = session.execute(
        select(Device.case_id)
        .join(EvidenceFile, EvidenceFile.device_id == Device.id)
        .where(EvidenceFile.id == file_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no stored file {file_id}")
    return row[0]


def file_detail(session: Session, file_id: int) -> FileDetail:
    """The file, where it lies in its source, its digests, type, EXIF, times and matches."""
    row = session.execute(
        select(EvidenceFile, Device.evidence_number, Device.case_id, IngestJob)
        .join(Device, Device.id == EvidenceFile.device_id)
        .join(IngestJob, IngestJob.id == EvidenceFile.job_id)
        .where(EvidenceFile.id == file_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no stored file {file_id}")
    f, evidence_number, case_id, job = row
    matches_q = (
        select(FileMatch, HashSet.kind)
        .outerjoin(HashSet, HashSet.name == FileMatch.hash_set)
        .where(FileMatch.file_id == f.id)
        .order_by(FileMatch.distance, FileMatch.hash_set, FileMatch.id)
    )
    matches = [
        Match(
            m.hash_set,
            list_kind,
            m.version,
            m.entry,
            m.kind,
            m.kind in NEAR_KINDS,
            m.distance,
            m.threshold,
            m.quality,
            m.variant,
            m.category_code,
            m.category_scheme,
            category_label(m.category_code, m.category_scheme),
            dict(m.detail),
        )
        for m, list_kind in session.execute(matches_q)
    ]
    return FileDetail(
        f.id,
        f.device_id,
        evidence_number,
        case_id,
        f.job_id,
        job.source_path,
        job.source_kind,
        f.path,
        f.locator,
        _hops(f.locator),
        f.size,
        f.md5,
        f.sha1,
        f.sha256,
        dict(f.digests or {}),
        f.pdq,
        f.pdq_quality,
        f.pdq_mode,
        f.vpdq,
        dict(f.video),
        f.mime,
        f.extension_mismatch,
        f.app,
        dict(f.exif),
        f.modified,
        f.accessed,
        f.changed,
        f.created,
        f.deleted,
        f.known_good,
        f.error,
        list(f.warnings),
        matches,
    )


def _hops(locator: str | None) -> list[tuple[str, str]]:
    """The containers down to the file, as (how it is opened, member key)."""
    if locator is None:
        return []
    try:
        return [(hop.source, hop.key) for hop in Locator.from_json(locator).hops]
    except ValueError:
        return []


@dataclass(frozen=True)
class Copy:
    """The same content, or a near copy, on a device of a case."""

    file_id: int
    path: str
    device_id: int
    evidence_number: str
    case_id: int | None
    case_number: str | None
    station: str | None
    sha256: str | None
    distance: int


@dataclass(frozen=True)
class WhereElse:
    """Where else a file's content was found, in the viewer's cases."""

    same: list[Copy]
    same_total: int
    near: list[Copy]
    near_total: int
    threshold: int


def where_else(session: Session, file_id: int, scope: Scope) -> WhereElse:
    """Other files with the same SHA-256, and pictures within the PDQ threshold of this
    one (not the same content), on devices of the cases in ``scope``, the first
    :data:`COPIES_SHOWN` of each (near ones closest first) with their totals."""
    f = session.get(EvidenceFile, file_id)
    if f is None:
        raise NotFoundError(f"no stored file {file_id}")
    threshold = pdq_threshold()
    visible = in_scope(Device.case_id, scope)
    same: list[Copy] = []
    same_total = 0
    if f.sha256 is not None:
        where = (EvidenceFile.sha256 == f.sha256, EvidenceFile.id != f.id, visible)
        query = _copies().where(*where).order_by(Device.evidence_number, EvidenceFile.id)
        same = [_copy(row, 0) for row in session.execute(query.limit(COPIES_SHOWN))]
        count = select(func.count()).select_from(EvidenceFile).join(Device).where(*where)
        same_total = session.scalar(count) or 0
    near: list[Copy] = []
    usable = f.pdq is not None and (f.pdq_quality or 0) >= pdq_quality_min()
    if usable and f.pdq is not None:
        distances = near_pictures(session, f.pdq, threshold)
        distances.pop(f.id, None)
        ids = sorted(distances)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            where_near = [EvidenceFile.id.in_(chunk), visible]
            if f.sha256 is not None:
                where_near.append(EvidenceFile.sha256 != f.sha256)
            rows = session.execute(_copies().where(*where_near))
            near += [_copy(row, distances[row[0]]) for row in rows]
        near.sort(key=lambda c: (c.distance, c.evidence_number, c.file_id))
    return WhereElse(same, same_total, near[:COPIES_SHOWN], len(near), threshold)


def _copies() -> Any:
    return (
        select(
            EvidenceFile.id,
            EvidenceFile.path,
            Device.id,
            Device.evidence_number,
            Device.case_id,
            Case.number,
            Case.station,
            EvidenceFile.sha256,
        )
        .join(Device, Device.id == EvidenceFile.device_id)
        .outerjoin(Case, Case.id == Device.case_id)
    )


def _copy(row: Any, distance: int) -> Copy:
    file_id, path, device_id, evidence_number, case_id, number, station, sha256 = row
    return Copy(
        file_id, path, device_id, evidence_number, case_id, number, station, sha256, distance
    )


_indexes: dict[str, tuple[tuple[int, int, int], PdqIndex]] = {}
_lock = threading.Lock()


def near_pictures(session: Session, pdq: str, threshold: int) -> dict[int, int]:
    """``{file id: distance}`` of every stored picture within ``threshold`` of ``pdq``
    whose PDQ quality is at least the kind's minimum (any device, any case)."""
    index = _picture_index(session)
    found = index.query(hex_to_array([pdq]), threshold)
    return {int(i): int(d) for i, d in zip(found.id, found.distance, strict=True)}


def _picture_index(session: Session) -> PdqIndex:
    """The PDQ index of every stored picture of the session's database (see the module)."""
    jobs = session.execute(
        select(func.count(), func.max(IngestJob.id), func.sum(IngestJob.files))
    ).one()
    stamp = (int(jobs[0] or 0), int(jobs[1] or 0), int(jobs[2] or 0))
    key = str(session.get_bind().engine.url)
    with _lock:
        held = _indexes.get(key)
        if held is not None and held[0] == stamp:
            return held[1]
        query = select(EvidenceFile.id, EvidenceFile.pdq).where(
            EvidenceFile.pdq.is_not(None), EvidenceFile.pdq_quality >= pdq_quality_min()
        )
        rows = session.execute(query).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        hashes = hex_to_array([str(r[1]) for r in rows]) if rows else np.empty((0, 32), np.uint8)
        index = PdqIndex.build(hashes, ids)
        _indexes[key] = (stamp, index)
        return index
