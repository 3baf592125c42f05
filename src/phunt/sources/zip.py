"""Zip archives (zip64 included): members are streamed from the archive, never extracted.

Detection is by the first bytes; a file named ``.zip`` that starts with something else
(a self-extractor stub, prepended junk) is also found by its end record. Zip's DOS times
carry no time zone: where the "UT" extra field gives a UTC modification time it is used,
otherwise the DOS time is recorded as if it were UTC. A zip whose central directory is
missing (a truncated download, a cut-off copy) is salvaged by walking its local headers,
and the member where the data breaks is named.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from phunt.sources.base import Entry, FileTimes
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.limits import ArchiveSource, bounded, name_warnings
from phunt.sources.locator import open_read_only

_HEAD_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: Methods the standard library can decompress: stored, deflate, bzip2, lzma.
_SUPPORTED_METHODS = frozenset({0, 8, 12, 14})
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_ENCRYPTED = "encrypted member: not read"


def _times(info: zipfile.ZipInfo) -> FileTimes:
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        body = extra[4 : 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return FileTimes(modified=_utc(struct.unpack("<I", body[1:5])[0]))
        extra = extra[4 + size :]
    try:
        return FileTimes(modified=datetime(*info.date_time, tzinfo=UTC))
    except ValueError:
        return FileTimes()


def _compressed(info: zipfile.ZipInfo) -> int | None:
    """The member's compressed size, ``None`` for a stored one (nothing expands)."""
    return None if info.compress_type == zipfile.ZIP_STORED else info.compress_size


