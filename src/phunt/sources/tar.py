"""Tar archives, plain or compressed with gzip, bzip2 or xz (``.tar.gz``, ``.tgz``...).

The standard library's ``tarfile`` stops quietly at a truncated archive when at least
one member was read, so the end of the last member's data is checked here and a
truncation recorded. Members are streamed: read each entry before moving to the next,
since going back in a compressed tar means decompressing it again from the start.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any, BinaryIO

from phunt.sources.base import Entry, FileTimes, name_problem
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.limits import ArchiveSource, bounded, name_warnings
from phunt.sources.locator import open_read_only

_COMPRESSED_MAGICS = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_DECODE_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError)
#: Bytes decompressed between budget checks while passing over a compressed member.
_STEP = 16 << 20
_SPECIAL = {
    tarfile.FIFOTYPE: "a FIFO (named pipe)",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
}


def looks_like_tar_header(block: bytes) -> bool:
    """A ustar/GNU magic at 257, or an old-style header whose checksum adds up."""
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    try:
        stored = int(block[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    computed = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return stored == computed and block[0] != 0


def _decompressed_head(path: str, head: bytes) -> bytes:
    opener: dict[bytes, Callable[..., Any]] = {
        b"\x1f\x8b": gzip.open,
        b"BZh": bz2.open,
        b"\xfd7zXZ\x00": lzma.open,
    }
    for magic, open_compressed in opener.items():
        if head.startswith(magic):
            try:
                with open_read_only(path) as raw, open_compressed(raw, "rb") as stream:
                    return bytes(stream.read(512))
            except (*_DECODE_ERRORS, ValueError):
                return b""
    return b""


def _times(info: tarfile.TarInfo) -> tuple[FileTimes, list[str]]:
    """The member's times, and a warning for each one present but out of range (a year
    past 9999, a huge negative): the file is kept, the raw value recorded."""
    warnings: list[str] = []

    def convert(label: str, raw: object) -> datetime | None:
        if raw is None:
            return None
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            warnings.append(f"tar member {label} is not a number, not kept: {raw!r}")
            return None
        converted = _utc(value)
        if converted is None:
            warnings.append(f"tar member {label} out of range, not kept: {raw!r}")
        return converted

    times = FileTimes(
        modified=convert("mtime", info.pax_headers.get("mtime", info.mtime)),
        accessed=convert("atime", info.pax_headers.get("atime")),
        changed=convert("ctime", info.pax_headers.get("ctime")),
    )
    return times, warnings


class TarSource(ArchiveSource):
    """Every member of a tar archive, compressed or not."""

    name = "tar"

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        if looks_like_tar_header(head):
            return True
        if head.startswith(_COMPRESSED_MAGICS):
            return looks_like_tar_header(_decompressed_head(path, head))
        return False

    _tar: tarfile.TarFile | None = None
    _raw: IO[bytes]

    def _archive(self) -> tarfile.TarFile:
        """The open archive, opened on first use and kept until :meth:`close`."""
        if self._tar is None:
            raw = open_read_only(self.path)
            self.keep(raw)
            self._raw = raw  # its position says how many compressed bytes were read
            self._tar = tarfile.open(fileobj=raw, mode="r:*")  # noqa: SIM115 - in close()
            self.keep(self._tar)
        return self._tar

    def open_member(self, key: str) -> BinaryIO:
        """``key`` is the offset of the member's header (for a hard link, its target's).

        Going back in a compressed tar decompresses it again from the start, so members
        are best opened in the order they were listed, as the walk and the workers do.
        """
        try:
            archive = self._archive()
            assert archive.fileobj is not None
            archive.fileobj.seek(int(key))  # next() refuses to go back to offset 0 itself
            archive.offset = int(key)
            archive.firstmember = None  # type: ignore[attr-defined] # the first member read
            info = archive.next()
        except (*_DECODE_ERRORS, ValueError) as exc:
            raise OSError(f"{self.display}: member at {key}: {exc}") from exc
        if info is None or int(info.offset) != int(key) or not info.isfile():
            raise OSError(f"{self.display}: no file member at offset {key}")
        shown = self.member_path(info.name)
        try:
            stream = archive.extractfile(info)
        except (*_DECODE_ERRORS, ValueError) as exc:
            raise OSError(f"{shown}: {exc}") from exc
        if stream is None:
            raise OSError(f"{shown}: no content")
        return bounded(stream, info.size, shown)

    def entries(self) -> Iterator[Entry]:
        self._sizes: dict[str, tuple[int, int]] = {}
        with open_read_only(self.path) as handle:
            compressed = handle.read(6).startswith(_COMPRESSED_MAGICS)
        try:
            archive = self._archive()
        except (*_DECODE_ERRORS, ValueError) as exc:
            yield Entry(path=self.archive_path(), error=f"cannot open tar: {exc}")
            return
        last: tarfile.TarInfo | None = None
        count = 0
        while True:
            try:
                info = archive.next()
            except (*_DECODE_ERRORS, ValueError) as exc:
                yield self._broken(last, f"damaged or truncated archive: {exc}")
                return
            if info is None:
                break
            last = info
            if info.isdir():
                continue
            count += 1
            if count > self.limits.max_members:
                yield self._broken(info, f"expansion limit: {self.limits.max_members} members")
                return
            entry = self._entry(info)
            if entry.error is None and info.isfile():
                packed: int | str | None = None
                if compressed and info.size:
                    try:
                        packed = self._pass_over(archive, info)
                    except (*_DECODE_ERRORS, ValueError) as exc:
                        yield self._broken(last, f"damaged or truncated archive: {exc}")
                        return
                if isinstance(packed, str):
                    entry.error, entry.locator = packed, None
                    yield entry
                    reason = "members after it not read: reaching them means decompressing it"
                    yield self._broken(info, reason)
                    return
                self._take(entry, info.size, packed)
            elif entry.error is None:
                self._take(entry, entry.size or 0, None)
            yield entry
        if last is not None and not _data_complete(archive, last):
            yield self._broken(last, "truncated archive: data ends inside this member")
        else:
            problem = _tail_problem(archive)
            if problem is not None:
                yield self._broken(last, problem)

    def _broken(self, after: tarfile.TarInfo | None, reason: str) -> Entry:
        where = "at the start" if after is None else f"after member {after.name!r}"
        offset = 0 if after is None else after.offset_data + after.size
        return Entry(path=self.archive_path(), error=f"{reason} ({where}, offset {offset})")

    def _entry(self, info: tarfile.TarInfo) -> Entry:
        times, time_warnings = _times(info)
        entry = Entry(
            path=self.member_path(info.name),
            times=times,
            warnings=name_warnings(info.name) + time_warnings,
            name_problem=name_problem(info.name),
        )
        if info.issym():
            entry.error = f"skipped: symbolic link, not followed (-> {info.linkname})"
        elif info.type in _SPECIAL:
            entry.error = f"skipped: {_SPECIAL[info.type]}, not a regular file"
        elif not (info.isfile() or info.islnk()):
            entry.error = f"skipped: tar member type {info.type!r}, not a regular file"
        else:
            size, offset = info.size, info.offset
            if info.islnk():
                entry.warnings.append(f"hard link to {info.linkname!r}")
                target = self._sizes.get(info.linkname)
                if target is None:
                    entry.error = f"hard link to a member not in the archive: {info.linkname!r}"
                    return entry
                size, offset = target
            entry.size = size
            self._sizes[info.name] = (size, offset)
            entry.locator = self.member_locator(str(offset))
        return entry

    def _take(self, entry: Entry, size: int, packed: int | None) -> None:
        """Charge the member to the source's budget; refused, it keeps no locator."""
        entry.error = self.budget.take(size, packed)
        if entry.error is not None:
            entry.locator = None

    def _pass_over(self, archive: tarfile.TarFile, info: tarfile.TarInfo) -> int | str:
        """Decompress through the member's data, as reaching the next header must, and
        return the compressed bytes it took; or the refusal, once it expands at a high
        ratio past what the budget has left (the rest is then never decompressed)."""
        budget, limits = self.budget, self.limits
        if info.size > budget.expanded_left():
            refusal = budget.take(info.size)
            assert refusal is not None
            return refusal
        fileobj = archive.fileobj
        assert fileobj is not None
        start = self._raw.tell()
        done = 0
        while done < info.size:
            done += min(_STEP, info.size - done)
            fileobj.seek(info.offset_data + done)
            packed = self._raw.tell() - start
            if done == info.size:
                break  # passed over whole: judged like any member, and the next is reachable
            if info.size > budget.high_ratio_left() and limits.high_ratio(done, packed):
                refusal = budget.take(info.size, packed * info.size // done)
                if refusal is not None:
                    return f"{refusal} (judged on its first {done} bytes)"
        return self._raw.tell() - start


def _data_complete(archive: tarfile.TarFile, last: tarfile.TarInfo) -> bool:
    """True when the archive holds every byte of ``last``'s data."""
    end = last.offset_data + last.size
    if last.size == 0:
        return True
    fileobj = archive.fileobj
    if fileobj is None:
        return False
    try:
        fileobj.seek(end - 1)
        return len(fileobj.read(1)) == 1
    except (*_DECODE_ERRORS, ValueError):
        return False


def _tail_problem(archive: tarfile.TarFile) -> str | None:
    """Why the bytes after the last member are not a proper end, or ``None``.

    ``tarfile`` ends quietly on a header it cannot read once one member was read; only
    zero blocks (or nothing) may follow the last member.
    """
    fileobj = archive.fileobj
    if fileobj is None:
        return None
    try:
        fileobj.seek(archive.offset)
        rest = fileobj.read(1024)
    except (*_DECODE_ERRORS, ValueError) as exc:
        return f"truncated archive: {exc}"
    if any(rest):
        return "damaged or truncated member header"
    return None
