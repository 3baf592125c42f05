"""What a source says about itself, in one call: kind, size, segments and their SHA-256,
and for an E01 set the MD5 stored at acquisition checked against the media.

This reads the whole source (a 20 GB image takes minutes), so ingest runs it as work on
a worker, never in the coordinator's thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from phunt.errors import CorruptInput, UsageError
from phunt.hashing.crypto import sha256_file
from phunt.sources.base import display_path
from phunt.sources.disk_image import is_ewf, segment_files, verify_ewf
from phunt.sources.folder import root_problem


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
    """Every fact of the source at ``path``; reads all of it (each segment once, and the
    media of an E01 set once more to verify its stored MD5)."""
    brief = describe_kind(path)
    if brief.kind == "folder":
        return brief
    segments = segment_files(path)
    hashes = {os.path.basename(segment): sha256_file(segment) for segment in segments}
    return SourceFacts(
        kind=brief.kind,
        size=brief.size,
        sha256=hashes[os.path.basename(path)],
        segments=hashes if len(segments) > 1 else {},
        verification=_verify_ewf(path),
    )


def _verify_ewf(path: str) -> dict[str, Any]:
    if not is_ewf(path):
        return {}
    try:
        result = verify_ewf(path)
    except CorruptInput as exc:
        return {"ewf": {"ok": False, "error": str(exc)}}
    return {
        "ewf": {
            "stored_md5": result.stored_md5,
            "computed_md5": result.computed_md5,
            "ok": result.ok,
        }
    }
