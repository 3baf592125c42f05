"""Expansion limits that stop archive bombs, and the base class of archive sources.

A high ratio alone is not a bomb: a gzipped raw disk image or a file of zeros expands a
thousandfold quite innocently. What stops a bomb is a budget per source: bytes expanded
in all, bytes expanded at a ratio over ``max_ratio`` (what bombs do), and scratch space
for spooled containers. Each member is judged on its own, so a refused member never
hides the others, and each refusal names the limit and the option that raises it.

Declared sizes in archive headers can lie, so limits are checked twice: against the
header before a member is listed, and again while its bytes are read (a
:class:`BoundedReader` refuses to hand out more than the member may expand to).
"""

from __future__ import annotations

import io
import lzma
import re
import shutil
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from phunt.sources.base import Source, display_path, join_container_path
from phunt.sources.locator import Locator

_GIB = 1 << 30
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": _GIB, "T": 1 << 40, "P": 1 << 50}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?\s*$", re.IGNORECASE)
#: Free space a spool must leave on the scratch file system.
SCRATCH_RESERVE = _GIB


def parse_size(text: str) -> int:
    """Bytes from ``"64G"``, ``"1.5T"``, ``"500MiB"`` or ``"1048576"`` (binary units)."""
    found = _SIZE.match(text)
    if found is None:
        raise ValueError(f"not a size: {text!r} (give bytes, or a number with K, M, G, T)")
    return int(float(found.group(1)) * _UNITS[found.group(2).upper()])


def format_size(size: int) -> str:
    """``size`` in binary units for error lines: ``64 GiB``, ``5.0 MiB``, ``900 bytes``."""
    for unit, scale in (("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", _GIB), ("MiB", 1 << 20)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    if size >= 1 << 10:
        return f"{size / (1 << 10):.1f} KiB"
    return f"{size} bytes"


def _amount(size: int) -> str:
    """``size`` for an error line: readable, and exact when the units round it."""
    shown = format_size(size)
    return shown if shown.endswith(" bytes") else f"{shown} ({size} bytes)"


@dataclass(frozen=True)
class ExpandLimits:
    """How far containers are opened, per source (one path named to ``scan`` or ``ingest``).

    ``max_depth``: containers in one chain (``a.zip!/b.zip!/c`` is 2); a deeper one is
    hashed as a file and an error says it was not opened. ``max_expanded_bytes``: bytes
    decompressed from the source in all. ``max_high_ratio_bytes``: of those, bytes from
    members that expand more than ``max_ratio`` times (counted once a member passes
    ``ratio_floor``: small files of zeros compress a thousandfold innocently).
    ``max_scratch_bytes``: spooled copies of nested containers alive at once (never
    leaving less than :data:`SCRATCH_RESERVE` free). ``max_members``: per archive.
    ``max_listing_cpu``: seconds of CPU one step of a disk image's file-system
    listing may take (a folder read, a file's metadata loaded); healthy steps take
    milliseconds, damaged metadata can spin The Sleuth Kit for tens of seconds.
    """

    max_depth: int = 5
    max_ratio: float = 100.0
    max_expanded_bytes: int = 1 << 40
    max_high_ratio_bytes: int = 64 * _GIB
    max_scratch_bytes: int = 256 * _GIB
    max_members: int = 10_000_000
    ratio_floor: int = 1 << 20
    max_listing_cpu: float = 2.0

    def high_ratio(self, uncompressed: int, compressed: int | None) -> bool:
        """True when ``uncompressed`` from ``compressed`` bytes is bomb-like expansion."""
        if compressed is None or uncompressed <= self.ratio_floor:
            return False
        return uncompressed / max(compressed, 1) > self.max_ratio

    def depth_problem(self) -> str:
        """The error of a container nested deeper than :attr:`max_depth`."""
        return (
            f"expansion limit: container nesting deeper than {self.max_depth}; hashed as a "
            f"file, its members not read (raise with --max-depth)"
        )


class Budget:
    """What one source may still expand and spool, shared by every nested archive in it."""

    def __init__(self, limits: ExpandLimits) -> None:
        self.limits = limits
        self.used = 0
        self.high_ratio_used = 0
        self.scratch_used = 0

    def take(self, size: int, compressed: int | None = None) -> str | None:
        """Reserve ``size`` bytes expanded from ``compressed`` (``None``: not known or
        not compressed); return the refusal reason, reserving nothing, when they pass a
        limit."""
        limits = self.limits
        if self.used + size > limits.max_expanded_bytes:
            return (
                f"expansion limit: {_amount(size)} would pass this "
                f"source's budget of {format_size(limits.max_expanded_bytes)} expanded "
                f"({format_size(self.used)} used); not read (raise with --max-expanded)"
            )
        high = compressed is not None and limits.high_ratio(size, compressed)
        if high and self.high_ratio_used + size > limits.max_high_ratio_bytes:
            assert compressed is not None
            ratio = size / max(compressed, 1)
            return (
                f"expansion limit: {_amount(size)} from "
                f"{format_size(compressed)} (ratio {ratio:.0f} > {limits.max_ratio:g}) would "
                f"pass this source's budget of {format_size(limits.max_high_ratio_bytes)} "
                f"expanded at a ratio over {limits.max_ratio:g} "
                f"({format_size(self.high_ratio_used)} used); possible archive bomb, not read "
                "(raise with --max-high-ratio)"
            )
        self.used += size
        if high:
            self.high_ratio_used += size
        return None

    def high_ratio_left(self) -> int:
        """Bytes that may still expand at a high ratio (what a streamed member may reach
        before its ratio is known)."""
        return max(0, self.limits.max_high_ratio_bytes - self.high_ratio_used)

    def expanded_left(self) -> int:
        """Bytes that may still be expanded at all."""
        return max(0, self.limits.max_expanded_bytes - self.used)

    def spool(self, size: int, folder: str) -> str | None:
        """Reserve ``size`` bytes of scratch in ``folder``; the refusal reason when the
        budget or the file system's free space would not hold them."""
        limits = self.limits
        if self.scratch_used + size > limits.max_scratch_bytes:
            return (
                f"scratch limit: spooling it needs {_amount(size)}, past "
                f"this source's scratch budget of {format_size(limits.max_scratch_bytes)} "
                f"({format_size(self.scratch_used)} in use); not opened "
                "(raise with --max-scratch)"
            )
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = None
        if free is not None and size + SCRATCH_RESERVE > free:
            return (
                f"scratch limit: spooling it needs {_amount(size)} and "
                f"the scratch folder has {format_size(free)} free; not opened "
                "(free space there, or point TMPDIR at a folder with room)"
            )
        self.scratch_used += size
        return None

    def unspool(self, size: int) -> None:
        """Give back the scratch of a spool that was removed."""
        self.scratch_used = max(0, self.scratch_used - size)


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
