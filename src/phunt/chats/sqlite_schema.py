"""Table names of an SQLite database read from a file object, for probing without a copy.

``sqlite3`` opens only files on disk; a probe of a ``msgstore.db`` inside a zip or disk
image must not spool gigabytes to learn that a ``message`` table exists. The schema is the
b-tree rooted at page 1, so walking that tree (format: https://sqlite.org/fileformat.html)
reads a handful of pages. Tables that exist only in an uncheckpointed WAL are not seen:
the parser, which replays the WAL, has the last word.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = b"SQLite format 3\x00"
_MAX_PAGES = 4096
_LEAF, _INTERIOR = 13, 5
_ENCODINGS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise ValueError("bad varint")  # pragma: no cover - the loop always returns


def _size(serial: int) -> int:
    if serial >= 12:
        return (serial - 12) // 2
    return (0, 1, 2, 3, 4, 6, 8, 8, 0, 0)[serial] if serial < 10 else 0


def _local(size: int, usable: int) -> int:
    """How much of a table-leaf payload of ``size`` bytes is on the page (the rest overflows)."""
    most = usable - 35
    if size <= most:
        return size
    least = (usable - 12) * 32 // 255 - 23
    spill = least + (size - least) % (usable - 4)
    return spill if spill <= most else least


def _row(payload: bytes, encoding: str) -> tuple[str, str] | None:
    """``(type, name)`` of a sqlite_master record; None when they are not both text."""
    header_size, pos = _varint(payload, 0)
    serials: list[int] = []
    while pos < header_size and len(serials) < 2:
        serial, pos = _varint(payload, pos)
        serials.append(serial)
    if len(serials) < 2 or any(s < 13 or s % 2 == 0 for s in serials):
        return None
    start = header_size
    first_end = start + _size(serials[0])
    second_end = first_end + _size(serials[1])
    if second_end > len(payload):
        return None
    return (
        payload[start:first_end].decode(encoding, "replace"),
        payload[first_end:second_end].decode(encoding, "replace"),
    )


def table_names(stream: BinaryIO) -> set[str]:
    """Names of the tables in the database ``stream`` holds; ValueError if it is not readable."""
    stream.seek(0)
    header = stream.read(100)
    if len(header) < 100 or not header.startswith(MAGIC):
        raise ValueError("not an SQLite database")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    usable = page_size - header[20]
    encoding = _ENCODINGS.get(struct.unpack(">I", header[56:60])[0] or 1)
    if page_size < 512 or encoding is None:
        raise ValueError("bad SQLite header")
    tables: set[str] = set()
    pending, seen = [1], set[int]()
    while pending:
        number = pending.pop()
        if number in seen or len(seen) >= _MAX_PAGES or number < 1:
            raise ValueError("schema b-tree loops or is too large")
        seen.add(number)
        stream.seek((number - 1) * page_size)
        page = stream.read(page_size)
        if len(page) < page_size:
            raise ValueError(f"page {number} is truncated")
        base = 100 if number == 1 else 0
        kind, cells = page[base], struct.unpack(">H", page[base + 3 : base + 5])[0]
        if kind not in (_LEAF, _INTERIOR):
            raise ValueError(f"page {number} is not a table b-tree page")
        pointers = base + (12 if kind == _INTERIOR else 8)
        for i in range(cells):
            cell = struct.unpack(">H", page[pointers + 2 * i : pointers + 2 * i + 2])[0]
            if kind == _INTERIOR:
                pending.append(struct.unpack(">I", page[cell : cell + 4])[0])
                continue
            size, pos = _varint(page, cell)
            _rowid, pos = _varint(page, pos)
            row = _row(page[pos : pos + _local(size, usable)], encoding)
            if row is not None and row[0] == "table":
                tables.add(row[1])
        if kind == _INTERIOR:
            pending.append(struct.unpack(">I", page[base + 8 : base + 12])[0])
    return tables
