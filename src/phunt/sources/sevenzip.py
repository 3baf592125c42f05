"""7z archives through py7zr.

py7zr has no streaming reader, so opening a member decompresses it into an anonymous
temporary file in the scratch folder (never named after the member), under the limits.
7z encrypts whole blocks: when the archive needs a password every file member is
recorded as encrypted; when even the names are encrypted, the archive is recorded as one
unreadable item. In a solid archive each member opened decompresses the block up to it.
py7zr itself (with its codecs, a tenth of a one-file scan's start-up) is imported when a
7z archive is first read, through :mod:`phunt.sources.sevenzip_io`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from phunt import scratch as scratch_area
from phunt.sources.base import Entry, FileTimes
from phunt.sources.limits import ArchiveSource, Budget, ExpandLimits, name_warnings
from phunt.sources.locator import Locator, open_read_only

_MAGIC = b"7z\xbc\xaf\x27\x1c"
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
        from phunt.sources.sevenzip_io import ERRORS, py7zr, py7zr_errors

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
        except ERRORS as exc:
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
        from phunt.sources.sevenzip_io import ERRORS, SpoolFactory, py7zr, py7zr_errors

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
                factory = SpoolFactory(spool, size, occurrence)
                archive.extract(targets=[name], factory=factory)
        except (*ERRORS, py7zr_errors.PasswordRequired) as exc:
            spool.close()
            raise OSError(f"{self.member_path(name)}: {exc}") from exc
        spool.seek(0)
        return spool
