"""On-scene triage without a case: hash every file of some sources, match against lists.

``phunt hash`` and ``phunt scan`` are thin wrappers over :func:`hash_sources` and
:func:`~phunt.ingest.scan.scan_sources`, which run the triage profile of
:mod:`phunt.ingest.stages` through the same :class:`~phunt.ingest.pipeline.Runner` as
ingest: in this process, or in ``workers`` processes. A source that lists one file runs
in this process whatever ``workers`` says: one file cannot be shared among workers, and
starting them would only add their start-up to the wait.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import FileResult, Processed, Profile, process_batch
from phunt.sources.base import Entry, display_path
from phunt.sources.ewf_damage import ewf_problems, is_first_ewf
from phunt.sources.facts import describe_source
from phunt.sources.folder import FolderSource, root_problem

if TYPE_CHECKING:
    from phunt.sources.limits import ExpandLimits

#: Source kinds whose container file is itself listed before its members.
ARCHIVE_KINDS = frozenset({"zip", "tar", "7z", "compressed"})


def iter_entries(
    path: str, *, expand: bool = True, limits: ExpandLimits | None = None
) -> Iterator[Entry]:
    """Every entry of the evidence at ``path``: a container named here is opened too.

    With ``expand`` a container named on the command line is listed under its container
    paths, and so are containers inside it, within ``limits`` (each path its own budget);
    without, files are hashed as they are.
    """
    from phunt.sources.expand import detect_source, open_evidence

    if not os.path.lexists(path):
        yield Entry(path=display_path(path), error="no such file or folder")
        return
    problem = root_problem(path)
    if problem is not None:
        yield Entry(path=display_path(path), error=problem)
        return
    opens = limits is None or limits.max_depth >= 1  # at depth 0 the walk lists it, once
    if expand and opens and os.path.isfile(path) and not os.path.islink(path):
        try:
            kind = detect_source(path)
        except OSError:
            kind = None
        if kind is not None and kind.name in ARCHIVE_KINDS:
            # An archive is a file of the device too: its own digests come first. (A disk
            # image is not listed as a file: its digest is the source's, recorded by ingest.)
            yield from FolderSource(path).entries()
    yield from open_evidence(path, expand=expand, limits=limits)


def run_triage(
    paths: Iterable[str],
    profile: Profile,
    *,
    expand: bool = True,
    workers: int = 1,
    limits: ExpandLimits | None = None,
) -> Iterator[Processed]:
    """Every entry under ``paths`` through ``profile``'s stages, in a stable order; then,
    for an E01 that fails its check, an error for it and for each file in its bad sectors."""
    paths = list(paths)
    numbered: Iterator[tuple[int, Entry]] = enumerate(
        entry for path in paths for entry in iter_entries(path, expand=expand, limits=limits)
    )
    if workers > 1:
        head = list(itertools.islice(numbered, 2))
        if len(head) < 2:
            workers = 1
        numbered = itertools.chain(head, numbered)
    with Runner(workers) as runner:
        checks = [(p, runner.submit(describe_source, p)) for p in paths if is_first_ewf(p)]
        count = 0
        for item in runner.run(numbered, process_batch, profile):
            count += 1
            yield item
        found = (problem for path, facts in checks for problem in ewf_problems(path, facts))
        for seq, (shown, error) in enumerate(found, start=count):
            yield Processed(seq, FileResult(path=shown, error=error))


def hash_sources(
    paths: Iterable[str],
    *,
    pdq_mode: str | None = "default",
    expand: bool = True,
    workers: int = 1,
    limits: ExpandLimits | None = None,
) -> Iterator[FileResult]:
    """Hash every file under ``paths`` in a stable order, one result per entry."""
    profile = Profile.triage(pdq_mode)
    for item in run_triage(paths, profile, expand=expand, workers=workers, limits=limits):
        yield item.result


@dataclass(frozen=True)
class Match:
    """One file found on a list; ``distance`` is 0 for cryptographic hashes."""

    path: str
    sha256: str | None
    kind: str
    list: str
    category: str | None
    distance: int
    entry: int
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "match",
            "path": self.path,
            "sha256": self.sha256,
            "kind": self.kind,
            "list": self.list,
            "category": self.category,
            "distance": self.distance,
            "entry": self.entry,
        }
        out.update(self.detail)
        return out


@dataclass
class ScanSummary:
    """The totals printed last by ``phunt scan``."""

    files: int = 0
    bytes: int = 0
    matched_files: int = 0
    errors: int = 0
    pdq_low_quality: int = 0
    started: float = field(default_factory=time.monotonic)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": "summary",
            "files": self.files,
            "bytes": self.bytes,
            "matched_files": self.matched_files,
            "errors": self.errors,
            "pdq_low_quality": self.pdq_low_quality,
            "elapsed_s": round(time.monotonic() - self.started, 3),
        }