class ZipSource(ArchiveSource):
    """Every member of a zip archive."""

    name = "zip"
    _zip: zipfile.ZipFile | None = None

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        if head.startswith(_HEAD_MAGICS):
            return True
        if not path.lower().endswith(".zip"):
            return False  # the end-record search costs a second read; only for .zip names
        try:
            if not os.path.isfile(path):
                return False
            with open_read_only(path) as handle:
                return zipfile.is_zipfile(handle)
        except (OSError, zipfile.BadZipFile, ValueError):  # a damaged end record: not a zip
            return False

    def _archive(self) -> zipfile.ZipFile:
        """The open archive, opened on first use and kept until :meth:`close`."""
        if self._zip is None:
            raw = open_read_only(self.path)
            self.keep(raw)  # closed after the archive (ZipFile leaves a passed file open)
            self._zip = zipfile.ZipFile(raw)
            self.keep(self._zip)
        return self._zip

    def entries(self) -> Iterator[Entry]:
        try:
            archive = self._archive()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            yield from self._salvage(str(exc))
            return
        except NotImplementedError as exc:  # a directory needing a zip version Python lacks
            yield from self._salvage(f"central directory not readable: {exc}")
            return
        except OSError as exc:
            yield Entry(path=self.archive_path(), error=f"cannot open zip: {exc}")
            return
        # A member with an empty name is no directory (zipfile's is_dir fails on it).
        members = [
            (i, info)
            for i, info in enumerate(archive.infolist())
            if not info.filename.endswith("/")
        ]
        for count, (index, info) in enumerate(members):
            if count >= self.limits.max_members:
                reason = f"expansion limit: more than {self.limits.max_members} members"
                yield Entry(path=self.archive_path(), error=f"{reason}; rest not listed")
                return
            yield self._entry(index, info)

    def open_member(self, key: str) -> BinaryIO:
        """``key`` is ``index:name`` in the central directory (names can repeat), or
        ``local@offset`` for a member salvaged from its local header."""
        where, _, name = key.partition(":")
        if where.startswith("local@"):
            return self._open_local(int(where[6:]))
        try:
            info = self._archive().infolist()[int(where)]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise OSError(f"{self.display}: cannot open zip: {exc}") from exc
        except IndexError:
            info = None
        if info is None or info.filename != name:
            raise OSError(f"{self.display}: no member {key!r}")
        shown = self.member_path(info.filename)
        try:
            stream = self._archive().open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise OSError(f"{shown}: {exc}") from exc
        return bounded(stream, info.file_size, shown)

    def _open_local(self, offset: int) -> BinaryIO:
        with open_read_only(self.path) as handle:
            handle.seek(offset)
            raw = handle.read(_LOCAL_HEADER.size)
            if len(raw) < _LOCAL_HEADER.size or not raw.startswith(b"PK\x03\x04"):
                raise OSError(f"{self.display}: no local header at offset {offset}")
            (_, _, _, method, _, _, _, csize, usize, nlen, xlen) = _LOCAL_HEADER.unpack(raw)
        if method not in (0, 8):
            raise OSError(f"{self.display}: compression method {method} at offset {offset}")
        data_at = offset + _LOCAL_HEADER.size + nlen + xlen
        return bounded(_InflateReader(self.path, data_at, csize, method), usize, self.display)

    def _entry(self, index: int, info: zipfile.ZipInfo) -> Entry:
        """One member, judged on its own: a refused member never hides the others."""
        entry = Entry(
            path=self.member_path(info.filename),
            size=info.file_size,
            times=_times(info),
            warnings=name_warnings(info.filename),
        )
        if info.flag_bits & 0x1:
            entry.error = _ENCRYPTED
        elif info.compress_type not in _SUPPORTED_METHODS:
            entry.error = f"unsupported compression method {info.compress_type}: not read"
        else:
            entry.error = self.budget.take(info.file_size, _compressed(info))
        if entry.error is None:
            entry.locator = self.member_locator(f"{index}:{info.filename}")
        return entry

    def _salvage(self, why: str) -> Iterator[Entry]:
        """Walk local headers of a zip with no usable central directory."""
        yield Entry(
            path=self.archive_path(),
            error=f"damaged zip ({why}); members listed from local headers",
        )
        size = os.path.getsize(self.path)
        offset = 0
        with open_read_only(self.path) as handle:
            for count in range(self.limits.max_members + 1):
                handle.seek(offset)
                raw = handle.read(_LOCAL_HEADER.size)
                if len(raw) < _LOCAL_HEADER.size or not raw.startswith(b"PK\x03\x04"):
                    return
                if count == self.limits.max_members:
                    yield Entry(path=self.archive_path(), error="expansion limit: members")
                    return
                (_, _, flags, method, _, _, _, csize, usize, nlen, xlen) = _LOCAL_HEADER.unpack(raw)
                name = handle.read(nlen).decode("utf-8" if flags & 0x800 else "cp437", "replace")
                data_at = offset + _LOCAL_HEADER.size + nlen + xlen
                entry = Entry(path=self.member_path(name), size=usize, warnings=name_warnings(name))
                if flags & 0x8:
                    entry.error = f"damaged zip: sizes of {name!r} not in its header; stopped"
                    yield entry
                    return
                if data_at + csize > size:
                    entry.error = f"truncated archive: member data breaks at offset {size}"
                    yield entry
                    return
                if flags & 0x1:
                    entry.error = _ENCRYPTED
                elif method not in (0, 8):
                    entry.error = f"compression method {method} not read in a damaged zip"
                else:
                    entry.error = self.budget.take(usize, csize if method else None)
                if entry.error is None:
                    entry.locator = self.member_locator(f"local@{offset}")
                yield entry
                offset = data_at + csize


class _InflateReader:
    """Stream a stored or deflated member straight from its offset in a damaged zip."""

    def __init__(self, path: str, start: int, csize: int, method: int) -> None:
        self._file = open_read_only(path)
        self._file.seek(start)
        self._left = csize
        self._inflate = zlib.decompressobj(-15) if method == 8 else None
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else 1 << 20
        while len(self._pending) < want:
            tail = self._inflate.unconsumed_tail if self._inflate is not None else b""
            chunk = self._file.read(min(1 << 16, self._left)) if self._left > 0 else b""
            self._left -= len(chunk)
            if not chunk and not tail:
                if self._inflate is not None:
                    self._pending += self._inflate.flush()
                break
            if self._inflate is None:
                self._pending += chunk
            else:
                self._pending += self._inflate.decompress(tail + chunk, want)
        out, self._pending = self._pending[:want], self._pending[want:]
        return out

    def close(self) -> None:
        self._file.close()
