"""The review queue of a device or a case: its pictures and videos that no list has
categorised, near-duplicates gathered into one item with their count.

A file is in the queue when it is a picture or a video (detected type, or a vPDQ), is not
known-good, and has no match carrying a category on any list. Near-duplicates are joined
by the rule ingest matches lists with: pictures whose PDQ are within the PDQ kind's
threshold, both of at least its quality minimum (the matching code's exact index), and
videos that match under vPDQ's rule (:class:`~phunt.matching.vpdq_match.VpdqIndex`).
Joining is transitive: copies that each resemble the next form one item, so a file
re-encoded at several sizes is looked at once. The item shows its largest member (the
best picture of the group) and names every member.

One call reads the queue's rows once (ids, sizes and hashes only, in one statement),
groups them in memory, and fetches the details of the requested page's items in one more
statement: the figures for a device of 500k files are in ``bench/results/review.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from numba import njit
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from phunt.accounts.access import Viewer
from phunt.errors import NotFoundError, UsageError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.vpdq import from_text
from phunt.matching.pdq_index import PdqIndex, hex_to_array
from phunt.matching.vpdq_match import VpdqIndex
from phunt.schema.cases import Case, Device
from phunt.schema.chats import ChatAttachment
from phunt.schema.ingest import EvidenceFile, FileMatch

Kind = Literal["picture", "video"]
SORTS = ("first", "count", "size")
"""``first``: in the order the files were stored; ``count``: largest groups first;
``size``: largest files first."""

_CHUNK = 5000  # ids per IN list, under SQLite's limit on bound parameters


@dataclass(frozen=True)
class Filters:
    """What the examiner narrows the queue to; every filter is optional.

    ``path`` is a case-blind part of the file's path (its folder or container),
    ``app`` an app tag of :mod:`phunt.sources.apps`, ``camera`` a case-blind part of the
    EXIF make or model, ``since``/``until`` bound the file's modified time, and
    ``flagged_chat`` keeps files attached in a chat where known-bad media was shared.
    """

    kind: Kind | None = None
    min_size: int | None = None
    max_size: int | None = None
    path: str | None = None
    app: str | None = None
    camera: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    flagged_chat: bool = False


@dataclass(frozen=True)
class QueueItem:
    """One thing to look at: a file, or a group of near-duplicates shown by its largest."""

    file_id: int
    kind: Kind
    count: int
    members: tuple[int, ...]
    path: str
    size: int | None
    mime: str | None
    device_id: int
    evidence_number: str
    modified: datetime | None
    app: str | None
    camera: str | None


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue, with the totals of the whole queue."""

    items: list[QueueItem]
    total_items: int
    total_files: int
    page: int
    per_page: int


def review_queue(
    session: Session,
    viewer: Viewer,
    *,
    device_id: int | None = None,
    case_id: int | None = None,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = 50,
    sort: str = "first",
) -> QueuePage:
    """Page ``page`` of the queue of one device or one case in the viewer's scope.

    A device or case the viewer may not see is ``NotFoundError``, as one that does not exist.
    """
    if (device_id is None) == (case_id is None):
        raise UsageError("the review queue is of one device or one case")
    if sort not in SORTS:
        raise UsageError(f"sort by one of {', '.join(SORTS)}, not {sort!r}")
    if page < 1 or not 1 <= per_page <= 500:
        raise UsageError("page from 1, per_page from 1 to 500")
    where = _owner(session, viewer, device_id, case_id)
    rows = session.execute(_candidates(where, filters or Filters())).all()
    groups = _groups(session, rows)
    groups.sort(key=_sort_key(sort))
    shown = groups[(page - 1) * per_page : page * per_page]
    items = _items(session, shown)
    return QueuePage(items, len(groups), len(rows), page, per_page)


def _owner(
    session: Session, viewer: Viewer, device_id: int | None, case_id: int | None
) -> ColumnElement[bool]:
    """The condition on ``Device`` for the queue's owner, once it is known to be visible."""
    if device_id is not None:
        device = session.get(Device, device_id)
        if device is None or not viewer.sees_case(device.case_id):
            raise NotFoundError(f"no device {device_id}")
        return Device.id == device_id
    if not viewer.sees_case(case_id) or session.get(Case, case_id) is None:
        raise NotFoundError(f"no case {case_id}")
    condition: ColumnElement[bool] = Device.case_id == case_id
    return condition


def _is_video() -> ColumnElement[bool]:
    return or_(EvidenceFile.mime.like("video/%"), EvidenceFile.vpdq.is_not(None))


