"""NIST NSRL Reference Data Set: RDS v3 (SQLite) and legacy ``NSRLFile.txt`` (RDS 1.x/2.x).

Both are known-file lists ("known", not "known good": SpecialCode ``M`` rows and hacking
tools are in it), so a v2 row's remaining columns are kept in ``extra`` for the matcher to
surface (v3 rows give their hashes only: see :class:`NsrlRds3Reader`). Rows repeat per
product; they are streamed as they are, not de-duplicated, so a 40 GB set imports with
bounded memory.

RDS v3 is read by :mod:`.nsrl_v3` (re-exported here, with the v2 reader beside it).
"""

from __future__ import annotations

import csv
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import numpy as np
import numpy.typing as npt

from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash
from phunt.hashsets.columns import EntryBatch, batch_of
from phunt.hashsets.hexlines import hex_column
from phunt.hashsets.nsrl_v3 import SQLITE_MAGIC, NsrlRds3Reader
from phunt.hashsets.unicode_text import utf8_stream

__all__ = [
    "RDS2_COLUMNS",
    "SQLITE_MAGIC",
    "ZIP_MAGIC",
    "NsrlRds2Reader",
    "NsrlRds3Reader",
    "is_rds2_header",
    "rds2_columns",
    "rds2_header",
]

ZIP_MAGIC = b"PK\x03\x04"
#: The columns every RDS 1.x/2.x ``NSRLFile.txt`` has; CRC32 and MD4 come and go.
RDS2_COLUMNS = frozenset(
    ["SHA-1", "MD5", "FileName", "FileSize", "ProductCode", "OpSystemCode", "SpecialCode"]
)
_V2_HASHES = {"SHA-1": "sha1", "MD5": "md5"}
_V2_WIDTHS = {"SHA-1": 20, "MD5": 16, "CRC32": 4}
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)
_CRC32 = re.compile(r"[0-9A-Fa-f]{8}")


