"""The matching engine behind ``phunt scan``, ``hashset lookup`` and ingest.

It holds one segment per list in use (:class:`~phunt.matching.segment.SetSegment`: a set
file, memory-mapped, with its provenance and its disabled entries) and answers with matches
that keep their provenance: which list, which version, which entry, which kind, the
distance, the quality, the threshold and the category. Files on a known-good list are never
reported; entries whose category is not known-bad under their scheme (VICS 2.0 category 0)
are not either.

Queries come in batches (:meth:`MatchEngine.exact_many`, :meth:`MatchEngine.screen_many`,
:meth:`MatchEngine.lookup_many`): one vectorised search per kind and per set for the whole
batch, and a :class:`Hit` object only for what matched. The one-query methods are batches
of one, so both give the same hits in the same order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from phunt.hashing.kinds import KINDS, hex_kinds
from phunt.hashing.kinds import pdq_quality_min as pdq_quality_min_
from phunt.hashing.kinds import pdq_threshold as pdq_threshold_
from phunt.hashsets.entry import HashEntry
from phunt.matching.exact import digests_to_array, prefixes
from phunt.matching.hits import Hit, Listed
from phunt.matching.segment import PDQ_KIND, VPDQ_KIND, SetSegment

if TYPE_CHECKING:
    from phunt.hashing.vpdq import VpdqFrame
    from phunt.hashsets.setfile import SetFile

__all__ = ["FileQuery", "Hit", "Listed", "MatchEngine"]

_Found = tuple[tuple[int, int], Hit]
"""A hit with its (segment, row): the identity of the entry it matched."""


@dataclass(frozen=True)
class FileQuery:
    """What one file is screened with: its digests, its PDQ variants, its vPDQ frames."""

    digests: Mapping[str, str]
    pdq_variants: Sequence[tuple[str, str]] = ()
    video_frames: Sequence[VpdqFrame] = ()


def _exact_kinds() -> list[str]:
    """Kinds the exact search answers, in registration order (the order hits come in)."""
    return [kind for kind, known in KINDS if known.index == "exact"]


class MatchEngine:
    """Lists loaded for one run; call :meth:`add_set` for each list, then query.

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
        self.segments: list[SetSegment] = []

    def __len__(self) -> int:
        """Entries that can match, over every list in use."""
        return sum(len(segment) for segment in self.segments)

    def add_set(
        self,
        list_name: str,
        list_kind: str,
        version: int | None,
        set_file: SetFile,
        disabled: Collection[int] = (),
    ) -> int:
        """Use ``set_file`` as list ``list_name`` at ``version``, without the entries
        numbered in ``disabled``; returns how many entries can match.

        Nothing of the file is read beyond its header and the disabled numbers' rows; the
        engine owns the file from now on (:meth:`close`).
        """
        segment = SetSegment(list_name, list_kind, version, set_file, disabled)
        self.segments.append(segment)
        return len(segment)

    def add(
        self,
        list_name: str,
        list_kind: str,
        entries: Iterable[tuple[int, HashEntry]],
        version: int | None = None,
    ) -> int:
        """Use ``(entry number, entry)`` pairs of one list, built into a private set file
        (for callers that hold entries rather than a set file); returns :meth:`add_set`'s."""
        from phunt.matching.private_sets import numbered_entries, private_set_file

        set_file = private_set_file(numbered_entries(entries), {"list": list_name})
        return self.add_set(list_name, list_kind, version, set_file)

    def close(self) -> None:
        """Close every set file in use; the engine holds no list afterwards."""
        segments, self.segments = self.segments, []
        for segment in segments:
            segment.close()

    # Exact digests

    def exact(self, kind: str, digest: str) -> list[Hit]:
        """Entries whose ``kind`` digest is ``digest`` (hex, any case)."""
        if kind not in _exact_kinds():
            return []
        return self.exact_many(kind, digests_to_array(kind, [digest]))[0]

    def exact_many(self, kind: str, digests: npt.NDArray[np.uint8]) -> list[list[Hit]]:
        """For each row of ``digests`` (``(n, width)`` uint8), the entries it equals; none
        for a kind that is not matched exactly (PDQ is near-matched: :meth:`pdq`)."""
        found = self._exact(kind, digests) if kind in _exact_kinds() else {}
        return [[hit for _key, hit in found.get(q, ())] for q in range(digests.shape[0])]

    def _exact(self, kind: str, queries: npt.NDArray[np.uint8]) -> dict[int, list[_Found]]:
        """The hits of each position of the batch that matched, by list added then row.

        The batch is searched in digest order, so each set's binary searches sweep its
        digests forwards (ten times the rate of a batch in random order, at 10M entries).
        """
        out: dict[int, list[_Found]] = {}
        if not self.segments or queries.shape[0] == 0:
            return out
        order = np.argsort(prefixes(queries), kind="stable")
        ordered = np.ascontiguousarray(queries[order])
        for s, segment in enumerate(self.segments):
            where, rows = segment.exact(kind, ordered)
            where = order[where]
            by_query = np.lexsort((rows, where))
            where, rows = where[by_query], rows[by_query]
            hexes = queries[where].tobytes().hex()
            step = 2 * queries.shape[1]
            listed = segment.listed(rows)
            for k, (q, row) in enumerate(zip(where.tolist(), rows.tolist(), strict=True)):
                hit = Hit(listed[k], kind, hexes[k * step : (k + 1) * step], 0)
                out.setdefault(q, []).append(((s, row), hit))
        return out

    # PDQ and vPDQ

    def pdq(self, variants: Sequence[tuple[str, str]]) -> list[Hit]:
        """Entries within the threshold of any of ``(variant name, hex)``: best per entry."""
        return [hit for _key, hit in self._pdq([variants])[0]]

    def _pdq(self, pictures: Sequence[Sequence[tuple[str, str]]]) -> list[list[_Found]]:
        """For each picture's variants, its hits: one per entry (its closest variant), by
        distance, then list name and entry number."""
        out: list[list[_Found]] = [[] for _ in pictures]
        names = [name for variants in pictures for name, _hex in variants]
        if not names or not any(PDQ_KIND in s.set_file.kinds for s in self.segments):
            return out
        from phunt.matching.pdq_index import hex_to_array

        hexes = [h for variants in pictures for _name, h in variants]
        words = hex_to_array(hexes).view(">u8").astype(np.uint64)
        groups = np.repeat(np.arange(len(pictures)), [len(v) for v in pictures])
        threshold = self.pdq_threshold
        for s, segment in enumerate(self.segments):
            found, listed_hexes = segment.pdq(words, threshold, groups)
            for g, q, row, distance, listed, listed_hex in zip(
                found.group.tolist(), found.query.tolist(), found.id.tolist(),
                found.distance.tolist(), segment.listed(found.id), listed_hexes, strict=True,
            ):  # fmt: skip
                hit = Hit(listed, PDQ_KIND, listed_hex, distance, names[q], None, threshold)
                out[g].append(((s, row), hit))
        for found_hits in out:
            found_hits.sort(key=lambda f: (f[1].distance, f[1].listed.list_name, f[1].listed.entry))
        return out

    def video(self, frames: Sequence[VpdqFrame]) -> list[Hit]:
        """Listed videos that ``frames`` (a seized video's vPDQ) match under the HMA rule."""
        return [hit for _key, hit in self._video(frames)]

    def _video(self, frames: Sequence[VpdqFrame]) -> list[_Found]:
        """Largest query share first, then in the order the lists were added."""
        found: list[tuple[float, _Found]] = []
        if not frames:
            return []
        for s, segment in enumerate(self.segments):
            matched = segment.video(frames, self.pdq_threshold, self.pdq_quality_min)
            rows = np.array([row for row, _match in matched], dtype=np.int64)
            for (row, match), listed in zip(matched, segment.listed(rows), strict=True):
                hit = Hit(listed, VPDQ_KIND, "", 0, None, match)
                found.append((match.query_pct, ((s, row), hit)))
        found.sort(key=lambda item: (-item[0], item[1][0]))
        return [item for _pct, item in found]

    # Screening files

    def known_good(self, digests: Mapping[str, str]) -> bool:
        """Whether any of a file's digests is on a known-good list."""
        return self.screen_many([FileQuery(digests)])[0][0]

    def match_file(
        self,
        digests: Mapping[str, str],
        pdq_variants: Sequence[tuple[str, str]] = (),
        video_frames: Sequence[VpdqFrame] = (),
    ) -> list[Hit]:
        """Reportable hits for one file: exact digests, then PDQ, then vPDQ; one per entry."""
        return self.screen(digests, pdq_variants, video_frames)[1]

    def screen(
        self,
        digests: Mapping[str, str],
        pdq_variants: Sequence[tuple[str, str]] = (),
        video_frames: Sequence[VpdqFrame] = (),
    ) -> tuple[bool, list[Hit]]:
        """Whether the file is known-good, and its reportable hits (none when it is)."""
        return self.screen_many([FileQuery(digests, pdq_variants, video_frames)])[0]

    def screen_many(self, files: Sequence[FileQuery]) -> list[tuple[bool, list[Hit]]]:
        """:meth:`screen` for each file, the searches made once for the whole batch.

        Each digest is looked up once; the known-good verdict comes from the same hits,
        and a known-good file is not near-matched at all.
        """
        if not self.segments:
            return [(False, []) for _ in files]
        exact: list[list[_Found]] = [[] for _ in files]
        held = {kind for segment in self.segments for kind in segment.set_file.kinds}
        for kind in _exact_kinds():
            if kind not in held:  # no list in use has this kind (NSRL-less MD5 lists)
                continue
            which = [i for i, f in enumerate(files) if kind in f.digests]
            if which:
                queries = digests_to_array(kind, [files[i].digests[kind] for i in which])
                for q, found in self._exact(kind, queries).items():
                    exact[which[q]].extend(found)
        good = [any(hit.listed.list_kind == "known-good" for _k, hit in e) for e in exact]
        near = self._pdq([() if ok else f.pdq_variants for f, ok in zip(files, good, strict=True)])
        out: list[tuple[bool, list[Hit]]] = []
        for i, f in enumerate(files):
            if good[i]:
                out.append((True, []))
                continue
            seen: set[tuple[int, int]] = set()
            hits = _reportable(exact[i], seen) + _reportable(near[i], seen)
            out.append((False, hits + _reportable(self._video(f.video_frames), seen)))
        return out

    # Looking hashes up

    def lookup(self, query: str) -> list[Hit]:
        """Every hit (known-good included) for one hash given as text, kind by length."""
        return self.lookup_many([query])[0]

    def lookup_many(self, queries: Sequence[str]) -> list[list[Hit]]:
        """:meth:`lookup` for each query, one search per kind for the whole batch."""
        texts = [query.strip().lower() for query in queries]
        out: list[list[Hit]] = [[] for _ in texts]
        for kind in hex_kinds():
            which = [i for i, text in enumerate(texts) if len(text) == kind.hex_length]
            if not which or kind.index not in ("exact", "pdq"):
                continue
            if kind.index == "exact":
                digests = digests_to_array(kind.name, [texts[i] for i in which])
                found = self._exact(kind.name, digests)
            else:
                found = dict(enumerate(self._pdq([[("orig", texts[i])] for i in which])))
            for q, hits in found.items():
                out[which[q]].extend(hit for _key, hit in hits)
        return out


def _reportable(found: list[_Found], seen: set[tuple[int, int]]) -> list[Hit]:
    """The hits of entries not reported yet whose category is reportable."""
    out = []
    for key, hit in found:
        if key in seen or not hit.listed.reportable:
            continue
        seen.add(key)
        out.append(hit)
    return out
