"""One set file in use by an engine: its provenance, its disabled entries, its indexes.

Exact lookups go straight to the set file's sorted digest columns (memory-mapped: adding a
set reads its header, nothing else, so start-up does not grow with the list). The PDQ
index and the vPDQ index are built from the set file the first time a picture or a video
is queried, and kept for the life of the engine: building the PDQ tables from the sorted
digests costs about 0.27 s per million hashes, which a scan that matches no picture never
pays. They are not cached on disk: a second file per set would need its own place on each
machine, its own verification and its own invalidation, for a build that is already
cheaper than checking a stored copy is consistent (see :mod:`phunt.matching.pdq_index`).

Disabled entries (numbers fixed when the set is added) become a short sorted array of rows;
every hit on one of them is dropped before it becomes a :class:`Hit`, so disabling an entry
never rewrites the set file.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from phunt.matching.hits import Listed

if TYPE_CHECKING:
    from phunt.hashing.vpdq import VpdqFrame
    from phunt.hashsets.setfile import SetFile
    from phunt.matching.pdq_index import PdqIndex, PdqMatches
    from phunt.matching.vpdq_match import VideoMatch, VpdqIndex

Rows = npt.NDArray[np.int64]

PDQ_KIND = "pdq"
VPDQ_KIND = "vpdq"


def _none() -> Rows:
    return np.empty(0, np.int64)


@dataclass(eq=False)
class SetSegment:
    """A set file added to an engine under a list name, kind and version.

    The segment owns ``set_file`` from now on: :meth:`close` closes it.
    """

    list_name: str
    list_kind: str
    version: int | None
    set_file: SetFile
    disabled: InitVar[Collection[int]] = ()
    disabled_rows: Rows = field(init=False)
    """Rows of the entries numbered in ``disabled`` (numbers this version lacks ignored)."""

    def __post_init__(self, disabled: Collection[int]) -> None:
        find = self.set_file.row_of
        rows = {row for number in disabled if (row := find(int(number))) is not None}
        self.disabled_rows = np.array(sorted(rows), dtype=np.int64)
        self._lock = threading.Lock()
        self._pdq: tuple[PdqIndex, npt.NDArray[np.uint32]] | None = None
        self._videos: VpdqIndex | None = None
        self._video_rule: tuple[int, int] | None = None

    def __len__(self) -> int:
        """Entries that can match: the set's, less the disabled ones."""
        return len(self.set_file) - int(self.disabled_rows.shape[0])

    def listed(self, rows: Rows) -> list[Listed]:
        """Provenance of each of ``rows``: list, version, entry number and category.

        The entry numbers are gathered in one step (each is a page of the set file that
        may not be in memory yet); a set with no categories reads no category column.
        """
        numbers = self.set_file.entry_numbers[rows].tolist()
        sf = self.set_file
        if sf.has_column("category/code"):
            categories = [sf.category(row) for row in rows.tolist()]
        else:
            categories = [None] * len(numbers)
        name, kind, version = self.list_name, self.list_kind, self.version
        return [
            Listed(name, kind, version, number, category)
            for number, category in zip(numbers, categories, strict=True)
        ]

    def enabled(self, rows: Rows) -> npt.NDArray[np.bool_]:
        """Which of ``rows`` are not disabled."""
        off = self.disabled_rows
        if off.shape[0] == 0:
            return np.ones(rows.shape[0], dtype=np.bool_)
        at = np.minimum(np.searchsorted(off, rows), off.shape[0] - 1)  # not np.isin: it
        return np.asarray(off[at] != rows)  # imports numpy.ma, 50 ms at the first lookup

    def exact(self, kind: str, queries: npt.NDArray[np.uint8]) -> tuple[Rows, Rows]:
        """``(position in the batch, row)`` of every enabled match, by position then row."""
        if kind not in self.set_file.kinds or queries.shape[0] == 0:
            return _none(), _none()
        where, rows = self.set_file.lookup(kind, queries)
        where, rows = np.asarray(where, np.int64), np.asarray(rows, np.int64)
        keep = self.enabled(rows)
        where, rows = where[keep], rows[keep]
        order = np.lexsort((rows, where))
        return where[order], rows[order]

    def pdq(
        self, words: npt.NDArray[np.uint64], threshold: int, groups: npt.NDArray[np.int64]
    ) -> tuple[PdqMatches, list[str]]:
        """Enabled entries within ``threshold`` of the queries, best per (group, entry):
        the matches (``id`` is the row) and each matched entry's PDQ hash in hex."""
        from phunt.matching.pdq_index import PdqMatches, array_to_hex

        built = self._pdq_index()
        if built is None:
            return PdqMatches(_none(), _none(), _none(), np.empty(0, np.int16)), []
        index, rows_of = built
        found = index.query(words, threshold, groups=groups)
        rows = rows_of[found.id].astype(np.int64)
        keep = self.enabled(rows)
        listed = array_to_hex(index.words[found.id[keep]])
        return (
            PdqMatches(found.query[keep], found.group[keep], rows[keep], found.distance[keep]),
            listed,
        )

    def _pdq_index(self) -> tuple[PdqIndex, npt.NDArray[np.uint32]] | None:
        if PDQ_KIND not in self.set_file.kinds:
            return None
        with self._lock:
            if self._pdq is None:  # numba loads only when a set in use carries PDQ hashes
                from phunt.matching.pdq_index import PdqIndex

                digests, rows = self.set_file.digests(PDQ_KIND)
                self._pdq = (PdqIndex.build(digests), rows)
            return self._pdq

    def video(
        self, frames: Sequence[VpdqFrame], distance: int, quality: int
    ) -> list[tuple[int, VideoMatch]]:
        """``(row, match)`` of the enabled listed videos ``frames`` match (HMA's rule)."""
        if VPDQ_KIND not in self.set_file.kinds or not frames:
            return []
        found = self._video_index(distance, quality).query(frames)
        if not found:
            return []
        keep = self.enabled(np.array([row for row, _match in found], dtype=np.int64))
        return [item for item, ok in zip(found, keep.tolist(), strict=True) if ok]

    def _video_index(self, distance: int, quality: int) -> VpdqIndex:
        with self._lock:
            if self._videos is None or self._video_rule != (distance, quality):
                from phunt.hashing.vpdq import from_text
                from phunt.matching.vpdq_match import VpdqIndex

                videos = [(row, from_text(text)) for row, text in self.set_file.texts(VPDQ_KIND)]
                self._videos = VpdqIndex.build(videos, distance=distance, quality=quality)
                self._video_rule = (distance, quality)
            return self._videos

    def close(self) -> None:
        """Drop the indexes and close the set file."""
        with self._lock:
            self._pdq = None
            self._videos = None
        self.set_file.close()
