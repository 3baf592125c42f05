"""Matching triage results against hash lists loaded for one run.

Exact digests are looked up in a dictionary (O(1) per file). Files on a known-good list
are marked and never reported; entries whose category is not known-bad under their scheme
(VICS 2.0 category 0, non-pertinent) are not reported either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.categories import is_known_bad
from phunt.ingest.hasher import FileResult
from phunt.ingest.triage import Match, ScanSummary, hash_sources

EXACT_KINDS = ("md5", "sha1", "sha256")


@dataclass(frozen=True)
class ListHit:
    """Where a digest came from: which list, which entry, which category."""

    list_name: str
    list_kind: str
    record: int
    category: Category | None


class ListMatcher:
    """Hash lists held in memory for one scan."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], list[ListHit]] = {}
        self.lists: list[str] = []

    def add(self, name: str, list_kind: str, entries: Iterable[HashEntry]) -> int:
        """Load ``entries`` of the list ``name``; returns how many digests were added."""
        added = 0
        for entry in entries:
            hit = ListHit(name, list_kind, entry.record, entry.category)
            for kind, value in entry.hashes.items():
                if kind in EXACT_KINDS:
                    self._exact.setdefault((kind, value), []).append(hit)
                    added += 1
        self.lists.append(name)
        return added

    def add_file(self, path: str, *, fmt: str | None = None, scheme: str | None = None) -> int:
        """Load a hash-list file, detecting its format from content unless ``fmt`` is given."""
        from phunt.hashsets.detect import open_hash_list

        reader = open_hash_list(path, format=fmt, category_scheme=scheme)
        return self.add(Path(path).name, reader.default_kind, reader.entries())

    def known_good(self, result: FileResult) -> bool:
        """Whether any digest of the file is on a known-good list."""
        return any(
            hit.list_kind == "known-good"
            for kind, value in result.hashes().items()
            for hit in self._exact.get((kind, value), ())
        )

    def match(self, result: FileResult) -> list[Match]:
        """Known-bad matches of one file (one per list entry that it matches)."""
        if self.known_good(result):
            return []
        found: list[Match] = []
        seen: set[tuple[str, int]] = set()
        for kind in EXACT_KINDS:
            value = result.hashes().get(kind)
            if value is None:
                continue
            for hit in self._exact.get((kind, value), ()):
                if (hit.list_name, hit.record) in seen:
                    continue
                if not is_known_bad(hit.category, hit.list_kind):  # type: ignore[arg-type]
                    continue
                seen.add((hit.list_name, hit.record))
                found.append(_match(result, kind, hit))
        return found


def _match(result: FileResult, kind: str, hit: ListHit) -> Match:
    detail: dict[str, object] = {}
    if hit.category is not None:
        detail["category_scheme"] = hit.category.scheme
    return Match(
        path=result.path,
        sha256=result.sha256,
        kind=kind,
        list=hit.list_name,
        category=None if hit.category is None else str(hit.category.code),
        distance=0,
        entry=hit.record,
        detail=dict(detail),
    )


def scan_sources(
    paths: Iterable[str], matcher: ListMatcher, summary: ScanSummary
) -> Iterator[FileResult | Match]:
    """Hash every file and yield each result followed by its matches; updates ``summary``."""
    for result in hash_sources(paths):
        yield result
        if result.error is not None:
            summary.errors += 1
        if result.md5 is None:
            continue
        summary.files += 1
        summary.bytes += result.size or 0
        matches = matcher.match(result)
        if matches:
            summary.matched_files += 1
        yield from matches
