"""Expansion limits that stop archive bombs, and the base class of archive sources.

Declared sizes in archive headers can lie, so limits are checked twice: against the
header before a member is listed, and again while its bytes are read (a
:class:`BoundedReader` refuses to hand out more than the member may expand to).
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from phunt.sources.base import Source, display_path, join_container_path
from phunt.sources.locator import Locator


@dataclass(frozen=True)
class ExpandLimits:
    """How far containers are opened.

    ``max_depth``: containers in one chain (``a.zip!/b.zip!/c`` is 2); a deeper one is
    listed as a file with a warning, not opened. ``max_ratio``: uncompressed/compressed
    bytes, per member and per archive, checked only once the uncompressed size passes
    ``ratio_floor`` (small files of zeros compress a thousandfold quite innocently).
    ``max_total_bytes``: uncompressed bytes over one whole expansion. ``max_members``:
    members listed per archive.
    """

    max_depth: int = 5
    max_ratio: float = 100.0
    max_total_bytes: int = 1 << 40
    max_members: int = 10_000_000
    ratio_floor: int = 1 << 20

    def ratio_problem(self, uncompressed: int, compressed: int) -> str | None:
        """The reason ``uncompressed`` from ``compressed`` bytes is refused, or ``None``."""
        if uncompressed <= self.ratio_floor:
            return None
        ratio = uncompressed / max(compressed, 1)
        if ratio <= self.max_ratio:
            return None
        return (
            f"expansion limit: {uncompressed} bytes from {compressed} "
            f"(ratio {ratio:.0f} > {self.max_ratio:g}), possible archive bomb; not read"
        )


class Budget:
    """Uncompressed bytes left for one expansion, shared by every nested archive in it."""

    def __init__(self, limits: ExpandLimits) -> None:
        self.limits = limits
        self.used = 0

    def take(self, size: int) -> str | None:
        """Reserve ``size`` bytes; return the refusal reason when the total would pass."""
        if self.used + size > self.limits.max_total_bytes:
            return (
                f"expansion limit: total uncompressed bytes would pass "
                f"{self.limits.max_total_bytes}; not read"
            )
        self.used += size
        return None


class Readable(Protocol):
    """The least a decompressed stream offers: ``read`` and ``close``."""

    def read(self, size: int = ..., /) -> bytes: ...

    def close(self) -> None: ...


class ExpansionLimitError(OSError):
    """A member tried to expand past what its header declared or the limits allow."""


#: What decompressors raise on damaged data; translated to ``OSError`` for the caller.
_DECODE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError)


class BoundedReader(io.RawIOBase):
    """Reads at most ``limit`` bytes from ``inner`` and raises ``OSError`` past that.

    Damaged compressed data surfaces as ``OSError`` too, the one error
    :meth:`phunt.sources.base.Entry.open` promises.
    """

    def __init__(self, inner: Readable, limit: int, what: str) -> None:
        super().__init__()
        self._inner = inner
        self._left = limit
        self._limit = limit
        self._what = what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        try:
            data = self._inner.read(min(len(view), self._left + 1))
        except _DECODE_ERRORS as exc:
            raise OSError(f"{self._what}: damaged data: {exc}") from exc
        if len(data) > self._left:
            raise ExpansionLimitError(
                f"{self._what}: expands past {self._limit} bytes (archive bomb?)"
            )
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def bounded(inner: Readable, limit: int, what: str) -> BinaryIO:
    """``inner`` behind a :class:`BoundedReader`, buffered, typed as a binary file."""
    return io.BufferedReader(BoundedReader(inner, limit, what))


def name_warnings(name: str) -> list[str]:
    """Warnings for member names that would escape a folder if someone extracted them."""
    warnings = []
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        warnings.append("member name is an absolute path (kept as a name, never extracted)")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        warnings.append("member name contains '..' (kept as a name, never extracted)")
    return warnings


class ArchiveSource(Source):
    """A source whose members expand from compressed bytes, so it takes limits."""

    def __init__(
        self,
        path: str,
        *,
        display: str | None = None,
        locator: Locator | None = None,
        limits: ExpandLimits | None = None,
        budget: Budget | None = None,
    ) -> None:
        super().__init__(path, display=display, locator=locator)
        self.limits = limits or ExpandLimits()
        self.budget = budget or Budget(self.limits)
        self._handles: list[Any] = []

    def keep(self, handle: Any) -> None:
        """Hold ``handle`` open until :meth:`close`, so entries stay readable until then."""
        self._handles.append(handle)

    def close(self) -> None:
        while self._handles:
            self._handles.pop().close()

    def member_path(self, name: str) -> str:
        """The container path of member ``name``."""
        return join_container_path(self.display, display_path(name))

    def archive_path(self) -> str:
        """The path of problems with the archive as a whole: ``x.zip!/``."""
        return join_container_path(self.display, "")
