"""What a source says about itself, in one call: kind, size, segments and their SHA-256,
and for an E01 set the MD5 stored at acquisition checked against the media.

This reads the whole source (a 20 GB image takes minutes), so ingest runs it as work on
a worker, never in the coordinator's thread.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from phunt.errors import CorruptInput, UsageError
from phunt.hashing.crypto import sha256_stream
from phunt.sources.base import display_path
from phunt.sources.ewf_chunks import ChunkCheck
from phunt.sources.folder import root_problem
from phunt.sources.locator import open_read_only


@dataclass(frozen=True)
class SourceFacts:
    """The source's own facts, as recorded on the ingest job and in its audit record.

    ``kind`` is ``"folder"`` or ``"file"``; a folder has no size or digest. ``segments``
    maps each segment's file name to its SHA-256 when the source is a split image of more
    than one segment (empty otherwise); ``verification`` holds ``{"ewf": {...}}`` for an
    E01 set, empty for anything else.
    """

    kind: str
    size: int | None = None
    sha256: str | None = None
    segments: dict[str, str] = field(default_factory=dict)
    verification: dict[str, Any] = field(default_factory=dict)


def describe_kind(path: str) -> SourceFacts:
    """Kind and size only: what is known without reading the source. Raises
    :class:`UsageError` for a root that is no evidence (a symbolic link, a FIFO...)."""
    problem = root_problem(path)
    if problem is not None:
        raise UsageError(f"{display_path(path)}: {problem}")
    if os.path.isdir(path):
        return SourceFacts("folder")
    return SourceFacts("file", size=os.path.getsize(path))


def describe_source(path: str) -> SourceFacts:
    """Every fact of the source at ``path``; reads all of it (each segment once, its E01
    chunks checked on the way, and the media of an E01 set once more to verify its
    stored MD5)."""
    brief = describe_kind(path)
    if brief.kind == "folder":
        return brief
    # Here, not at the top: ingest's coordinator describes the kind and leaves this to a
    # worker, so it never loads the disk-image libraries.
    from phunt.sources.disk_image import is_ewf, segment_files

    segments = segment_files(path)
    chunks = _ChunkPass() if is_ewf(path) else None
    hashes = {}
    for segment in segments:
        name = os.path.basename(segment)
        hashes[name] = _sha256(segment) if chunks is None else chunks.read(segment, name)
    return SourceFacts(
        kind=brief.kind,
        size=brief.size,
        sha256=hashes[os.path.basename(path)],
        segments=hashes if len(segments) > 1 else {},
        verification=_verify_ewf(path, chunks),
    )


def _sha256(path: str) -> str:
    """SHA-256 of a segment, read without moving its access time."""
    with open_read_only(path, buffering=0) as handle:
        return sha256_stream(handle)


class _ChunkPass:
    """Each segment's SHA-256 with its chunks checked in the same read; a segment whose
    sections cannot be followed stops the check (recorded) but is still hashed."""

    def __init__(self) -> None:
        self.check = ChunkCheck()
        self.error: str | None = None

    def read(self, segment: str, name: str) -> str:
        if self.error is not None:
            return _sha256(segment)
        digest = hashlib.sha256()
        try:
            self.check.read_segment(segment, name, digest.update)
        except CorruptInput as exc:
            self.error = f"chunks not checked: {exc}"
            return _sha256(segment)
        return digest.hexdigest()

    def facts(self) -> dict[str, Any]:
        """What the chunk check adds to ``verification["ewf"]``."""
        out: dict[str, Any] = {
            "chunks": self.check.chunks,
            "bytes_per_sector": self.check.bytes_per_sector,
            "bad_sectors": [bad.as_dict() for bad in self.check.bad],
        }
        return out | ({"chunk_error": self.error} if self.error else {})

    @property
    def sound(self) -> bool:
        return self.error is None and not self.check.bad


def _verify_ewf(path: str, chunks: _ChunkPass | None) -> dict[str, Any]:
    from phunt.sources.disk_image import is_ewf, verify_ewf

    if not is_ewf(path):
        return {}
    checked = {} if chunks is None else chunks.facts()
    sound = chunks is None or chunks.sound
    try:
        result = verify_ewf(path)
    except CorruptInput as exc:
        return {"ewf": {"ok": False, "error": str(exc)} | checked}
    ok = result.ok if sound else False
    return {
        "ewf": {
            "stored_md5": result.stored_md5,
            "computed_md5": result.computed_md5,
            "ok": ok,
        }
        | checked
    }
