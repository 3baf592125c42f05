"""The per-file work as ordered stages, chosen by a profile, run inside the worker.

``phunt hash`` and ``phunt scan`` run the ``triage`` profile (nothing stored), ``phunt
ingest`` the ``ingest`` profile (stored by the coordinator). A profile is plain, picklable
data; a worker turns it into its stage objects once and runs them on every file of every
batch (:func:`process_batch`), matching included, so the coordinator only stores or prints.

Stages, in order: ``read`` (every digest kind in one pass), ``type``, ``pdq`` (with the
EXIF of the same decode), ``vpdq``, ``exif`` (a header the PDQ decode did not reach),
``match``, ``chat-source``. ``pdq_mode`` is "default", "fast", or None for crypto-only
(digests and type, no picture or video decoding of any kind).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from phunt.chats.candidate import ChatCandidate, chat_candidate
from phunt.ingest.stages.base import FileResult, Processed, Stage, Work, run_stages
from phunt.ingest.stages.chat_source import ChatSourceStage
from phunt.ingest.stages.filetype import TypeStage
from phunt.ingest.stages.match import EngineSource, MatchStage
from phunt.ingest.stages.picture import PDQ_MIME_TYPES, ExifStage, PdqStage
from phunt.ingest.stages.read import WHOLE_READ, ReadStage, read_up_to
from phunt.ingest.stages.video import VIDEO_MIME_TYPES, VpdqStage
from phunt.sources.base import Entry

__all__ = [
    "PDQ_MIME_TYPES",
    "VIDEO_MIME_TYPES",
    "WHOLE_READ",
    "ChatCandidate",
    "EngineSource",
    "FileResult",
    "Processed",
    "Profile",
    "Stage",
    "Work",
    "chat_candidate",
    "hashing_stages",
    "process_batch",
    "process_entry",
    "read_up_to",
]

ProfileName = Literal["triage", "ingest"]


@dataclass(frozen=True)
class Profile:
    """Which stages run, with their options; ``engine`` None means no matching."""

    name: ProfileName
    pdq_mode: str | None = "default"
    engine: EngineSource | None = None
    dihedral: bool = True

    @classmethod
    def triage(
        cls,
        pdq_mode: str | None = "default",
        engine: EngineSource | None = None,
        *,
        dihedral: bool = True,
    ) -> Profile:
        """``phunt hash`` (no engine) and ``phunt scan``: nothing is stored."""
        return cls("triage", pdq_mode, engine, dihedral)

    @classmethod
    def ingest(
        cls, pdq_mode: str | None = "default", engine: EngineSource | None = None
    ) -> Profile:
        """``phunt ingest``: EXIF and chat sources too, for the case database."""
        return cls("ingest", pdq_mode, engine)

    def stages(self) -> list[Stage]:
        """The stage objects, in the order they run."""
        stages = hashing_stages(self.pdq_mode)
        if self.name == "ingest" and self.pdq_mode is not None:
            stages.append(ExifStage())
        if self.engine is not None:
            stages.append(MatchStage(self.engine, dihedral=self.dihedral))
        if self.name == "ingest":
            stages.append(ChatSourceStage())
        return stages


def hashing_stages(pdq_mode: str | None) -> list[Stage]:
    """Read and digests, type, and with ``pdq_mode`` PDQ of pictures and vPDQ of videos."""
    stages: list[Stage] = [ReadStage(whole=pdq_mode is not None), TypeStage()]
    if pdq_mode is not None:
        stages += [PdqStage(pdq_mode), VpdqStage()]
    return stages


@functools.lru_cache(maxsize=4)
def _stages(profile: Profile) -> list[Stage]:
    """A profile's stages, made once per process (the engine they use is cached anyway)."""
    return profile.stages()


def process_entry(seq: int, entry: Entry, profile: Profile) -> Processed:
    """Run ``profile``'s stages on one entry; never raises for a bad file."""
    return run_stages(entry, _stages(profile)).processed(seq)


def process_batch(batch: list[tuple[int, Entry]], profile: Profile) -> list[Processed]:
    """:func:`process_entry` on each ``(seq, entry)`` of a batch, in order (what a worker
    runs); the match stage screens the whole batch at once, after the stages before it
    (which drop each file's content when done)."""
    stages = _stages(profile)
    at = next((i for i, s in enumerate(stages) if isinstance(s, MatchStage)), len(stages))
    works = [run_stages(entry, stages[:at]) for _seq, entry in batch]
    if at < len(stages):
        match = stages[at]
        assert isinstance(match, MatchStage)
        match.run_many(works)
        for work in works:
            for stage in stages[at + 1 :]:
                stage.run(work)
    return [work.processed(seq) for (seq, _entry), work in zip(batch, works, strict=True)]
