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

One call reads the queue's rows (id, size, video or not: one statement), joins them by
the near pairs of their devices (stored as files are ingested, :mod:`phunt.review.groups`;
see :func:`near_pairs`), and reads the details of the page's items in one more statement.
On 500k generated pictures of one device (2,000 groups of 10 near copies), pinned to one
core of a shared 2-core machine, the first request takes 0.9 s of CPU on SQLite and 0.4 s
on PostgreSQL (2-3 s of wall time under a load average of 10; bench/results/review.md);
it used to take 18 s of CPU, working out every pair at the first request of a process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from numba import njit
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from phunt.accounts.access import Viewer
from phunt.errors import NotFoundError, UsageError
from phunt.review import groups
from phunt.schema.cases import Case, Device
from phunt.schema.chats import ChatAttachment
from phunt.schema.ingest import EvidenceFile, FileMatch
from phunt.schema.review import ReviewDecision

Kind = Literal["picture", "video"]
SORTS = ("first", "count", "size")
"""``first``: in the order the files were stored; ``count``: largest groups first;
``size``: largest files first."""


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
    owner = _owner(session, viewer, device_id, case_id)
    rows = _fetch_all(session, _candidates(owner, filters or Filters()))
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    sizes = np.fromiter((r[1] or 0 for r in rows), dtype=np.int64, count=n)
    videos = np.fromiter((bool(r[2]) for r in rows), dtype=bool, count=n)
    pairs = near_pairs(session, owner)
    groups = _Groups.of(ids, sizes, _components(n, *_rows_of(ids, pairs)))
    chosen = groups.ordered(sort)[(page - 1) * per_page : page * per_page]
    items = _items(session, [groups.group(g, videos) for g in chosen])
    return QueuePage(items, groups.count, n, page, per_page)


def _fetch_all(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """All rows as the database driver returns them: plain ints and bools, so SQLAlchemy's
    per-row processing is skipped (it took 3 of 4 seconds for a queue of 500k files)."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


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


def _candidates(owner: ColumnElement[bool], f: Filters) -> Any:
    """The queue's rows, by id: id, size, and whether it is a video."""
    categorised = exists().where(
        FileMatch.file_id == EvidenceFile.id, FileMatch.category_code.is_not(None)
    )
    video = groups.is_video()
    media = or_(EvidenceFile.mime.like("image/%"), video)
    decided = exists().where(  # an examiner's current decision takes a file off the queue
        ReviewDecision.file_id == EvidenceFile.id, ReviewDecision.superseded_by_id.is_(None)
    )
    conditions: list[ColumnElement[bool]] = [
        owner, media, ~EvidenceFile.known_good, ~categorised, ~decided,
    ]  # fmt: skip
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
        select(EvidenceFile.id, EvidenceFile.size, video)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(*conditions)
        .order_by(EvidenceFile.id)
    )


@dataclass(frozen=True)
class _Group:
    """Members of one item (ids ascending), with the one it is shown by."""

    members: list[int]
    shown: int
    kind: Kind


@dataclass(frozen=True)
class _Groups:
    """The queue's rows gathered into items, as arrays (a queue may hold 500k rows)."""

    ids: np.ndarray
    order: np.ndarray  # rows by item, then id
    starts: np.ndarray  # where each item's rows begin in ``order`` (one more: the end)
    shown: np.ndarray  # the row each item is shown by: its largest, then its first
    sizes: np.ndarray

    @classmethod
    def of(cls, ids: np.ndarray, sizes: np.ndarray, labels: np.ndarray) -> _Groups:
        order = np.lexsort((ids, labels))
        ends = np.flatnonzero(np.diff(labels[order])) + 1
        n = len(ids)
        starts = np.concatenate([[0], ends, [n]] if n else [[0]]).astype(np.int64)
        by_size = np.lexsort((ids, -sizes, labels))  # the same runs, largest first
        return cls(ids, order, starts, by_size[starts[:-1]], sizes)

    @property
    def count(self) -> int:
        return int(self.starts.shape[0] - 1)

    def ordered(self, sort: str) -> np.ndarray:
        """Item numbers in the order asked for (ties by the item's first id)."""
        first = self.ids[self.order[self.starts[:-1]]]
        if sort == "count":
            return np.lexsort((first, -np.diff(self.starts)))
        if sort == "size":
            return np.lexsort((first, -self.sizes[self.shown]))
        return np.argsort(first, kind="stable")

    def group(self, item: int, videos: np.ndarray) -> _Group:
        rows = self.order[self.starts[item] : self.starts[item + 1]]
        shown = int(self.shown[item])
        kind: Kind = "video" if videos[shown] else "picture"
        return _Group(self.ids[rows].tolist(), int(self.ids[shown]), kind)


def _rows_of(ids: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The near pairs (file ids) whose both files are in the queue, as rows of ``ids``."""
    if ids.shape[0] == 0 or pairs.shape[0] == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rows = np.searchsorted(ids, pairs).clip(0, ids.shape[0] - 1)
    both = (ids[rows[:, 0]] == pairs[:, 0]) & (ids[rows[:, 1]] == pairs[:, 1])
    return rows[both, 0], rows[both, 1]


def near_pairs(session: Session, owner: ColumnElement[bool]) -> np.ndarray:
    """``(k, 2)`` file ids, smaller first, of near-duplicate pictures and matching videos
    whose smaller file is on the owner's devices (all of them: the queue keeps the pairs
    whose both files it holds, after its filters).

    The pairs are stored (:mod:`phunt.review.groups`); files stored since their device's
    last update are compared with the others first, once.
    """
    devices = list(session.scalars(select(Device.id).where(owner).order_by(Device.id)))
    groups.update(session, devices)
    return groups.pairs_of(session, devices)


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
