"""Match a file against the lists in use, in the worker that hashed it.

The engine comes from the process's cache (:func:`phunt.matching.spec.engine_for`): built
once per worker process from the run's spec, never per file. A run in this process may hand
a loaded engine instead (an API caller that built one).
"""

from __future__ import annotations

from typing import ClassVar

from phunt.ingest.stages.base import Stage, Work
from phunt.matching.engine import MatchEngine
from phunt.matching.spec import EngineSpec, engine_for

EngineSource = EngineSpec | MatchEngine
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
        if isinstance(self.source, MatchEngine):
            return self.source
        return engine_for(self.source)

    def run(self, work: Work) -> None:
        result = work.result
        if not work.read:
            return
        engine = self.engine
        variants = result.pdq_variants() if self.dihedral else result.pdq_variants()[:1]
        if result.pdq is not None and (result.pdq.hash.quality or 0) < engine.pdq_quality_min:
            work.pdq_low_quality = True
            variants = []
        frames = result.video.frames if result.video is not None else ()
        work.known_good, work.hits = engine.screen(result.hashes(), variants, frames)
