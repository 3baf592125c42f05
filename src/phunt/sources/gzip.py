"""A lone compressed file (``.gz``, ``.bz2``, ``.xz``): one member, its decompressed bytes.

Compressed tars are the tar source's; this one takes whatever else is compressed. The
member is named after the file without its compression suffix (``syslog.gz!/syslog``).
Its size is counted by decompressing once, under the expansion limits, which also finds
a truncated stream before anyone relies on its hash.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from phunt.sources.base import Entry, FileTimes
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.limits import ArchiveSource, ExpansionLimitError, Readable, bounded
from phunt.sources.locator import open_read_only


class _Owning(io.RawIOBase):
    """A decompressor over a file it closes too (``gzip``, ``bz2`` and ``lzma`` leave a
    file object they were given open), so the evidence can be opened with O_NOATIME."""

    def __init__(self, opener: Callable[[BinaryIO], Readable], path: str) -> None:
        super().__init__()
        self._raw = open_read_only(path)
        try:
            self._stream = opener(self._raw)
        except BaseException:
            self._raw.close()
            raise

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._raw.close()
            super().close()


def _open_gzip(path: str) -> Readable:
    return _Owning(lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), path)


def _open_bzip2(path: str) -> Readable:
    return _Owning(lambda raw: bz2.BZ2File(raw, "rb"), path)


def _open_xz(path: str) -> Readable:
    return _Owning(lambda raw: lzma.LZMAFile(raw, "rb"), path)


_FORMATS: dict[bytes, tuple[str, Callable[[str], Readable]]] = {
    b"\x1f\x8b": ("gzip", _open_gzip),
    b"BZh": ("bzip2", _open_bzip2),
    b"\xfd7zXZ\x00": ("xz", _open_xz),
}
_SUFFIXES = {".gz": "", ".gzip": "", ".bz2": "", ".xz": "", ".tgz": ".tar", ".tbz": ".tar"}
_SUFFIXES.update({".tbz2": ".tar", ".txz": ".tar"})
_DECODE_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError)


def _member_name(display: str) -> str:
    base = display.rsplit("/", 1)[-1]
    lower = base.lower()
    for suffix, replacement in _SUFFIXES.items():
        if lower.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    return base + ".decompressed"


#: gzip header (RFC 1952): ID1 ID2, CM (8: deflate), FLG, MTIME, XFL, OS.
_GZIP_HEADER = 10
_GZIP_RESERVED_FLAGS = 0xE0
#: bzip2: ``BZh`` and a block size digit, then a block's or the end-of-stream's magic.
_BZIP2_MAGICS = (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")
#: How much of the head a probe inflates to see that deflate data follows the header.
_PROBE_OUTPUT = 4096


def looks_like_gzip(head: bytes) -> bool:
    """The gzip magic alone (two bytes: one file in 65,536 by chance) is not enough: CM
    must be 8 (deflate), the reserved FLG bits zero, and the header and the start of the
    deflate data must decode. XFL and OS are not judged: decoders ignore them and writers
    vary. A head cut inside the header counts when what is there is valid (a truncated
    gzip)."""
    if not head.startswith(b"\x1f\x8b"):
        return False
    if len(head) > 2 and head[2] != 8:
        return False
    if len(head) > 3 and head[3] & _GZIP_RESERVED_FLAGS:
        return False
    if len(head) <= _GZIP_HEADER:
        return True
    try:
        zlib.decompressobj(wbits=31).decompress(head, _PROBE_OUTPUT)
    except zlib.error:
        return False
    return True


def looks_like_bzip2(head: bytes) -> bool:
    """``BZh``, a block size 1-9, then a block (or an empty stream's end) magic."""
    if not head.startswith(b"BZh"):
        return False
    if len(head) > 3 and head[3:4] not in b"123456789":
        return False
    return len(head) < 10 or head[4:10] in _BZIP2_MAGICS


_PROBES: dict[bytes, Callable[[bytes], bool]] = {
    b"\x1f\x8b": looks_like_gzip,
    b"BZh": looks_like_bzip2,
    b"\xfd7zXZ\x00": lambda head: True,
}


class CompressedFileSource(ArchiveSource):
    """The single decompressed member of a gzip, bzip2 or xz file."""

    name = "compressed"

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        return any(head.startswith(magic) and looks(head) for magic, looks in _PROBES.items())

    def _format(self) -> tuple[str, Callable[[str], Readable]] | None:
        with open_read_only(self.path) as handle:
            head = handle.read(6)
        for magic, found in _FORMATS.items():
            if head.startswith(magic):
                return found
        return None

    def entries(self) -> Iterator[Entry]:
        try:
            found = self._format()
            compressed = os.stat(self.path)
        except OSError as exc:
            yield Entry(path=self.archive_path(), error=f"cannot read: {exc.strerror}")
            return
        if found is None:
            yield Entry(path=self.archive_path(), error="not a gzip, bzip2 or xz file")
            return
        kind, open_stream = found
        path = self.member_path(_member_name(self.display))
        times = FileTimes(modified=_utc(compressed.st_mtime))
        limit = self._count_limit(compressed.st_size)
        size = 0
        try:
            with bounded(open_stream(self.path), limit, path) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
        except ExpansionLimitError:
            reason = self.budget.take(limit + 1, compressed.st_size)
            reason = reason or f"expansion limit: expands past {limit} bytes; not read"
            yield Entry(path=path, times=times, error=f"stopped past {limit} bytes: {reason}")
            return
        except _DECODE_ERRORS as exc:
            reason = f"{kind} stream damaged or truncated after {size} decompressed bytes: {exc}"
            yield Entry(path=path, times=times, error=reason)
            return
        budget_problem = self.budget.take(size, compressed.st_size)
        if budget_problem is not None:
            yield Entry(path=path, size=size, times=times, error=budget_problem)
            return
        member = _member_name(self.display)
        locator = self.member_locator(f"{member}#{size}")
        yield Entry(path=path, size=size, times=times, locator=locator)

    def open_member(self, key: str) -> BinaryIO:
        """The one member; ``key`` is ``name#size``, the size counted during the walk,
        which bounds the read (a bare name, from before sizes were kept: the ratio limit)."""
        found = self._format()
        if found is None:
            raise OSError(f"{self.display}: not a gzip, bzip2 or xz file")
        name, _, counted = key.rpartition("#")
        if name and counted.isdigit():
            limit = int(counted)
        else:
            name, limit = key, self._limit(os.path.getsize(self.path))
        return bounded(found[1](self.path), limit, self.member_path(name))

    def _count_limit(self, compressed_size: int) -> int:
        """How far the walk decompresses to count the size: what the budget still allows,
        at a high ratio only while the source's high-ratio budget lasts."""
        by_ratio = self._limit(compressed_size)
        return min(self.budget.expanded_left(), max(by_ratio, self.budget.high_ratio_left()))

    def _limit(self, compressed_size: int) -> int:
        """Decompressed bytes allowed: the ratio limit, never below the ratio floor."""
        by_ratio = int(compressed_size * self.limits.max_ratio)
        return max(by_ratio, self.limits.ratio_floor)
