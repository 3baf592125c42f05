"""The per-file work of triage: one read for the digests, then content type.

Kept free of any database or terminal code so the same function runs in a local process
pool, on a Dask worker, and under ``phunt hash`` on a laptop at a raid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from phunt.content.mime import extension_mismatch, mime_from_head
from phunt.hashing.crypto import digest_stream
from phunt.sources.base import Entry, FileTimes


@dataclass
class FileResult:
    """What triage learnt about one entry; ``error`` set means it could not be read."""

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

    def hashes(self) -> dict[str, str]:
        """The digests that were computed, keyed by kind."""
        found = {"md5": self.md5, "sha1": self.sha1, "sha256": self.sha256}
        return {k: v for k, v in found.items() if v is not None}

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines record of ``phunt hash --json``."""
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "md5": self.md5,
            "sha1": self.sha1,
            "sha256": self.sha256,
            "mime": self.mime,
            "error": self.error,
        }
        if self.deleted:
            out["deleted"] = True
        if self.extension_mismatch:
            out["extension_mismatch"] = True
        if self.warnings:
            out["warning"] = "; ".join(self.warnings)
        return out


def hash_entry(entry: Entry) -> FileResult:
    """Hash one entry; read errors become the result's ``error``, never an exception."""
    result = FileResult(
        path=entry.path,
        size=entry.size,
        deleted=entry.deleted,
        times=entry.times,
        error=entry.error,
        warnings=list(entry.warnings),
    )
    if entry.error is not None:
        return result
    try:
        with entry.open() as stream:
            digests = digest_stream(stream)
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result
    result.size = digests.size
    result.md5, result.sha1, result.sha256 = digests.md5, digests.sha1, digests.sha256
    result.mime = mime_from_head(digests.head)
    result.extension_mismatch = extension_mismatch(entry.path, result.mime)
    # The content was read; the name still could not be shown exactly, which is an error
    # the examiner must see, tied to this file.
    result.error = entry.name_problem
    return result
