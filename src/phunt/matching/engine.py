"""The matching engine behind ``phunt scan``, ``hashset lookup`` and ingest.

It holds the entries of the lists in use, an :class:`ExactIndex` for MD5/SHA-1/SHA-256
and a :class:`PdqIndex` for PDQ, and answers with matches that keep their provenance:
which list, which version, which entry, which kind, the distance, the quality, the
threshold and the category. Files on a known-good list are never reported; entries whose
category is not known-bad under their scheme (VICS 2.0 category 0) are not either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from phunt.hashing.kinds import KINDS, hex_kinds
from phunt.hashing.kinds import pdq_quality_min as pdq_quality_min_
from phunt.hashing.kinds import pdq_threshold as pdq_threshold_
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.categories import is_known_bad
from phunt.matching.exact import ExactIndex

if TYPE_CHECKING:
    from phunt.hashing.vpdq import VpdqFrame
    from phunt.matching.pdq_index import PdqIndex
    from phunt.matching.vpdq_match import VideoMatch, VpdqIndex


@dataclass(frozen=True)
class Listed:
    """An entry of a list in use: where it comes from and what it says."""

    list_name: str
    list_kind: str
    version: int | None
    entry: int
    category: Category | None

    @property
    def reportable(self) -> bool:
        return is_known_bad(
            self.category, "known-good" if self.list_kind == "known-good" else "known-bad"
        )


@dataclass(frozen=True)
class Hit:
    """One entry a query matched, with the distance (0 for cryptographic hashes)."""

    listed: Listed
    kind: str
    hash: str
    distance: int
    variant: str | None = None
    video: VideoMatch | None = None
    threshold: int | None = None
    """The distance a near match had to be within (None for an exact match)."""

    def video_detail(self) -> dict[str, Any]:
        """For a video match: both shares and the matched time ranges of the seized video."""
        if self.video is None:
            return {}
        return {
            "query_pct": round(self.video.query_pct, 2),
            "index_pct": round(self.video.index_pct, 2),
            "ranges": self.video.ranges_text,
        }

    def as_json(self) -> dict[str, Any]:
        cat = self.listed.category
        out: dict[str, Any] = {
            "hash": self.hash,
            "kind": self.kind,
            "distance": self.distance,
            "hashset": self.listed.list_name,
            "version": self.listed.version,
            "entry": self.listed.entry,
            "category": None if cat is None else cat.code,
        }
        if cat is not None:
            out["category_scheme"] = cat.scheme
        if self.variant is not None:
            out["variant"] = self.variant
        out.update(self.video_detail())
        return out


@dataclass
class _Staged:
    exact: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)
    pdq: tuple[list[str], list[int]] = field(default_factory=lambda: ([], []))
    videos: list[tuple[int, str]] = field(default_factory=list)


class MatchEngine:
    """Lists loaded for one run; call :meth:`add` for each list, then query.

    The PDQ threshold and quality minimum default to the PDQ hash kind's; each value is
    routed to the index its kind names (:mod:`phunt.hashing.kinds`).
    """

    def __init__(
        self, *, pdq_threshold: int | None = None, pdq_quality_min: int | None = None
    ) -> None:
        self.pdq_threshold = pdq_threshold if pdq_threshold is not None else pdq_threshold_()
        self.pdq_quality_min = (
            pdq_quality_min if pdq_quality_min is not None else pdq_quality_min_()
        )
        self.listed: list[Listed] = []
        self._staged: _Staged | None = _Staged()
        self._exact: ExactIndex | None = None
        self._pdq: PdqIndex | None = None
        self._pdq_hex: list[str] = []
        self._pdq_ids: list[int] = []
        self._videos: VpdqIndex | None = None
        self._exact_hex: dict[int, dict[str, str]] = {}

    def add(
        self,
        list_name: str,
        list_kind: str,
        entries: Iterable[tuple[int, HashEntry]],
        version: int | None = None,
    ) -> int:
        """Stage ``(entry number, entry)`` pairs of one list; returns how many were staged."""
        if self._staged is None:
            raise RuntimeError("the engine was already built")
        count = 0
        for number, entry in entries:
            internal = len(self.listed)
            self.listed.append(Listed(list_name, list_kind, version, number, entry.category))
            for kind, value in entry.hashes.items():
                index = KINDS.get(kind).index if kind in KINDS else "none"
                if index == "exact":
                    hexes, ids = self._staged.exact.setdefault(kind, ([], []))
                    hexes.append(value)
                    ids.append(internal)
                elif index == "pdq":
                    self._staged.pdq[0].append(value)
                    self._staged.pdq[1].append(internal)
                elif index == "vpdq":
                    self._staged.videos.append((internal, value))
            count += 1
        return count

    def build(self) -> None:
        """Build the indexes from what was staged (done on first query if not called)."""
        if self._staged is None:
            return
        staged, self._staged = self._staged, None
        self._exact = ExactIndex.build(
            (kind, h, i)
            for kind, (hexes, ids) in staged.exact.items()
            for h, i in zip(hexes, ids, strict=True)
        )
        for kind, (hexes, ids) in staged.exact.items():
            for h, i in zip(hexes, ids, strict=True):
                self._exact_hex.setdefault(i, {})[kind] = h
        pdq_hex, pdq_ids = staged.pdq
        self._pdq_hex = pdq_hex
        if pdq_hex:  # numba loads only when a list in use carries PDQ hashes
            from phunt.matching.pdq_index import PdqIndex, hex_to_array

            self._pdq = PdqIndex.build(hex_to_array(pdq_hex), np.arange(len(pdq_hex)))
        self._pdq_ids = pdq_ids
        if staged.videos:
            from phunt.hashing.vpdq import from_text
            from phunt.matching.vpdq_match import VpdqIndex

            self._videos = VpdqIndex.build(
                [(i, from_text(text)) for i, text in staged.videos],
                distance=self.pdq_threshold,
                quality=self.pdq_quality_min,
            )

    def exact(self, kind: str, digest: str) -> list[Hit]:
        """Entries whose ``kind`` digest is ``digest``."""
        self.build()
        assert self._exact is not None
        if kind not in KINDS or KINDS.get(kind).index != "exact":
            return []
        return [
            Hit(self.listed[i], kind, self._exact_hex[i][kind], 0)
            for i in self._exact.lookup(kind, digest)
        ]

    def pdq(self, variants: Sequence[tuple[str, str]]) -> list[Hit]:
        """Entries within the threshold of any of ``(variant name, hex)``: best per entry."""
        self.build()
        if self._pdq is None or not variants:
            return []
        from phunt.matching.pdq_index import hex_to_array

        found = self._pdq.query(
            hex_to_array([h for _name, h in variants]),
            self.pdq_threshold,
            groups=np.zeros(len(variants), np.int64),
        )
        hits = []
        for _group, query, row, distance in found.rows():
            listed = self.listed[self._pdq_ids[row]]
            hits.append(
                Hit(
                    listed,
                    "pdq",
                    self._pdq_hex[row],
                    distance,
                    variants[query][0],
                    threshold=self.pdq_threshold,
                )
            )
        return sorted(hits, key=lambda h: (h.distance, h.listed.list_name, h.listed.entry))

    def video(self, frames: Sequence[VpdqFrame]) -> list[Hit]:
        """Listed videos that ``frames`` (a seized video's vPDQ) match under the HMA rule."""
        self.build()
        if self._videos is None or not frames:
            return []
        return [
            Hit(self.listed[i], "vpdq", "", 0, None, found)
            for i, found in self._videos.query(frames)
        ]

    def known_good(self, digests: dict[str, str]) -> bool:
        """Whether any of a file's digests is on a known-good list."""
        if not self.listed:
            return False
        return any(
            hit.listed.list_kind == "known-good"
            for kind, value in digests.items()
            for hit in self.exact(kind, value)
        )

    def match_file(
        self,
        digests: dict[str, str],
        pdq_variants: Sequence[tuple[str, str]] = (),
        video_frames: Sequence[VpdqFrame] = (),
    ) -> list[Hit]:
        """Reportable hits for one file: exact digests, then PDQ, then vPDQ; one per entry."""
        return self.screen(digests, pdq_variants, video_frames)[1]

    def screen(
        self,
        digests: dict[str, str],
        pdq_variants: Sequence[tuple[str, str]] = (),
        video_frames: Sequence[VpdqFrame] = (),
    ) -> tuple[bool, list[Hit]]:
        """Whether the file is known-good, and its reportable hits (none when it is).

        Each digest is looked up once; the known-good verdict comes from the same hits.
        """
        if not self.listed:
            return False, []
        exact = [
            hit
            for kind, known in KINDS
            if known.index == "exact" and kind in digests
            for hit in self.exact(kind, digests[kind])
        ]
        if any(hit.listed.list_kind == "known-good" for hit in exact):
            return True, []
        seen: set[int] = set()
        hits = self._new(exact, seen)
        hits.extend(self._new(self.pdq(pdq_variants), seen))
        hits.extend(self._new(self.video(video_frames), seen))
        return False, hits

    def lookup(self, query: str) -> list[Hit]:
        """Every hit (known-good included) for one hash given as text, kind by length."""
        text = query.strip().lower()
        hits: list[Hit] = []
        for kind in hex_kinds():
            if len(text) != kind.hex_length:
                continue
            if kind.index == "exact":
                hits.extend(self.exact(kind.name, text))
            elif kind.index == "pdq":
                hits.extend(self.pdq([("orig", text)]))
        return hits

    def _new(self, hits: list[Hit], seen: set[int]) -> list[Hit]:
        out = []
        for hit in hits:
            key = id(hit.listed)
            if key in seen or not hit.listed.reportable:
                continue
            seen.add(key)
            out.append(hit)
        return out
