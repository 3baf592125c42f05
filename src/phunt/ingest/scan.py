"""``phunt scan``: hash every file of some sources and match it against the lists in use.

Lists come from files given for one run (``--hashlist``) or from governed hash sets in
the database (``--hashset``, loaded by :func:`phunt.hashsets.store.load_hash_sets`); both
load into one :class:`MatchEngine`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from phunt.ingest.hasher import FileResult
from phunt.ingest.triage import Match, ScanSummary, hash_sources
from phunt.matching.engine import Hit, MatchEngine


def load_list_file(
    engine: MatchEngine,
    path: str,
    *,
    fmt: str | None = None,
    scheme: str | None = None,
    hash_kind: str | None = None,
) -> int:
    """Load a hash-list file into ``engine``, its entries numbered by record."""
    from phunt.hashsets.detect import open_hash_list

    reader = open_hash_list(path, format=fmt, category_scheme=scheme, kind=hash_kind)
    stream = reader.entries()
    first = next(stream, None)  # the list's kind is known once its header has been read
    if first is None:
        return 0
    kind = str(reader.metadata().get("list_kind", reader.default_kind))
    entries = ((e.record, e) for e in itertools.chain([first], stream))
    return engine.add(Path(path).name, kind, entries)


def to_match(result: FileResult, hit: Hit, engine: MatchEngine) -> Match:
    """A scan match line from an engine hit."""
    detail: dict[str, object] = {"version": hit.listed.version}
    cat = hit.listed.category
    if cat is not None:
        detail["category_scheme"] = cat.scheme
    detail.update(hit.video_detail())
    if hit.kind == "pdq" and result.pdq is not None:
        detail.update(
            variant=hit.variant,
            quality=result.pdq.hash.quality,
            threshold=engine.pdq_threshold,
            pdq_mode=result.pdq.hash.mode,
        )
    return Match(
        path=result.path,
        sha256=result.sha256,
        kind=hit.kind,
        list=hit.listed.list_name,
        category=None if cat is None else str(cat.code),
        distance=hit.distance,
        entry=hit.listed.entry,
        detail=detail,
    )


def scan_sources(
    paths: Iterable[str],
    engine: MatchEngine,
    summary: ScanSummary,
    *,
    pdq_mode: str | None = "default",
    dihedral: bool = True,
    expand: bool = True,
) -> Iterator[FileResult | Match]:
    """Hash every file and yield each result followed by its matches; updates ``summary``."""
    for result in hash_sources(paths, pdq_mode=pdq_mode, expand=expand):
        yield result
        if result.error is not None:
            summary.errors += 1
        if result.md5 is None:
            continue
        summary.files += 1
        summary.bytes += result.size or 0
        variants = result.pdq_variants() if dihedral else result.pdq_variants()[:1]
        if result.pdq is not None and (result.pdq.hash.quality or 0) < engine.pdq_quality_min:
            summary.pdq_low_quality += 1
            variants = []
        frames = result.video.frames if result.video is not None else ()
        hits = engine.match_file(result.hashes(), variants, frames)
        if hits:
            summary.matched_files += 1
        for hit in hits:
            yield to_match(result, hit, engine)
