"""The py7zr side of :mod:`phunt.sources.sevenzip`, imported when a 7z is first read:
py7zr and its codecs cost every command that merely registers the 7z source."""

from __future__ import annotations

import lzma
from typing import IO

import py7zr
import py7zr.io
from py7zr import exceptions as py7zr_errors

__all__ = ["ERRORS", "SpoolFactory", "SpoolWriter", "py7zr", "py7zr_errors"]

#: What py7zr raises on a damaged archive (it also asserts on header fields it trusts).
ERRORS = (
    py7zr_errors.ArchiveError, lzma.LZMAError, OSError, EOFError, ValueError, KeyError, TypeError,
    AssertionError,
)  # fmt: skip


class SpoolWriter(py7zr.io.Py7zIO):
    """Receives one member from py7zr into a temporary file, refusing to grow past a limit."""

    def __init__(self, spool: IO[bytes], limit: int) -> None:
        self._spool = spool
        self._limit = limit
        self._written = 0

    def write(self, s: bytes | bytearray) -> int:
        self._written += len(s)
        if self._written > self._limit:
            raise OSError(f"member expands past its declared {self._limit} bytes (archive bomb?)")
        return self._spool.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self._spool.read(-1 if size is None else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._spool.seek(offset, whence)

    def flush(self) -> None:
        self._spool.flush()

    def size(self) -> int:
        return self._written


class SpoolFactory(py7zr.io.WriterFactory):
    """Hands py7zr the spool for the ``occurrence``-th member of a name, a sink for others.

    py7zr extracts every member that bears a target's name, in archive order (renaming
    the later ones); only the member the key names is kept.
    """

    def __init__(self, spool: IO[bytes], limit: int, occurrence: int) -> None:
        self._writer = SpoolWriter(spool, limit)
        self._occurrence = occurrence
        self._created = 0

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        self._created += 1
        if self._created - 1 == self._occurrence:
            return self._writer
        return py7zr.io.NullIO()  # type: ignore[no-untyped-call]
