"""7z archives through py7zr.

py7zr has no streaming reader, so opening a member decompresses it into an anonymous
temporary file in the scratch folder (never named after the member), under the limits.
7z encrypts whole blocks: when the archive needs a password every file member is
recorded as encrypted; when even the names are encrypted, the archive is recorded as one
unreadable item. In a solid archive each member opened decompresses the block up to it.
"""

from __future__ import annotations

import lzma
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO

import py7zr
import py7zr.io
from py7zr import exceptions as py7zr_errors

from phunt import scratch as scratch_area
from phunt.sources.base import Entry, FileTimes
from phunt.sources.limits import ArchiveSource, Budget, ExpandLimits, name_warnings
from phunt.sources.locator import Locator, open_read_only

_MAGIC = b"7z\xbc\xaf\x27\x1c"
#: What py7zr raises on a damaged archive (it also asserts on header fields it trusts).
_ERRORS = (
    py7zr_errors.ArchiveError, lzma.LZMAError, OSError, EOFError, ValueError, KeyError, TypeError,
    AssertionError,
)  # fmt: skip
_ENCRYPTED = "encrypted member: not read"


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _packed_shares(members: list[Any]) -> list[int | None]:
    """Each member's share of its block's compressed size. py7zr gives a solid block's
    packed size on its first member only (``None`` on the rest), so every member of a
    block is judged at the block's ratio."""
    blocks: list[list[int]] = []
    packed: list[int | None] = []
    for index, info in enumerate(members):
        if info.compressed is not None or not blocks:
            blocks.append([])
            packed.append(info.compressed)
        blocks[-1].append(index)
    shares: list[int | None] = [None] * len(members)
    for block, size in zip(blocks, packed, strict=True):
        total = sum(members[i].uncompressed for i in block)
        if size is None or total == 0:
            continue
        for i in block:
            shares[i] = size * members[i].uncompressed // total
    return shares


class _SpoolWriter(py7zr.io.Py7zIO):
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


class _SpoolFactory(py7zr.io.WriterFactory):
    """Hands py7zr the spool for the ``occurrence``-th member of a name, a sink for others.

    py7zr extracts every member that bears a target's name, in archive order (renaming
    the later ones); only the member the key names is kept.
    """

    def __init__(self, spool: IO[bytes], limit: int, occurrence: int) -> None:
        self._writer = _SpoolWriter(spool, limit)
        self._occurrence = occurrence
        self._created = 0

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        self._created += 1
        if self._created - 1 == self._occurrence:
            return self._writer
        return py7zr.io.NullIO()  # type: ignore[no-untyped-call]


class SevenZipSource(ArchiveSource):
    """Every member of a 7z archive."""

    name = "7z"

    def __init__(
        self,
        path: str,
        *,
        display: str | None = None,
        locator: Locator | None = None,
        limits: ExpandLimits | None = None,
        budget: Budget | None = None,
        scratch_dir: str | None = None,
    ) -> None:
        super().__init__(path, display=display, locator=locator, limits=limits, budget=budget)
        self.scratch_dir = scratch_dir

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        return head.startswith(_MAGIC)

    def entries(self) -> Iterator[Entry]:
        try:
            with open_read_only(self.path) as raw, py7zr.SevenZipFile(raw, "r") as archive:
                members = [info for info in archive.list() if not info.is_directory]
                encrypted = archive.needs_password()
        except py7zr_errors.PasswordRequired:
            yield Entry(
                path=self.archive_path(),
                error="encrypted archive: member names are encrypted too; not read",
            )
            return
        except _ERRORS as exc:
            yield Entry(path=self.archive_path(), error=f"damaged or truncated 7z: {exc}")
            return
        seen: dict[str, int] = {}
        packed = _packed_shares(members)
        for index, info in enumerate(members):
            if index >= self.limits.max_members:
                reason = f"expansion limit: more than {self.limits.max_members} members"
                yield Entry(path=self.archive_path(), error=f"{reason}; rest not listed")
                return
            occurrence = seen.get(info.filename, 0)
            seen[info.filename] = occurrence + 1
            yield self._entry(info, encrypted, occurrence, packed[index])

    def _entry(self, info: Any, encrypted: bool, occurrence: int, packed: int | None) -> Entry:
        entry = Entry(
            path=self.member_path(info.filename),
            size=info.uncompressed,
            times=FileTimes(modified=_utc(info.creationtime)),
            warnings=name_warnings(info.filename),
        )
        if info.is_symlink:
            entry.error = "skipped: symbolic link, not followed"
            entry.size = None
        elif encrypted:
            entry.error = _ENCRYPTED
        else:
            entry.error = self.budget.take(info.uncompressed, packed)
        if entry.error is None:
            entry.locator = self.member_locator(f"{occurrence}:{info.filename}")
        return entry

    def open_member(self, key: str) -> BinaryIO:
        """``key`` is ``occurrence:name`` (names can repeat: the n-th member of that name);
        the member is decompressed into an anonymous spool."""
        number, _, name = key.partition(":")
        if not number.isdigit():
            raise OSError(f"{self.display}: no member {key!r}")
        occurrence = int(number)
        where = self.scratch_dir or scratch_area.folder()
        spool = tempfile.TemporaryFile(dir=where)  # noqa: SIM115 - returned
        try:
            with open_read_only(self.path) as raw, py7zr.SevenZipFile(raw, "r") as archive:
                found = [i for i in archive.list() if i.filename == name and not i.is_directory]
                if len(found) <= occurrence:
                    raise OSError(f"{self.display}: no member {key!r}")
                size = found[occurrence].uncompressed
                archive.reset()
                factory = _SpoolFactory(spool, size, occurrence)
                archive.extract(targets=[name], factory=factory)
        except (*_ERRORS, py7zr_errors.PasswordRequired) as exc:
            spool.close()
            raise OSError(f"{self.member_path(name)}: {exc}") from exc
        spool.seek(0)
        return spool
