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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash
from phunt.hashsets.nsrl_v3 import SQLITE_MAGIC, NsrlRds3Reader

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
                yield from self._zip(raw)
                return
        yield from super().entries()

    def _zip(self, stream: BinaryIO) -> Iterator[HashEntry]:
        try:
            archive = zipfile.ZipFile(stream)
            member = _nsrl_member(archive.namelist())
            if member is None:
                names = ", ".join(archive.namelist()[:10]) or "none"
                raise self.corrupt(f"zip without NSRLFile.txt (members: {names})", None)
            self._metadata.update(member=member, **_version_facts(archive))
            with archive.open(member) as text:
                yield from self._entries(cast(BinaryIO, text))
        except NotImplementedError as error:
            raise self.corrupt(
                f"zip member uses a method phunt cannot read: {error}", None
            ) from None
        except RuntimeError as error:  # zipfile's word for an encrypted member
            raise self.corrupt(f"zip member cannot be read: {error}", None) from None
        except _ZIP_DAMAGE as error:
            raise self.corrupt(f"damaged zip: {error}", None) from None

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
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
                    yield self._entry(header, row, 1 + reader.line_num)
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {1 + reader.line_num}") from None
        self._metadata["records"] = count

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
            yield raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield raw.decode("latin-1")
