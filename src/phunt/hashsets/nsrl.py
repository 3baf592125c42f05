"""NIST NSRL Reference Data Set: RDS v3 (SQLite) and legacy RDS 2.x ``NSRLFile.txt``.

Both are known-file lists ("known", not "known good": SpecialCode ``M`` rows and hacking
tools are in it), so each row's remaining columns are kept in ``extra`` for the matcher to
surface. Rows repeat per product; they are streamed as they are, not de-duplicated, so a
40 GB set imports with bounded memory.

RDS v3 is opened read-only and immutable (evidence is never written); SQLite opens only
files, so a set read from a stream that is not a local file is spooled to a private
temporary copy first (:func:`phunt.spool.spooled`). Both layouts are
read: the minimal set, where ``FILE`` is a table, and the full set, where it is a view;
columns are read by name because NIST's layouts differ (``crc32`` comes and goes).
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, BinaryIO

from phunt.errors import WrongFormat
from phunt.hashsets.base import HashEntry, HashListReader, csv_row, is_whole_number, normalise_hash
from phunt.spool import spooled

SQLITE_MAGIC = b"SQLite format 3\0"
RDS2_HEADER = [
    "SHA-1", "MD5", "CRC32", "FileName", "FileSize", "ProductCode", "OpSystemCode", "SpecialCode",
]  # fmt: skip
_V3_HASHES = {"sha256": "sha256", "sha1": "sha1", "md5": "md5"}
_V2_HASHES = {"SHA-1": "sha1", "MD5": "md5"}
_CRC32 = re.compile(r"[0-9A-Fa-f]{8}")


class NsrlRds3Reader(HashListReader):
    """NSRL RDS v3 SQLite database (``RDS_<version>_<set>.db``), minimal or full."""

    name = "nsrl-rds3"
    default_kind = "known-good"

    @classmethod
    def probe(cls, path: str | Path, head: bytes) -> bool:
        # Any SQLite file: if it lacks NSRL's tables, entries() says so plainly.
        return head.startswith(SQLITE_MAGIC)

    def _database(self, stream: BinaryIO) -> AbstractContextManager[Path]:
        """A file SQLite can open: the list itself when it is one, else a private copy."""
        if self.path is not None:
            return nullcontext(self.path)
        return _spooled_db(stream)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        with self._database(stream) as database:
            yield from self._rows(database)

    def _rows(self, database: Path) -> Iterator[HashEntry]:
        uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
        where = "sqlite_master"
        try:
            connection = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as error:
            raise self.corrupt(f"cannot open SQLite database: {error}", None) from None
        try:
            columns = self._inspect(connection)
            cursor = connection.execute('SELECT * FROM "FILE"')
            number = 0
            for number, row in enumerate(cursor, 1):
                where = f"FILE row {number}"
                yield self._entry(dict(zip(columns, row, strict=True)), number, where)
            self._metadata["records"] = number
        except sqlite3.DatabaseError as error:
            raise self.corrupt(f"damaged SQLite database: {error}", where) from None
        finally:
            connection.close()

    def _inspect(self, connection: sqlite3.Connection) -> list[str]:
        objects = dict(
            connection.execute(
                "SELECT upper(name), type FROM sqlite_master WHERE type IN ('table', 'view')"
            ).fetchall()
        )
        if "FILE" not in objects:
            found = ", ".join(sorted(objects)) or "none"
            raise WrongFormat(
                f"SQLite database but not an NSRL RDS v3 set: no FILE table or view "
                f"(tables and views: {found})",
                path=self.display,
                location="sqlite_master",
            )
        columns = [row[1].lower() for row in connection.execute('PRAGMA table_info("FILE")')]
        if not set(_V3_HASHES) & set(columns):
            raise WrongFormat(
                f"SQLite database but not an NSRL RDS v3 set: FILE has no sha256, sha1 or md5 "
                f"column (columns: {', '.join(columns)})",
                path=self.display,
                location="sqlite_master",
            )
        self._metadata.update(
            layout="minimal" if objects["FILE"] == "table" else "full",
            columns=columns,
            version=self._versions(connection) if "VERSION" in objects else [],
        )
        return columns

    @staticmethod
    def _versions(connection: sqlite3.Connection) -> list[dict[str, Any]]:
        cursor = connection.execute('SELECT * FROM "VERSION"')
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _entry(self, row: dict[str, Any], number: int, where: str) -> HashEntry:
        hashes: dict[str, str] = {}
        extra: dict[str, Any] = {}
        for column, value in row.items():
            kind = _V3_HASHES.get(column)
            if kind is None:
                if column != "file_name":
                    extra[column] = value
            elif value not in (None, ""):
                if not isinstance(value, str):
                    raise self.corrupt(f"{column} is not text: {value!r}", where)
                try:
                    hashes[kind] = normalise_hash(kind, value)
                except ValueError as error:
                    raise self.corrupt(f"{column}: {error}", where) from None
        if not hashes:
            raise self.corrupt("row has no hash", where)
        name = row.get("file_name")
        return HashEntry(hashes, None, number, name if isinstance(name, str) else None, extra)


class NsrlRds2Reader(HashListReader):
    """Legacy RDS 2.x ``NSRLFile.txt``: quoted CSV with NIST's exact header."""

    name = "nsrl-rds2"
    default_kind = "known-good"
    probe_lines = 1

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        return bool(lines) and csv_row(lines[0]) == RDS2_HEADER

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        lines = _lines(stream)
        first = next(lines, "")
        if csv_row(first) != RDS2_HEADER:
            raise self.corrupt(f"header is not NSRLFile.txt's: {first[:120]!r}", "line 1")
        reader = csv.reader(lines, strict=True)
        count = 0
        try:
            for row in reader:
                if row:
                    count += 1
                    yield self._entry(row, 1 + reader.line_num)
        except csv.Error as error:
            raise self.corrupt(f"bad CSV: {error}", f"line {1 + reader.line_num}") from None
        self._metadata["records"] = count

    def _entry(self, row: list[str], number: int) -> HashEntry:
        where = f"line {number}"
        if len(row) != len(RDS2_HEADER):
            raise self.corrupt(f"row has {len(row)} fields, header has 8", where)
        fields = dict(zip(RDS2_HEADER, row, strict=True))
        hashes: dict[str, str] = {}
        try:
            for column, kind in _V2_HASHES.items():
                hashes[kind] = normalise_hash(kind, fields[column])
        except ValueError as error:
            raise self.corrupt(f"{column}: {error}", where) from None
        if not _CRC32.fullmatch(fields["CRC32"]):
            raise self.corrupt(f"CRC32 is not 8 hex digits: {fields['CRC32']!r}", where)
        if not is_whole_number(fields["FileSize"]):
            raise self.corrupt(f"FileSize is not a whole number: {fields['FileSize']!r}", where)
        extra: dict[str, Any] = {
            k: v for k, v in fields.items() if k not in (*_V2_HASHES, "FileName")
        }
        extra["FileSize"] = int(fields["FileSize"])
        return HashEntry(hashes, None, number, fields["FileName"], extra)


def _lines(stream: BinaryIO) -> Iterator[str]:
    """Lines as text; a name that is not UTF-8 is read as Latin-1 rather than lost."""
    for raw in stream:
        try:
            yield raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield raw.decode("latin-1")


@contextmanager
def _spooled_db(stream: BinaryIO) -> Iterator[Path]:
    with spooled({"rds.db": stream}, prefix="phunt-nsrl-") as folder:
        yield folder / "rds.db"
