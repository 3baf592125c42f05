"""NIST NSRL Reference Data Set: RDS v3 (SQLite) and legacy ``NSRLFile.txt`` (RDS 1.x/2.x).

Both are known-file lists ("known", not "known good": SpecialCode ``M`` rows and hacking
tools are in it), so a v2 row's remaining columns are kept in ``extra`` for the matcher to
surface (v3 rows give their hashes only: see :class:`NsrlRds3Reader`). Rows repeat per
product; they are streamed as they are, not de-duplicated, so a 40 GB set imports with
bounded memory.

RDS v3 is opened read-only and immutable (evidence is never written); SQLite opens only
files, so a set read from a stream that is not a local file is spooled to a private
temporary copy first (:func:`phunt.spool.spooled`). Both layouts are
read: the minimal set, where ``FILE`` is a table, and the full set, where it is a view;
columns are read by name because NIST's layouts differ (``crc32`` comes and goes).
"""

from __future__ import annotations

import csv
import lzma
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, BinaryIO, cast

import numpy as np
import numpy.typing as npt

from phunt.errors import WrongFormat
from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash
from phunt.hashsets.columns import EntryBatch, batches_from_entries, fixed_width
from phunt.hashsets.hexlines import hex_column
from phunt.hashsets.unicode_text import utf8_stream
from phunt.spool import spooled

SQLITE_MAGIC = b"SQLite format 3\0"
ZIP_MAGIC = b"PK\x03\x04"
#: The columns every RDS 1.x/2.x ``NSRLFile.txt`` has; CRC32 and MD4 come and go.
RDS2_COLUMNS = frozenset(
    ["SHA-1", "MD5", "FileName", "FileSize", "ProductCode", "OpSystemCode", "SpecialCode"]
)
_V3_HASHES = {"sha256": "sha256", "sha1": "sha1", "md5": "md5"}
_V2_HASHES = {"SHA-1": "sha1", "MD5": "md5"}
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)
_CRC32 = re.compile(r"[0-9A-Fa-f]{8}")


class NsrlRds3Reader(HashListReader):
    """NSRL RDS v3 SQLite database (``RDS_<version>_<set>.db``), minimal or full.

    Only the hashes of each ``FILE`` row are read (SHA-256, SHA-1, MD5), not its name,
    size, CRC-32 or package: a set of 40 million rows then imports in a minute or two as
    about 100 bytes a row, where the names and a JSON of the other columns per row would
    triple the set file and need a Python object per row. An NSRL hit says "known file";
    which product holds it is a lookup by hash in the RDS version the import recorded.
    """

    name = "nsrl-rds3"
    default_kind = "known-good"

    @classmethod
    def probe(cls, path: str | Path, head: bytes) -> bool:
        # Any SQLite file: if it lacks NSRL's tables, entries() says so plainly.
        return head.startswith(SQLITE_MAGIC)

    def _initial_metadata(self) -> dict[str, Any]:
        return {"kind_stated": True}

    def _database(self, stream: BinaryIO) -> AbstractContextManager[Path]:
        """A file SQLite can open: the list itself when it is one, else a private copy."""
        if self.path is not None:
            return nullcontext(self.path)
        return _spooled_db(stream)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        with self._database(stream) as database:
            yield from self._rows(database)

    def batches(self) -> Iterator[EntryBatch]:
        """``FILE``'s hash columns fetched in blocks and decoded a column at a time. At the
        first block with anything unusual (a value that is not hex text, a damaged page)
        the rest is read row by row, as :meth:`entries` reads it, which names the row."""
        with self.open() as raw, self._database(utf8_stream(raw, self.display)) as database:
            done = 0
            with self._connect(database) as (connection, kinds):
                connection.text_factory = str  # C speed; a Latin-1 hash is damage anyway
                cursor = connection.execute(f"SELECT {_select(kinds)} FROM \"FILE\"")
                while block := _fetch(cursor):
                    batch = _hash_batch(block, kinds, done)
                    if batch is None:
                        break
                    yield batch
                    done += len(batch)
                else:
                    self._metadata["records"] = done
                    return
            yield from batches_from_entries(self._rows(database, skip=done))

    @contextmanager
    def _connect(self, database: Path) -> Iterator[tuple[sqlite3.Connection, list[str]]]:
        """The database opened read-only, checked to be NSRL, with its hash columns."""
        uri = f"{database.resolve().as_uri()}?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as error:
            raise self.corrupt(f"cannot open SQLite database: {error}", None) from None
        connection.text_factory = _latin1_fallback
        try:
            try:
                columns = self._inspect(connection)
            except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
                raise self.corrupt(f"damaged SQLite database: {error}", "sqlite_master") from None
            yield connection, [kind for kind in _V3_HASHES if kind in columns]
        finally:
            connection.close()

    def _rows(self, database: Path, skip: int = 0) -> Iterator[HashEntry]:
        """The rows one at a time from row ``skip + 1`` (the rows before are read, not
        checked: a bulk read that met something unusual hands over here)."""
        with self._connect(database) as (connection, kinds):
            where = "sqlite_master"
            try:
                cursor = connection.execute(f"SELECT {_select(kinds)} FROM \"FILE\"")
                number = 0
                for number, row in enumerate(cursor, 1):
                    where = f"FILE row {number}"
                    if number > skip:
                        yield self._entry(dict(zip(kinds, row, strict=True)), number, where)
                self._metadata["records"] = number
            except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
                raise self.corrupt(f"damaged SQLite database: {error}", where) from None

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
        for column, value in row.items():
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                raise self.corrupt(f"{column} is not text: {value!r}", where)
            try:
                hashes[_V3_HASHES[column]] = normalise_hash(_V3_HASHES[column], value)
            except ValueError as error:
                raise self.corrupt(f"{column}: {error}", where) from None
        if not hashes:
            raise self.corrupt("row has no hash", where)
        return HashEntry(hashes, None, number)


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


def _latin1_fallback(raw: bytes) -> str:
    """SQLite text as ``str``; a name that is not UTF-8 is read as Latin-1 rather than lost
    (hash columns that are not hex are then refused as such)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


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


_BLOCK = 131072
"""Rows fetched at a time by the bulk read (about 40 MB of Python text at most)."""


def _select(kinds: list[str]) -> str:
    return ", ".join(f'"{kind}"' for kind in kinds)


def _fetch(cursor: sqlite3.Cursor) -> list[Any] | None:
    """The next block of rows; None at the end, and on damage (the row-by-row read that
    follows names the row)."""
    try:
        return cursor.fetchmany(_BLOCK) or None
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        return None


def _hash_batch(rows: list[Any], kinds: list[str], done: int) -> EntryBatch | None:
    """Rows ``done + 1 ...`` as a batch; None when a value is not hex text of its kind's
    width or a row has no hash at all."""
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    for kind, values in zip(kinds, zip(*rows, strict=True), strict=True):
        width = fixed_width(kind)
        assert width is not None
        column = hex_column(values, width)
        if column is None:
            return None
        digests[kind], present[kind] = column
    if not np.logical_or.reduce(list(present.values())).all():
        return None
    records = np.arange(done + 1, done + len(rows) + 1, dtype=np.int64)
    return EntryBatch(records=records, digests=digests, present=present)
