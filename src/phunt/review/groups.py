"""The review queue's near-duplicate pairs, stored so that a queue of 500k files is grouped
without comparing every picture with every other at its first request.

The rule is the queue's: two pictures whose PDQ are within the PDQ kind's threshold, both
of at least its quality minimum and neither a video (the matching code's exact index), or
two videos that match under vPDQ's rule either way round. Pairs are of the whole database
(files of any two devices), so the queue of a device or of a case reads its own, the pairs
with both files in it, and joins them after its filters as before.

Each device's row in ``review_grouped`` says up to which file its pairs are stored, with
the device's ingest stamp at the time (its jobs' count, newest id and sum of files: an
ingest adds to its job's ``files`` in the transaction that stores them, so the stamp
changes whenever the device's files do). :func:`update` takes the devices whose stamp
changed and compares their newer files with every stored picture or video: an ingest adds
only its own files' pairs. Ingest calls it once its files are stored; the queue calls it
first, so files stored before (by an older version, or by hand in tests) are grouped at
their first queue request, once.

Concurrent updates stay complete: one device is ingested by one process at a time (the
device lock), so its file ids grow in commit order and the watermark skips nothing; of two
devices' files committed at once, each update compares its files with every file committed
when it reads them, so at least the later of the two sees the other's. A pair found twice
is stored once (inserts skip a pair already there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.schema.cases import Device
from phunt.schema.ingest import EvidenceFile, IngestJob
from phunt.schema.review_groups import ReviewGrouped, ReviewNearPair
from phunt.schema.types import utcnow

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 5000


def is_video() -> ColumnElement[bool]:
    """A stored file the queue treats as a video: its detected type, or a vPDQ."""
    return or_(EvidenceFile.mime.like("video/%"), EvidenceFile.vpdq.is_not(None))


def update(session: Session, device_ids: Sequence[int] | None = None) -> int:
    """Store the pairs of the files of ``device_ids`` (default: every device) stored since
    their last update; returns how many pairs those files have (see the module)."""
    if device_ids is None:
        device_ids = list(session.scalars(select(Device.id).order_by(Device.id)))
    stamps = _stamps(session, sorted(set(device_ids)))
    held = {
        row.device_id: (row.last_file_id, row.stamp)
        for row in session.scalars(
            select(ReviewGrouped).where(ReviewGrouped.device_id.in_(list(stamps)))
        )
    }
    stale = {
        d: held[d][0] if d in held else 0 for d, s in stamps.items() if held.get(d, (0, ""))[1] != s
    }
    if not stale:
        return 0
    newest = _newest(session, stale)
    ranges = [
        and_(EvidenceFile.device_id == d, EvidenceFile.id > last, EvidenceFile.id <= newest[d])
        for d, last in stale.items()
        if newest[d] > last
    ]
    found = 0
    if ranges:
        fresh = or_(*ranges)
        found = _store_pairs(session, _picture_pairs(session, fresh) + _video_pairs(session, fresh))
    _insert(
        session,
        ReviewGrouped,
        [
            {"device_id": d, "last_file_id": newest[d], "stamp": stamps[d], "updated_at": utcnow()}
            for d in stale
        ],
        update=("last_file_id", "stamp", "updated_at"),
    )
    return found


def update_after_ingest(session: Session, job_id: int) -> int:
    """:func:`update` for the device of ingest job ``job_id`` (0 when there is no such job)."""
    device_id = session.scalar(select(IngestJob.device_id).where(IngestJob.id == job_id))
    return 0 if device_id is None else update(session, [device_id])


def pairs_of(session: Session, device_ids: Sequence[int]) -> np.ndarray:
    """``(k, 2)`` file ids, smaller first, of the stored pairs whose smaller file is on one
    of ``device_ids`` (the queue keeps those whose both files it holds)."""
    import numpy as np

    query = select(ReviewNearPair.file_a, ReviewNearPair.file_b).where(
        ReviewNearPair.device_a.in_(sorted(device_ids))
    )
    result = session.connection().execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def _stamps(session: Session, device_ids: list[int]) -> dict[int, str]:
    """Each device's ingest stamp: its jobs' count, newest id and sum of files."""
    query = (
        select(IngestJob.device_id, func.count(), func.max(IngestJob.id), func.sum(IngestJob.files))
        .where(IngestJob.device_id.in_(device_ids))
        .group_by(IngestJob.device_id)
    )
    found = {int(d): f"{n}:{top}:{files or 0}" for d, n, top, files in session.execute(query)}
    return {d: found.get(d, "0:0:0") for d in device_ids}


def _newest(session: Session, stale: dict[int, int]) -> dict[int, int]:
    """Each stale device's newest file id (its watermark when it has none newer)."""
    query = (
        select(EvidenceFile.device_id, func.max(EvidenceFile.id))
        .where(EvidenceFile.device_id.in_(list(stale)))
        .group_by(EvidenceFile.device_id)
    )
    found = {int(d): int(top) for d, top in session.execute(query)}
    return {d: max(last, found.get(d, 0)) for d, last in stale.items()}