def _candidates(owner: ColumnElement[bool], f: Filters) -> Any:
    """The queue's rows: id, size, video or not, PDQ and its quality."""
    categorised = exists().where(
        FileMatch.file_id == EvidenceFile.id, FileMatch.category_code.is_not(None)
    )
    video = _is_video()
    media = or_(EvidenceFile.mime.like("image/%"), video)
    conditions: list[ColumnElement[bool]] = [owner, media, ~EvidenceFile.known_good, ~categorised]
    if f.kind == "video":
        conditions.append(video)
    elif f.kind == "picture":
        conditions.append(and_(EvidenceFile.mime.like("image/%"), ~video))
    if f.min_size is not None:
        conditions.append(EvidenceFile.size >= f.min_size)
    if f.max_size is not None:
        conditions.append(EvidenceFile.size <= f.max_size)
    if f.path:
        conditions.append(func.lower(EvidenceFile.path).contains(f.path.lower(), autoescape=True))
    if f.app:
        conditions.append(EvidenceFile.app == f.app)
    if f.camera:
        wanted = f.camera.lower()
        make = func.lower(EvidenceFile.exif["make"].as_string())
        model = func.lower(EvidenceFile.exif["model"].as_string())
        conditions.append(
            or_(make.contains(wanted, autoescape=True), model.contains(wanted, autoescape=True))
        )
    if f.since is not None:
        conditions.append(EvidenceFile.modified >= f.since)
    if f.until is not None:
        conditions.append(EvidenceFile.modified <= f.until)
    if f.flagged_chat:
        flagged_chats = select(ChatAttachment.chat_id).where(ChatAttachment.known_bad)
        shared = select(ChatAttachment.file_id).where(
            ChatAttachment.chat_id.in_(flagged_chats), ChatAttachment.file_id.is_not(None)
        )
        conditions.append(EvidenceFile.id.in_(shared))
    return (
        select(
            EvidenceFile.id,
            EvidenceFile.size,
            video,
            EvidenceFile.pdq,
            EvidenceFile.pdq_quality,
        )
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(*conditions)
        .order_by(EvidenceFile.id)
    )


@dataclass
class _Group:
    """Members of one item (ids ascending), with the one it is shown by."""

    members: list[int]
    shown: int
    size: int
    kind: Kind


def _groups(session: Session, rows: Sequence[Any]) -> list[_Group]:
    """Gather the rows into items: near-duplicate pictures, matching videos, the rest alone."""
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    sizes = np.fromiter((r[1] or 0 for r in rows), dtype=np.int64, count=n)
    videos = np.fromiter((bool(r[2]) for r in rows), dtype=bool, count=n)
    left, right = _picture_pairs(rows, videos)
    v_left, v_right = _video_pairs(session, ids, videos)
    labels = _components(n, np.concatenate([left, v_left]), np.concatenate([right, v_right]))
    order = np.lexsort((ids, labels))  # by group, then id: members ascending
    groups: list[_Group] = []
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for part in np.split(order, bounds) if n else []:
        best = part[np.lexsort((ids[part], -sizes[part]))[0]]  # largest, then first
        kind: Kind = "video" if videos[best] else "picture"
        groups.append(_Group(ids[part].tolist(), int(ids[best]), int(sizes[best]), kind))
    return groups


@njit(cache=True, nogil=True)
def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The connected component of each of ``n`` rows joined by the pairs ``(a[k], b[k])``,
    named by its smallest row (union-find with path halving)."""
    parent = np.arange(n)
    for k in range(a.shape[0]):
        x, y = a[k], b[k]
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        if x < y:
            parent[y] = x
        elif y < x:
            parent[x] = y
    for i in range(n):
        parent[i] = parent[parent[i]]
    return parent


def _picture_pairs(rows: Sequence[Any], videos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs of pictures within the PDQ threshold (usable hashes only)."""
    quality = pdq_quality_min()
    usable = [
        i
        for i, r in enumerate(rows)
        if r[3] is not None and (r[4] or 0) >= quality and not videos[i]
    ]
    if len(usable) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    hashes = hex_to_array([str(rows[i][3]) for i in usable])
    rows_of = np.asarray(usable, dtype=np.int64)
    found = PdqIndex.build(hashes).query(hashes, pdq_threshold())
    return rows_of[found.query], rows_of[found.id]


def _video_pairs(
    session: Session, ids: np.ndarray, videos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs of videos that match under vPDQ's rule (either way round)."""
    video_rows = np.flatnonzero(videos)
    if video_rows.shape[0] < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    row_of = {int(ids[r]): int(r) for r in video_rows}
    frames: list[tuple[int, list[Any]]] = []
    wanted = sorted(row_of)
    for start in range(0, len(wanted), _CHUNK):
        query = select(EvidenceFile.id, EvidenceFile.vpdq).where(
            EvidenceFile.id.in_(wanted[start : start + _CHUNK]), EvidenceFile.vpdq.is_not(None)
        )
        frames += [(int(i), from_text(str(text))) for i, text in session.execute(query)]
    index = VpdqIndex.build(frames)
    left: list[int] = []
    right: list[int] = []
    for file_id, own in frames:
        for other, _match in index.query(own):
            left.append(row_of[file_id])
            right.append(row_of[other])
    return np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)


def _sort_key(sort: str) -> Any:
    if sort == "count":
        return lambda g: (-len(g.members), g.members[0])
    if sort == "size":
        return lambda g: (-g.size, g.members[0])
    return lambda g: g.members[0]


def _items(session: Session, groups: list[_Group]) -> list[QueueItem]:
    """The page's items, their shown files' details read in one statement."""
    if not groups:
        return []
    query = (
        select(
            EvidenceFile.id,
            EvidenceFile.path,
            EvidenceFile.size,
            EvidenceFile.mime,
            EvidenceFile.device_id,
            Device.evidence_number,
            EvidenceFile.modified,
            EvidenceFile.app,
            EvidenceFile.exif,
        )
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(EvidenceFile.id.in_([g.shown for g in groups]))
    )
    details = {row[0]: row for row in session.execute(query)}
    items = []
    for g in groups:
        _id, path, size, mime, device_id, number, modified, app, exif = details[g.shown]
        camera = " ".join(str(exif[k]) for k in ("make", "model") if exif and exif.get(k))
        items.append(
            QueueItem(
                g.shown,
                g.kind,
                len(g.members),
                tuple(g.members),
                path,
                size,
                mime,
                device_id,
                number,
                modified,
                app,
                camera or None,
            )
        )
    return items
