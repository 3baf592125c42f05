"""NIST NSRL Reference Data Set v3: the SQLite database (``RDS_<version>_<set>.db``).

It is opened read-only and immutable (evidence is never written); SQLite opens only
files, so a set read from a stream that is not a local file is spooled to a private
temporary copy first (:func:`phunt.spool.spooled`). Both layouts are read: the minimal
set, where ``FILE`` is a table, and the full set, where it is a view; columns are read by
name because NIST's layouts differ (``crc32`` comes and goes). A set of 40 million rows is
read in bulk (:meth:`NsrlRds3Reader.batches`), without a Python object per row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from phunt.errors import WrongFormat
from phunt.hashsets.base import HashEntry, HashListReader, normalise_hash
from phunt.hashsets.columns import EntryBatch, batches_from_entries, fixed_width
from phunt.hashsets.hexlines import hex_column, spaced_hex
from phunt.hashsets.unicode_text import utf8_stream
from phunt.spool import spooled

SQLITE_MAGIC = b"SQLite format 3\0"
_V3_HASHES = {"sha256": "sha256", "sha1": "sha1", "md5": "md5"}


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
        """``FILE``'s hash columns read in blocks and decoded a column at a time: a table
        by rowid ranges, each one string per column (``group_concat``), a view by
        ``fetchmany``. At the first block with anything unusual (a value that is not hex
        of its kind's width, NULL or empty, a damaged page) the rest is read row by row,
        as :meth:`entries` reads it, which names the row."""
        with self.open() as raw, self._database(utf8_stream(raw, self.display)) as database:
            done = 0
            with self._connect(database) as (connection, kinds):
                connection.text_factory = str  # C speed; a Latin-1 hash is damage anyway
                table = self._metadata["layout"] == "minimal"
                for block in _blocks(connection, kinds, table):
                    if block is None:
                        break
                    count, columns = block
                    records = np.arange(done + 1, done + count + 1, dtype=np.int64)
                    digests = {kind: column[0] for kind, column in columns.items()}
                    present = {kind: column[1] for kind, column in columns.items()}
                    yield EntryBatch(records=records, digests=digests, present=present)
                    done += count
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
                cursor = connection.execute(f'SELECT {_select(kinds)} FROM "FILE"')
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
            if value in (None, "", b""):
                continue
            if isinstance(value, bytes):  # a BLOB holds its hex as text would (group_concat)
                value = value.decode("latin-1")
            if not isinstance(value, str):
                raise self.corrupt(f"{column} is not text: {value!r}", where)
            try:
                hashes[_V3_HASHES[column]] = normalise_hash(_V3_HASHES[column], value)
            except ValueError as error:
                raise self.corrupt(f"{column}: {error}", where) from None
        if not hashes:
            raise self.corrupt("row has no hash", where)
        return HashEntry(hashes, None, number)


def _latin1_fallback(raw: bytes) -> str:
    """SQLite text as ``str``; a name that is not UTF-8 is read as Latin-1 rather than lost
    (hash columns that are not hex are then refused as such)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@contextmanager
def _spooled_db(stream: BinaryIO) -> Iterator[Path]:
    with spooled({"rds.db": stream}, prefix="phunt-nsrl-") as folder:
        yield folder / "rds.db"


_BLOCK = 131072
"""Rows read at a time by the bulk read (about 20 MB of text)."""
_INT64_MAX = 2**63 - 1

Columns = dict[str, tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]]
Block = tuple[int, Columns] | None


def _select(kinds: list[str]) -> str:
    return ", ".join(f'"{kind}"' for kind in kinds)


def _blocks(connection: sqlite3.Connection, kinds: list[str], table: bool) -> Iterator[Block]:
    """``(rows, {kind: (digests, present)})`` per block in ``FILE``'s order, then None
    if a block has anything unusual (the caller reads on row by row)."""
    try:
        if not table:
            raise sqlite3.OperationalError("a view has no rowid")
        low = connection.execute('SELECT min(rowid) FROM "FILE"').fetchone()[0]
    except sqlite3.OperationalError:  # a view, or a table without rowid
        yield from _fetched_blocks(connection, kinds)
        return
    except sqlite3.DatabaseError:
        yield None
        return
    concat = ", ".join(f"group_concat(\"{kind}\", ' ')" for kind in kinds)
    block = f'SELECT count(*), {concat} FROM "FILE" WHERE rowid >= ? AND rowid < ?'
    try:
        while low is not None:
            high = min(low + _BLOCK, _INT64_MAX)
            count, *texts = connection.execute(block, (low, high)).fetchone()
            if count:
                yield _spaced_block(count, kinds, texts)
            low = connection.execute(
                'SELECT min(rowid) FROM "FILE" WHERE rowid >= ?', (high,)
            ).fetchone()[0]
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        yield None


def _spaced_block(count: int, kinds: list[str], texts: list[Any]) -> Block:
    columns: Columns = {}
    for kind, text in zip(kinds, texts, strict=True):
        width = fixed_width(kind)
        assert width is not None
        digests = spaced_hex(text, count, width) if isinstance(text, str) else None
        if digests is None:
            return None
        columns[kind] = (digests, np.ones(count, dtype=np.bool_))
    return count, columns


def _fetched_blocks(connection: sqlite3.Connection, kinds: list[str]) -> Iterator[Block]:
    """Blocks of a ``FILE`` without rowid (the full set's view): fetched rows, one Python
    string per value, decoded a column at a time."""
    try:
        cursor = connection.execute(f'SELECT {_select(kinds)} FROM "FILE"')
        while rows := cursor.fetchmany(_BLOCK):
            columns: Columns = {}
            for kind, values in zip(kinds, zip(*rows, strict=True), strict=True):
                width = fixed_width(kind)
                assert width is not None
                column = hex_column(values, width)
                if column is None:
                    yield None
                    return
                columns[kind] = column
            if not np.logical_or.reduce([present for _, present in columns.values()]).all():
                yield None  # a row without any hash
                return
            yield len(rows), columns
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        yield None