Pair = tuple[int, int, str, int | None]


def _pictures(session: Session, condition: ColumnElement[bool]) -> list[tuple[Any, ...]]:
    query = select(EvidenceFile.id, EvidenceFile.pdq).where(
        condition,
        EvidenceFile.pdq.is_not(None),
        EvidenceFile.pdq_quality >= pdq_quality_min(),
        ~is_video(),
    )
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _picture_pairs(session: Session, fresh: ColumnElement[bool]) -> list[Pair]:
    """The new pictures' pairs with every stored picture (new ones included)."""
    new = _pictures(session, fresh)
    if not new:
        return []
    # Here, not at the top: an ingest that stored no PDQ (text, documents, --no-pdq) never
    # loads numpy or the index, which the ingest command calls this module after.
    import numpy as np

    from phunt.matching.pdq_index import PdqIndex, hex_to_array

    every = _pictures(session, EvidenceFile.id.is_not(None))
    ids = np.fromiter((r[0] for r in every), dtype=np.int64, count=len(every))
    index = PdqIndex.build(hex_to_array([str(r[1]) for r in every]), ids)
    new_ids = np.fromiter((r[0] for r in new), dtype=np.int64, count=len(new))
    found = index.query(hex_to_array([str(r[1]) for r in new]), pdq_threshold())
    a, b = new_ids[found.query], found.id
    keep = a != b
    low, high = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    distance = found.distance[keep]
    return [
        (x, y, "pdq", d)
        for x, y, d in zip(low.tolist(), high.tolist(), distance.tolist(), strict=True)
    ]


def _video_pairs(session: Session, fresh: ColumnElement[bool]) -> list[Pair]:
    """The new videos' pairs with every stored video, either way round."""
    query = select(EvidenceFile.id, EvidenceFile.vpdq).where(EvidenceFile.vpdq.is_not(None))
    new = {int(i) for i in session.scalars(select(EvidenceFile.id).where(
        fresh, EvidenceFile.vpdq.is_not(None)))}  # fmt: skip
    if not new:
        return []
    from phunt.hashing.vpdq import from_text  # PyAV and numba: only with new videos
    from phunt.matching.vpdq_match import VpdqIndex

    frames = [(int(i), from_text(str(text))) for i, text in session.execute(query)]
    old = [(i, f) for i, f in frames if i not in new]
    found: set[tuple[int, int]] = set()
    every = VpdqIndex.build(frames)
    for i, own in frames:
        if i in new:
            found.update((min(i, o), max(i, o)) for o, _m in every.query(own) if o != i)
    if old:
        fresh_index = VpdqIndex.build([(i, f) for i, f in frames if i in new])
        for i, own in old:
            found.update((min(i, o), max(i, o)) for o, _m in fresh_index.query(own) if o != i)
    return [(a, b, "vpdq", None) for a, b in sorted(found)]


def _store_pairs(session: Session, pairs: list[Pair]) -> int:
    """Insert the pairs not stored yet, each on its smaller file's device; returns how
    many distinct pairs were given."""
    unique = sorted({(a, b): (a, b, kind, d) for a, b, kind, d in pairs}.values())
    if not unique:
        return 0
    firsts = sorted({a for a, _b, _k, _d in unique})
    device_of: dict[int, int] = {}
    for start in range(0, len(firsts), _CHUNK):
        query = select(EvidenceFile.id, EvidenceFile.device_id).where(
            EvidenceFile.id.in_(firsts[start : start + _CHUNK])
        )
        device_of.update((int(f), int(d)) for f, d in session.execute(query))
    rows = [
        {"file_a": a, "file_b": b, "device_a": device_of[a], "kind": kind, "distance": d}
        for a, b, kind, d in unique
    ]
    for start in range(0, len(rows), _CHUNK):
        _insert(session, ReviewNearPair, rows[start : start + _CHUNK])
    return len(rows)


def _insert(
    session: Session, model: Any, rows: list[dict[str, Any]], update: Sequence[str] = ()
) -> None:
    """Insert ``rows``; a row whose key is there already is skipped, or has ``update``'s
    columns overwritten (both databases have ``ON CONFLICT``)."""
    if not rows:
        return
    table: Table = model.__table__
    dialect = session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    keys = [c.name for c in table.primary_key.columns]
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={c: statement.excluded[c] for c in update}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    session.execute(statement, rows)
