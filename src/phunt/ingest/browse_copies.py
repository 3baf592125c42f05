"""Where else a stored file's content lies, across devices and cases, in a viewer's
scope: files with the same SHA-256, and near copies of a picture.

Near copies are found with the matching code's exact PDQ index at the PDQ hash kind's
threshold and quality minimum, the ones ingest matches lists with. The index of every
stored picture is built once per database and process and rebuilt when an ingest has
stored files since: rows are only ever added, and an ingest adds to its job's ``files``
in the transaction that stores them, so the jobs' count, newest id and sum of files
change whenever the stored pictures do.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from pydantic.dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import NotFoundError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.matching.pdq_index import PdqIndex, hex_to_array
from phunt.schema.cases import Case, Device
from phunt.schema.ingest import EvidenceFile, IngestJob
from phunt.schema.scope import Scope, in_scope

#: Copies listed on a file's page, each kind; the totals count them all.
COPIES_SHOWN = 200
#: Ids per ``IN`` list, well under SQLite's limit on bound parameters.
_CHUNK = 5000


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


def picture_index(session: Session) -> PdqIndex:
    """The index :func:`near_pictures` searches, for callers that query many hashes at once
    (re-screening a set, propagating to turned copies)."""
    return _picture_index(session)


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
