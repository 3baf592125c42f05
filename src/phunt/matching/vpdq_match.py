"""vPDQ video matching: how much of two videos match, and where in the seized one.

The rule is python-threatexchange's (what Meta's HMA runs; ``vpdq_brute_matcher.py``):
both frame lists are reduced to distinct hashes of at least the PDQ kind's quality minimum
(50); a frame matches when any frame of the other video is within the PDQ kind's threshold
(31 bits, inclusive; both read from :mod:`phunt.hashing.kinds.pdq`); the query matches when at least
80 % of its frames match and at least 0 % of the indexed video's do. Meta's C++
``matchTwoHashBrute`` uses a strict ``< 31`` and the vPDQ README puts the 80 % on the
indexed side; pass ``distance=30`` or swap the percentages to reproduce those.

Beyond the percentages, a match reports the time ranges of the query (the seized video)
whose frames matched, merged across one missing sample (at least 2 s), because
"00:01:12-00:01:40" is what an examiner quotes and checks by playing the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.vpdq import VpdqFrame
from phunt.matching.pdq_index import PdqIndex, hex_to_array

QUERY_MATCH_PCT: Final = 80.0
INDEX_MATCH_PCT: Final = 0.0
RANGE_GAP_SECONDS: Final = 2.0
"""Matched frames this close (or two sampling steps, if more) fall in one time range."""

_BLOCK_CELLS: Final = 1 << 21  # query rows x indexed rows per distance block (~64 MiB)

Words = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class VideoMatch:
    """Percent of the query's and of the indexed video's distinct good frames that matched.

    ``ranges`` are (first, last) timestamps of the query's runs of matched frames, in order.
    """

    query_pct: float
    index_pct: float
    matched: bool
    ranges: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ranges_text(self) -> list[str]:
        """The ranges as ``HH:MM:SS-HH:MM:SS``."""
        return [format_range(start, end) for start, end in self.ranges]


def format_range(start: float, end: float) -> str:
    """``HH:MM:SS-HH:MM:SS`` with seconds truncated, e.g. ``00:01:12-00:01:40``."""
    return f"{_clock(start)}-{_clock(end)}"


def _clock(seconds: float) -> str:
    whole = int(max(seconds, 0.0))
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def match_videos(
    query: Sequence[VpdqFrame],
    indexed: Sequence[VpdqFrame],
    *,
    distance: int | None = None,
    quality: int | None = None,
    query_pct: float = QUERY_MATCH_PCT,
    index_pct: float = INDEX_MATCH_PCT,
) -> VideoMatch:
    """Compare two videos' vPDQ frames; ``query`` is the seized video, ``indexed`` the listed one.

    With no frame of good quality on either side nothing can match: both percentages are 0.
    ``distance`` and ``quality`` default to the PDQ hash kind's rules.
    """
    distance = pdq_threshold() if distance is None else distance
    quality = pdq_quality_min() if quality is None else quality
    good_query = [f for f in query if f.quality >= quality]
    good_index = [f for f in indexed if f.quality >= quality]
    if not good_query or not good_index:
        return VideoMatch(0.0, 0.0, False, [])
    q_hex, q_inverse = np.unique([f.pdq.lower() for f in good_query], return_inverse=True)
    i_hex = np.unique([f.pdq.lower() for f in good_index])
    q_best, i_best = _nearest(_words(list(q_hex)), _words(list(i_hex)))
    q_hit = q_best <= distance
    q_share = 100.0 * float(q_hit.mean())
    i_share = 100.0 * float((i_best <= distance).mean())
    matched = q_share >= query_pct and i_share >= index_pct
    hit_times = [f.timestamp for f, k in zip(good_query, q_inverse, strict=True) if q_hit[k]]
    return VideoMatch(q_share, i_share, matched, _ranges(hit_times, _interval(query)))


def _words(hexes: list[str]) -> Words:
    return hex_to_array(hexes).view(">u8").astype(np.uint64)


def _nearest(q: Words, i: Words) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Smallest distance from each query hash to any indexed hash, and the reverse."""
    q_best = np.full(q.shape[0], 257, np.int64)
    i_best = np.full(i.shape[0], 257, np.int64)
    step = max(1, _BLOCK_CELLS // max(1, i.shape[0]))
    for start in range(0, q.shape[0], step):
        block = q[start : start + step]
        dist = np.bitwise_count(block[:, None, :] ^ i[None, :, :]).sum(axis=2, dtype=np.int64)
        q_best[start : start + step] = dist.min(axis=1)
        np.minimum(i_best, dist.min(axis=0), out=i_best)
    return q_best, i_best


def _interval(frames: Sequence[VpdqFrame]) -> float:
    """The sampling interval: the median step between consecutive hashed frames."""
    times = sorted({f.timestamp for f in frames})
    if len(times) < 2:
        return 0.0
    return float(np.median(np.diff(times)))


def _ranges(times: list[float], interval: float) -> list[tuple[float, float]]:
    """Merge matched frame times into runs, bridging one missing sample.

    Two matched frames join when they are at most two sampling steps apart, and never less
    than ``RANGE_GAP_SECONDS``: ranges are quoted to the second, so a run hashed at every
    frame should not split at each unmatched frame.
    """
    ranges: list[tuple[float, float]] = []
    limit = max(2 * interval, RANGE_GAP_SECONDS) + 1e-6
    for t in sorted(times):
        if ranges and t - ranges[-1][1] <= limit:
            ranges[-1] = (ranges[-1][0], t)
        else:
            ranges.append((t, t))
    return ranges


class VpdqIndex:
    """Many indexed videos: a PDQ index over all their frames finds the candidates.

    Only videos with at least one frame within ``distance`` of the query can match, and the
    index hits already tell each one's query share, so ``match_videos`` (for the indexed
    share and the time ranges) runs only on videos that can pass. Thresholds are fixed at
    build time because frames below ``quality`` are left out of the index.
    """

    def __init__(
        self, videos: dict[int, tuple[VpdqFrame, ...]], index: PdqIndex, rule: _Rule
    ) -> None:
        """Use :meth:`build`."""
        self._videos = videos
        self._index = index
        self._rule = rule

    def __len__(self) -> int:
        return len(self._videos)

    @classmethod
    def build(
        cls,
        videos: Sequence[tuple[int, Sequence[VpdqFrame]]],
        *,
        distance: int | None = None,
        quality: int | None = None,
        query_pct: float = QUERY_MATCH_PCT,
        index_pct: float = INDEX_MATCH_PCT,
    ) -> VpdqIndex:
        """Index ``(video id, frames)`` pairs with the matching rule every query will use."""
        distance = pdq_threshold() if distance is None else distance
        quality = pdq_quality_min() if quality is None else quality
        stored: dict[int, tuple[VpdqFrame, ...]] = {}
        hexes: list[str] = []
        owners: list[int] = []
        for video_id, frames in videos:
            if video_id in stored:
                raise ValueError(f"video id {video_id} is given twice")
            stored[video_id] = tuple(frames)
            for f in frames:
                if f.quality >= quality:
                    hexes.append(f.pdq)
                    owners.append(video_id)
        index = PdqIndex.build(hex_to_array(hexes), np.array(owners, dtype=np.int64))
        return cls(stored, index, _Rule(distance, quality, query_pct, index_pct))

    def query(self, frames: Sequence[VpdqFrame]) -> list[tuple[int, VideoMatch]]:
        """Indexed videos the query matches, largest query share first (ties by video id)."""
        rule = self._rule
        good = sorted({f.pdq.lower() for f in frames if f.quality >= rule.quality})
        if not good or len(self._index) == 0:
            return []
        hits = self._index.query(hex_to_array(good), threshold=rule.distance)
        pairs = np.unique(np.stack([hits.id, hits.query]), axis=1)  # (video, query row) once
        videos, counts = np.unique(pairs[0], return_counts=True)
        found: list[tuple[int, VideoMatch]] = []
        for video_id, count in zip(videos.tolist(), counts.tolist(), strict=True):
            if 100.0 * count / len(good) < rule.query_pct - 1e-9:  # float slack only
                continue
            result = match_videos(
                frames,
                self._videos[video_id],
                distance=rule.distance,
                quality=rule.quality,
                query_pct=rule.query_pct,
                index_pct=rule.index_pct,
            )
            if result.matched:
                found.append((video_id, result))
        found.sort(key=lambda item: (-item[1].query_pct, item[0]))
        return found


@dataclass(frozen=True)
class _Rule:
    distance: int
    quality: int
    query_pct: float
    index_pct: float
