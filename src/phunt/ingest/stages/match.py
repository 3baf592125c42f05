"""Match files against the lists in use, in the worker that hashed them.

The engine comes from the process's cache (:func:`phunt.matching.spec.engine_for`): built
once per worker process from the run's spec, never per file. A run in this process may hand
a loaded engine instead (an API caller that built one). A batch of files is screened at
once (:meth:`MatchStage.run_many`): one search per kind and per set for the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from phunt.ingest.stages.base import Stage, Work
from phunt.matching.spec import EngineSpec, engine_for

if TYPE_CHECKING:
    from phunt.matching.engine import FileQuery, MatchEngine

# The engine (numpy) is named for the type checker only: ingest's coordinator makes a
# profile with a spec and never loads it; the workers that match do.
EngineSource: TypeAlias = "EngineSpec | MatchEngine"
"""A spec (picklable: what travels to workers) or, in this process only, a loaded engine."""


class MatchStage(Stage):
    """Known-good verdict and reportable hits: exact digests, then PDQ, then vPDQ.

    A picture below the PDQ quality minimum is not near-matched (and is counted as such);
    ``dihedral=False`` matches a picture as it is, not rotated or mirrored.
    """

    name: ClassVar[str] = "match"

    def __init__(self, source: EngineSource, *, dihedral: bool = True) -> None:
        self.source = source
        self.dihedral = dihedral

    @property
    def engine(self) -> MatchEngine:
        if isinstance(self.source, EngineSpec):
            return engine_for(self.source)
        return self.source

    def run(self, work: Work) -> None:
        self.run_many([work])

    def run_many(self, works: Sequence[Work]) -> None:
        """:meth:`run` on each of ``works``, screened as one batch."""
        read = [work for work in works if work.read]
        if not read:
            return
        engine = self.engine
        queries = [self._query(work, engine.pdq_quality_min) for work in read]
        for work, (known_good, hits) in zip(read, engine.screen_many(queries), strict=True):
            work.known_good, work.hits = known_good, hits

    def _query(self, work: Work, quality_min: int) -> FileQuery:
        from phunt.matching.engine import FileQuery

        result = work.result
        variants = result.pdq_variants() if self.dihedral else result.pdq_variants()[:1]
        if result.pdq is not None and (result.pdq.hash.quality or 0) < quality_min:
            work.pdq_low_quality = True
            variants = []
        frames = result.video.frames if result.video is not None else ()
        return FileQuery(result.hashes(), variants, frames)