class NsrlRds2Reader(HashListReader):
    """Legacy ``NSRLFile.txt`` (RDS 1.x and 2.x), as a text file or inside NIST's zip.

    The header is read by column name, in any order: RDS 2.x writes
    ``SHA-1,MD5,CRC32,FileName,...`` and RDS 1.5 ``SHA-1,FileName,FileSize,ProductCode,
    OpSystemCode,MD4,MD5,CRC32,SpecialCode``. Any header with NSRL's own columns is an
    NSRL file whatever else it holds, so it is read as known files, never as a list of
    known-bad ones. A zip (``RDS_*.zip``, ``NSRLFile.txt.zip``) is read through its
    ``NSRLFile.txt`` member, streamed, with ``version.txt`` kept in the metadata.
    """

    name = "nsrl-rds2"
    default_kind = "known-good"
    probe_lines = 1

    @classmethod
    def probe(cls, path: str | Path, head: bytes) -> bool:
        if head.startswith(ZIP_MAGIC):
            return _zip_member(path, head) is not None
        return super().probe(path, head)

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        return bool(lines) and rds2_header(lines[0]) is not None

    def _initial_metadata(self) -> dict[str, Any]:
        return {"kind_stated": True}

    def entries(self) -> Iterator[HashEntry]:
        """A zip is told from text by its raw bytes, before any UTF-16 transcoding."""
        with self.open() as raw:
            if raw.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
                raw.seek(0)
                yield from self._zip(raw, self._entries)
                return
        yield from super().entries()

    def batches(self) -> Iterator[EntryBatch]:
        """Rows parsed as :meth:`entries` parses them, converted a block at a time: the
        hash and CRC-32 columns decoded as arrays; a block with anything unusual is
        converted row by row, which names the row."""
        with self.open() as raw:
            zipped = raw.read(len(ZIP_MAGIC)) == ZIP_MAGIC
            raw.seek(0)
            rows = (
                self._zip(raw, self._rows) if zipped else self._rows(utf8_stream(raw, self.display))
            )
            block: list[_Row] = []
            while True:
                try:
                    row = next(rows, None)
                except Exception:  # damage further on: the rows before it come first
                    if block:
                        yield self._block(block)
                    raise
                if row is None:
                    break
                block.append(row)
                if len(block) == _BLOCK:
                    yield self._block(block)
                    block = []
            if block:
                yield self._block(block)

    def _zip(self, stream: BinaryIO, read: Callable[[BinaryIO], Iterator[T]]) -> Iterator[T]:
        try:
            archive = zipfile.ZipFile(stream)
            member = _nsrl_member(archive.namelist())
            if member is None:
                names = ", ".join(archive.namelist()[:10]) or "none"
                raise self.corrupt(f"zip without NSRLFile.txt (members: {names})", None)
            self._metadata.update(member=member, **_version_facts(archive))
            with archive.open(member) as text:
                yield from read(cast(BinaryIO, text))
        except NotImplementedError as error:
            raise self.corrupt(
                f"zip member uses a method phunt cannot read: {error}", None
            ) from None
        except RuntimeError as error:  # zipfile's word for an encrypted member
            raise self.corrupt(f"zip member cannot be read: {error}", None) from None
        except _ZIP_DAMAGE as error:
            raise self.corrupt(f"damaged zip: {error}", None) from None

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        for header, row, number in self._rows(stream):
            yield self._entry(header, row, number)

    def _rows(self, stream: BinaryIO) -> Iterator[_Row]:
        """``(header, fields, line number)`` of each record, CSV damage named by line."""
        lines = _lines(stream)
        first = next(lines, "")
        header = rds2_header(first)
        if header is None:
            raise self.corrupt(f"header is not NSRLFile.txt's: {first[:120]!r}", "line 1")
        self._metadata["columns"] = header
        reader = csv.reader(lines, strict=True)
        count = 0
        try:
            for row in reader:
                if row:
                    count += 1
                    yield header, row, 1 + reader.line_num
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {1 + reader.line_num}") from None
        self._metadata["records"] = count

    def _block(self, block: list[_Row]) -> EntryBatch:
        """Rows of one header as a batch, in bulk when nothing in them is unusual."""
        bulk = _bulk_rows(block)
        return bulk if bulk is not None else batch_of([self._entry(*row) for row in block])

    def _entry(self, header: list[str], row: list[str], number: int) -> HashEntry:
        where = f"line {number}"
        if len(row) != len(header):
            raise self.corrupt(f"row has {len(row)} fields, header has {len(header)}", where)
        fields = dict(zip(header, row, strict=True))
        hashes: dict[str, str] = {}
        try:
            for column, kind in _V2_HASHES.items():
                hashes[kind] = normalise_hash(kind, fields[column])
        except ValueError as error:
            raise self.corrupt(f"{column}: {error}", where) from None
        crc = fields.get("CRC32")
        if crc is not None and not _CRC32.fullmatch(crc):
            raise self.corrupt(f"CRC32 is not 8 hex digits: {crc!r}", where)
        if not is_whole_number(fields["FileSize"]):
            raise self.corrupt(f"FileSize is not a whole number: {fields['FileSize']!r}", where)
        extra: dict[str, Any] = {
            k: v for k, v in fields.items() if k not in (*_V2_HASHES, "FileName")
        }
        extra["FileSize"] = int(fields["FileSize"])
        return HashEntry(hashes, None, number, fields["FileName"], extra)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " -_")


_CANONICAL = {_key(name): name for name in (*RDS2_COLUMNS, "CRC32", "MD4")}


def rds2_header(line: str) -> list[str] | None:
    """The columns of an ``NSRLFile.txt`` header line under NIST's own names, or ``None``.

    Names are matched ignoring case, spaces, ``-`` and ``_`` (``sha1``, ``"SHA-1", "MD5"``
    after a space), in any order (RDS 1.x and 2.x differ); other columns keep their names.
    """
    try:
        fields = next(csv.reader([line.rstrip("\r\n")], skipinitialspace=True), [])
    except csv.Error:
        return None
    return rds2_columns(fields)


