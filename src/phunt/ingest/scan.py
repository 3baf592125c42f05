"""``phunt scan``: hash every file of some sources and match it against the lists in use.

Lists come from files given for one run (``--hashlist``) or from governed hash sets in
the database (``--hashset``); both are named in one :class:`EngineSpec`, from which each
worker builds the engine once. Matching runs in the worker with the hashing; this module
turns the hits into scan lines and keeps the totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from phunt.errors import UsageError
from phunt.ingest.stages import FileResult, Profile
from phunt.ingest.triage import Match, ScanSummary, run_triage
from phunt.matching.engine import Hit, MatchEngine
from phunt.matching.spec import EngineSpec, load_list_file

if TYPE_CHECKING:
    from phunt.sources.limits import ExpandLimits

__all__ = ["load_list_file", "scan_sources", "to_match"]


def to_match(result: FileResult, hit: Hit) -> Match:
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
            threshold=hit.threshold,
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
    engine: MatchEngine | EngineSpec,
    summary: ScanSummary,
    *,
    pdq_mode: str | None = "default",
    dihedral: bool = True,
    expand: bool = True,
    workers: int = 1,
    limits: ExpandLimits | None = None,
) -> Iterator[FileResult | Match]:
    """Hash every file and yield each result followed by its matches; updates ``summary``.

    ``engine`` is a spec (built once in each worker) or, with one worker, a loaded engine.
    """
    if workers > 1 and isinstance(engine, MatchEngine):
        raise UsageError("a loaded engine stays in this process; give workers an EngineSpec")
    profile = Profile.triage(pdq_mode, engine, dihedral=dihedral)
    for item in run_triage(paths, profile, expand=expand, workers=workers, limits=limits):
        result = item.result
        yield result
        if result.error is not None:
            summary.errors += 1
        if result.md5 is None:
            continue
        summary.files += 1
        summary.bytes += result.size or 0
        summary.pdq_low_quality += item.pdq_low_quality
        if item.hits:
            summary.matched_files += 1
        for hit in item.hits:
            yield to_match(result, hit)
