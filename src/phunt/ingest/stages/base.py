"""What a stage is, what it works on, and what one file's work hands back.

A stage does one step of the per-file work (read and digest, type, PDQ, ...) on a
:class:`Work`, which carries the entry, what was learnt so far and, for a picture read
whole, its bytes. Stages never raise for a bad file: the problem becomes the result's
``error`` or a warning, and a stage that needs what an earlier one could not produce
(the digests of an unreadable file) has nothing to do.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from phunt.sources.base import Entry, FileTimes
from phunt.sources.locator import Locator

if TYPE_CHECKING:
    from phunt.chats.candidate import ChatCandidate
    from phunt.hashing.pdq import PdqResult
    from phunt.hashing.vpdq import VpdqResult
    from phunt.matching.engine import Hit


@dataclass
class FileResult:
    """What triage learnt about one entry; ``error`` set means something went wrong."""

    path: str
    size: int | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    mime: str | None = None
    extension_mismatch: bool = False
    deleted: bool = False
    times: FileTimes = field(default_factory=FileTimes)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    pdq: PdqResult | None = None
    video: VpdqResult | None = None
    exif: dict[str, Any] | None = None
    """EXIF facts read while the picture was open for PDQ (None: not read)."""
    digests: dict[str, str] = field(default_factory=dict)
    """Digests of registered kinds beyond MD5, SHA-1 and SHA-256, keyed by kind."""

    def hashes(self) -> dict[str, str]:
        """The digests that were computed, keyed by kind."""
        found = {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256}
        return {k: v for k, v in found.items() if v is not None} | self.digests

    def pdq_variants(self) -> list[tuple[str, str]]:
        """PDQ hashes to query with: the dihedral variants, and those inside a border."""
        if self.pdq is None:
            return []
        out = list(self.pdq.variants.items())
        if self.pdq.unbordered is not None:
            out += [(f"trimmed-{k}", v) for k, v in self.pdq.unbordered.variants.items()]
        return out

    def video_facts(self) -> dict[str, Any]:
        """Duration, resolution, codec and frame rate of a hashed video."""
        if self.video is None:
            return {}
        v = self.video
        facts: dict[str, Any] = {
            "duration": v.duration,
            "width": v.width,
            "height": v.height,
            "codec": v.codec,
            "fps": v.fps,
        }
        if v.error is not None:
            facts["decode_error"] = v.error
        return facts

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines record of ``phunt hash --json``."""
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "md5": self.md5,
            "sha1": self.sha1,
            "sha256": self.sha256,
        }
        out.update(self.digests)
        out |= {
            "mime": self.mime,
            "pdq": None if self.pdq is None else self.pdq.hash.hex,
            "pdq_quality": None if self.pdq is None else self.pdq.hash.quality,
            "error": self.error,
        }
        if self.pdq is not None:
            out["pdq_mode"] = self.pdq.hash.mode
        if self.video is not None:
            v = self.video
            out["vpdq"] = [
                {"frame": f.frame, "quality": f.quality, "pdq": f.pdq, "timestamp": f.timestamp}
                for f in v.frames
            ]
            out["video"] = self.video_facts()
        if self.deleted:
            out["deleted"] = True
        if self.extension_mismatch:
            out["extension_mismatch"] = True
        if self.warnings:
            out["warning"] = "; ".join(self.warnings)
        return out


@dataclass
class Processed:
    """One file's outcome, as a worker hands it back (plain, picklable data).

    Beyond the triage result: the EXIF facts, the reportable hits of the lists in use, the
    known-good verdict, whether a picture was too flat to near-match, and whether the file
    looks like a chat source. The coordinator only stores or prints it.
    """

    seq: int
    result: FileResult
    exif: dict[str, Any] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    known_good: bool = False
    pdq_low_quality: bool = False
    chat_candidate: ChatCandidate | None = None
    locator: Locator | None = None
    """Where the file is, stored so later steps reopen it without walking the source."""


@dataclass
class Work:
    """One file on its way through the stages."""

    entry: Entry
    result: FileResult
    head: bytes = b""
    content: bytes | None = None
    """The whole file when it was read whole for the picture decoder; dropped at the end."""
    exif: dict[str, Any] | None = None
    hits: list[Hit] = field(default_factory=list)
    known_good: bool = False
    pdq_low_quality: bool = False
    chat_candidate: ChatCandidate | None = None

    @property
    def read(self) -> bool:
        """Whether the content was read and digested (later stages need it)."""
        return self.result.md5 is not None

    def processed(self, seq: int) -> Processed:
        exif = self.exif if self.exif is not None else (self.result.exif or {})
        return Processed(
            seq,
            self.result,
            exif,
            self.hits,
            self.known_good,
            self.pdq_low_quality,
            self.chat_candidate,
            self.entry.locator,
        )


class Stage(ABC):
    """One step of the per-file work; a profile lists stages in the order they run."""

    name: ClassVar[str]

    @abstractmethod
    def run(self, work: Work) -> None:
        """Do this step on ``work``; record problems on its result, never raise for them."""


def start(entry: Entry) -> Work:
    """The work for ``entry`` before any stage ran."""
    result = FileResult(
        path=entry.path,
        size=entry.size,
        deleted=entry.deleted,
        times=entry.times,
        error=entry.error,
        warnings=list(entry.warnings),
    )
    return Work(entry, result)


def run_stages(entry: Entry, stages: list[Stage]) -> Work:
    """Run ``stages`` in order on ``entry``."""
    work = start(entry)
    for stage in stages:
        stage.run(work)
    work.content = None
    return work
