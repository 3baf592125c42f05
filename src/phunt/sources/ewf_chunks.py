"""Every chunk of an EWF1 (E01) set checked against its own checksum, as libewf checks it.

An E01 stores the media in chunks (64 sectors by default), each with a checksum: an
Adler-32 after an uncompressed chunk, the zlib stream's own Adler-32 in a compressed one.
libewf reads a chunk that fails its check as zeros; ``ewfverify`` then lists the chunk's
sectors as a "sector validation error", but pyewf reads the zeros and says nothing. The
acquisition MD5 alone does not catch it either: a damaged chunk that held zeros reads as
the same zeros. So the chunks are checked here, from the segment files' bytes, in the
same pass that computes each segment's SHA-256 (the segment files are read once).

Layout (EWF1, as in libewf's documentation "Expert Witness Compression Format"): after a
13-byte file header, a chain of sections, each a 76-byte descriptor (type, offset of the
next, size, padding, Adler-32). The first segment's ``volume`` (or ``disk``) section
gives sectors per chunk, bytes per sector and the sector count; each ``table`` section
(``table2`` is its copy) lists the offsets of the chunks stored before it, the high bit
of each entry set for a compressed chunk.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from phunt.errors import CorruptInput
from phunt.sources.locator import open_read_only
from phunt.sources.signatures import EWF_SIGNATURE

_FILE_HEADER = 13
#: Section descriptor: type, next offset, size, padding, Adler-32 of the first 72 bytes.
_SECTION = struct.Struct("<16sQQ40sI")
#: Table header: entry count, padding, base offset, padding, Adler-32 of the first 20 bytes.
_TABLE = struct.Struct("<I4sQ4sI")
#: Volume data: media type and padding, chunk count, sectors per chunk, bytes per sector.
_VOLUME = struct.Struct("<4sIII")
_MAX_SECTIONS = 1 << 20
_READ = 1 << 20
_COMPRESSED = 0x80000000


@dataclass(frozen=True)
class BadRange:
    """Sectors of the media in chunks that failed their check, as ``ewfverify`` lists them."""

    first_sector: int
    count: int
    segments: tuple[str, ...]
    reason: str

    @property
    def last_sector(self) -> int:
        return self.first_sector + self.count - 1

    def describe(self) -> str:
        """``ewfverify``'s wording: ``sector(s): 192 - 255 (number: 64) in x.E01``."""
        where = ", ".join(self.segments)
        return (
            f"sector(s): {self.first_sector} - {self.last_sector} (number: {self.count}) "
            f"in {where}: {self.reason}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_sector": self.first_sector,
            "last_sector": self.last_sector,
            "count": self.count,
            "segments": list(self.segments),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BadRange:
        return cls(
            int(data["first_sector"]),
            int(data["count"]),
            tuple(data["segments"]),
            str(data["reason"]),
        )


@dataclass(frozen=True)
class _Chunk:
    offset: int
    size: int
    compressed: bool


@dataclass
class ChunkCheck:
    """Checks the chunks of an E01 set fed to it segment by segment, first one first."""

    sectors_per_chunk: int = 0
    bytes_per_sector: int = 0
    media_sectors: int = 0
    chunks: int = 0
    segments: int = 0
    bad: list[BadRange] = field(default_factory=list)

    def read_segment(self, path: str, name: str, feed: Callable[[bytes], object]) -> None:
        """Read segment ``path`` (shown as ``name``) once, start to end, passing every byte
        to ``feed`` (the segment's SHA-256) and checking each chunk on the way. Raises
        :class:`CorruptInput` when the segment's sections cannot be followed."""
        chunks = self._layout(path, name)
        with open_read_only(path, buffering=_READ) as handle:
            position = 0
            for chunk in chunks:
                if chunk.offset < position:
                    self._mark(name, "chunk table points into an earlier chunk")
                    continue
                position += _copy(handle, chunk.offset - position, feed)
                data = handle.read(chunk.size)
                feed(data)
                position += len(data)
                problem = self._check(data, chunk)
                if problem is not None:
                    self._mark(name, problem)
                self.chunks += 1
            _copy(handle, None, feed)

    def _layout(self, path: str, name: str) -> list[_Chunk]:
        """The chunks of one segment in file order, from its (first sound) table sections."""
        with open_read_only(path) as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(0)
            header = handle.read(_FILE_HEADER)
            if header[:8] != EWF_SIGNATURE:
                raise CorruptInput("not an EWF1 segment", path=name)
            number = int.from_bytes(header[9:11], "little")
            if number != self.segments + 1:
                # A gap would shift every later chunk's sectors: stop rather than misplace.
                raise CorruptInput(f"segment {number} where {self.segments + 1} was due", path=name)
            self.segments += 1
            sections = _sections(handle, size, name)
            starts = sorted(start for _kind, start, _size in sections)
            for kind, start, length in sections:
                if kind in (b"volume", b"disk") and not self.sectors_per_chunk:
                    self._volume(handle, start, length, name)
            chunks: list[_Chunk] = []
            tables = [s for s in sections if s[0] == b"table"]
            if tables and not self.sectors_per_chunk:
                raise CorruptInput("chunks before any volume section", path=name)
            copies = [s for s in sections if s[0] == b"table2"]
            for number, table in enumerate(tables):
                entries = _table(handle, table[1])
                if entries is None and number < len(copies):
                    entries = _table(handle, copies[number][1])
                if entries is None:
                    raise CorruptInput("chunk table and its copy damaged", path=name)
                chunks += _chunks(entries, starts, size)
        return sorted(chunks, key=lambda c: c.offset)

    def _volume(self, handle: Any, start: int, length: int, name: str) -> None:
        handle.seek(start + _SECTION.size)
        data = handle.read(max(0, min(length - _SECTION.size, 1052)))
        if len(data) < 24:
            raise CorruptInput("volume section truncated", path=name)
        _, _, self.sectors_per_chunk, self.bytes_per_sector = _VOLUME.unpack_from(data)
        # EnCase volumes count sectors in 64 bits, SMART's 94-byte one in 32.
        wide = len(data) >= 1052
        self.media_sectors = struct.unpack_from("<Q" if wide else "<I", data, 16)[0]
        if not self.sectors_per_chunk or not self.bytes_per_sector:
            raise CorruptInput("volume section gives no chunk size", path=name)

    def _check(self, data: bytes, chunk: _Chunk) -> str | None:
        """Why this chunk fails, or ``None`` when it is sound."""
        first = self.chunks * self.sectors_per_chunk
        sectors = min(self.sectors_per_chunk, max(self.media_sectors - first, 0))
        expected = sectors * self.bytes_per_sector
        if len(data) < chunk.size:
            return "segment ends inside the chunk"
        if chunk.compressed:
            inflater = zlib.decompressobj()
            try:
                plain = inflater.decompress(data, expected + 1)
            except zlib.error as exc:
                return f"compressed chunk does not decompress ({exc})"
            if not inflater.eof or len(plain) != expected:
                return "compressed chunk does not decompress to its size"
            return None
        if len(data) != expected + 4:
            return "chunk size differs from the volume's"
        stored = int.from_bytes(data[-4:], "little")
        return None if zlib.adler32(data[:-4]) == stored else "checksum mismatch"

    def _mark(self, name: str, reason: str) -> None:
        first = self.chunks * self.sectors_per_chunk
        count = min(self.sectors_per_chunk, max(self.media_sectors - first, 1))
        last = self.bad[-1] if self.bad else None
        if last is not None and last.first_sector + last.count == first:
            segments = last.segments if name in last.segments else (*last.segments, name)
            reasons = (
                last.reason if reason in last.reason.split("; ") else f"{last.reason}; {reason}"
            )
            self.bad[-1] = BadRange(last.first_sector, last.count + count, segments, reasons)
        else:
            self.bad.append(BadRange(first, count, (name,), reason))


def _copy(handle: Any, length: int | None, feed: Callable[[bytes], object]) -> int:
    """Pass ``length`` bytes (all that is left for ``None``) from ``handle`` to ``feed``."""
    done = 0
    while length is None or done < length:
        want = _READ if length is None else min(_READ, length - done)
        data = handle.read(want)
        if not data:
            break
        feed(data)
        done += len(data)
    return done


def _sections(handle: Any, size: int, name: str) -> list[tuple[bytes, int, int]]:
    """``(type, start, size)`` of each section, following the chain from the header."""
    found: list[tuple[bytes, int, int]] = []
    offset = _FILE_HEADER
    for _ in range(_MAX_SECTIONS):
        handle.seek(offset)
        raw = handle.read(_SECTION.size)
        if len(raw) < _SECTION.size:
            raise CorruptInput(f"section chain broken at offset {offset}", path=name)
        kind_raw, following, length, _, checksum = _SECTION.unpack(raw)
        if zlib.adler32(raw[:72]) != checksum:
            raise CorruptInput(f"section header damaged at offset {offset}", path=name)
        kind = bytes(kind_raw).rstrip(b"\0")
        found.append((kind, offset, int(length)))
        if kind in (b"next", b"done"):
            return found
        if following <= offset or following > size:
            raise CorruptInput(f"section chain broken at offset {offset}", path=name)
        offset = int(following)
    raise CorruptInput("section chain does not end", path=name)


def _table(handle: Any, start: int) -> list[tuple[int, bool]] | None:
    """``(offset, compressed)`` of a table's entries; ``None`` when its checksums fail."""
    handle.seek(start + _SECTION.size)
    header = handle.read(_TABLE.size)
    if len(header) < _TABLE.size:
        return None
    count, _, base, _, checksum = _TABLE.unpack(header)
    if zlib.adler32(header[:20]) != checksum:
        return None
    raw = handle.read(4 * count + 4)
    if len(raw) < 4 * count + 4:
        return None
    entries = [
        (base + (e & ~_COMPRESSED), bool(e & _COMPRESSED))
        for e in struct.unpack(f"<{count}I", raw[:-4])
    ]
    if zlib.adler32(raw[:-4]) == int.from_bytes(raw[-4:], "little"):
        return entries
    # SMART and EnCase 1 tables have no checksum after the entries: their first chunk
    # starts right after the last entry.
    unsummed = start + _SECTION.size + _TABLE.size + 4 * count
    return entries if entries and entries[0][0] == unsummed else None


def _chunks(entries: list[tuple[int, bool]], starts: list[int], size: int) -> list[_Chunk]:
    """Chunks of one table: each ends where the next begins; the last at the next section."""
    out = []
    for number, (offset, compressed) in enumerate(entries):
        if number + 1 < len(entries):
            end = entries[number + 1][0]
        else:
            end = next((s for s in starts if s > offset), size)
        out.append(_Chunk(offset, max(end - offset, 0), compressed))
    return out