def rds2_columns(fields: list[str]) -> list[str] | None:
    """``fields`` under NIST's names when they are an ``NSRLFile.txt`` header, else ``None``."""
    columns = [_CANONICAL.get(_key(field), field.strip()) for field in fields]
    return columns if is_rds2_header(columns) else None


def is_rds2_header(columns: list[str]) -> bool:
    """Whether ``columns`` (NIST's names) are an ``NSRLFile.txt`` header, in any order."""
    return set(columns) >= RDS2_COLUMNS


def _nsrl_member(names: list[str]) -> str | None:
    """The ``NSRLFile.txt`` member of a zip's ``names`` (any folder, any case)."""
    return next((n for n in names if n.rsplit("/", 1)[-1].lower() == "nsrlfile.txt"), None)


def _zip_member(path: str | Path, head: bytes) -> str | None:
    """The NSRL member of the zip ``path`` (or of its first local header when not a file)."""
    try:
        with open(path, "rb") as file:
            same = file.read(len(head)) == head  # the file itself, not a name that clashes
        if same:
            with zipfile.ZipFile(path) as archive:
                return _nsrl_member(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError):
        pass
    # A stream or a cut file: the first local header names its member at byte 30.
    if len(head) < 30:
        return None
    length = int.from_bytes(head[26:28], "little")
    return _nsrl_member([head[30 : 30 + length].decode("latin-1")])


def _version_facts(archive: zipfile.ZipFile) -> dict[str, Any]:
    """NIST's ``version.txt`` beside ``NSRLFile.txt``, kept verbatim (small, text)."""
    name = next((n for n in archive.namelist() if n.lower().endswith("version.txt")), None)
    if name is None or archive.getinfo(name).file_size > 64 * 1024:
        return {}
    return {"version_txt": archive.read(name).decode("latin-1").strip()}


def _lines(stream: BinaryIO) -> Iterator[str]:
    """Lines as text; a name that is not UTF-8 is read as Latin-1 rather than lost."""
    for raw in stream:
        try:
            # As "utf-8-sig" decodes (a BOM dropped from any line), without its Python codec.
            yield raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            yield raw.decode("latin-1")


_Row = tuple[list[str], list[str], int]
T = TypeVar("T")
_BLOCK = 4096
"""Rows converted at a time by :meth:`NsrlRds2Reader.batches` (small: the garbage collector
walks every live row of a block, and bigger blocks halve the rate)."""


def _bulk_rows(block: list[_Row]) -> EntryBatch | None:
    """``block`` as a batch without an entry per row; None when a row is unusual (another
    field count, a hash or CRC-32 that is not hex of its width, a size not a number)."""
    header = block[0][0]
    rows = [row for _, row, _ in block]
    if any(len(row) != len(header) for row in rows):
        return None
    columns = dict(zip(header, zip(*rows, strict=True), strict=True))
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    for column, width in _V2_WIDTHS.items():
        if column not in columns:
            continue
        decoded = hex_column(columns[column], width)
        if decoded is None or not decoded[1].all():
            return None
        if column in _V2_HASHES:
            digests[_V2_HASHES[column]], present[_V2_HASHES[column]] = decoded
    sizes = columns["FileSize"]
    if not all(map(is_whole_number, sizes)):
        return None
    keys = [key for key in columns if key not in (*_V2_HASHES, "FileName")]
    # Every row has every column (checked above): plain zip is safe and quicker.
    extras = [
        dict(zip(keys, values, strict=False))
        for values in zip(*(columns[k] for k in keys), strict=False)
    ]
    for extra, size in zip(extras, sizes, strict=True):
        extra["FileSize"] = int(size)
    return EntryBatch(
        records=np.array([number for _, _, number in block], dtype=np.int64),
        digests=digests,
        present=present,
        names=list(columns["FileName"]),
        extras=extras,
    )
