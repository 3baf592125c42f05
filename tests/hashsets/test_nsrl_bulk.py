"""NsrlRds3Reader.batches(): the bulk read gives what entries() gives, row for row."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from phunt.errors import CorruptInput, WrongFormat
from phunt.hashsets import nsrl_v3
from phunt.hashsets.base import HashEntry
from phunt.hashsets.columns import batches_from_entries
from phunt.hashsets.nsrl import NsrlRds3Reader

TABLE = "CREATE TABLE FILE (sha256 VARCHAR, sha1 VARCHAR, md5 VARCHAR, file_name VARCHAR)"


def row(n: int) -> tuple[str, str, str, str]:
    seed = f"bulk row {n}".encode()
    hashes = (hashlib.new(kind, seed).hexdigest().upper() for kind in ("sha256", "sha1", "md5"))
    return (*hashes, f"file{n}.dll")  # type: ignore[return-value]


def database(
    path: Path, rows: list[tuple[Any, ...]], schema: str = TABLE, table: str = "FILE"
) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute(schema)
        marks = ", ".join("?" * len(rows[0]))
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    connection.close()
    return path


def both(path: Path) -> tuple[Any, Any]:
    """The bulk and the row-by-row reading of ``path`` (entries, or the error's text)."""
    out = []
    for bulk in (True, False):
        reader = NsrlRds3Reader(path)
        batches = reader.batches() if bulk else batches_from_entries(reader.entries())
        try:
            out.append([entry for batch in batches for entry in batch.entries()])
        except (CorruptInput, WrongFormat) as error:
            out.append(f"{type(error).__name__}: {error}")
    return out[0], out[1]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nsrl_v3, "_BLOCK", 3)


@pytest.mark.parametrize(
    "name",
    ["RDS_2024.12.1_minimal.db", "RDS_2024.12.1_full.db", "RDS_bad_hash.db",
     "RDS_truncated.db", "not_nsrl.db"],
)  # fmt: skip
def test_fixtures_read_the_same_both_ways(data: Path, name: str) -> None:
    bulk, by_row = both(data / name)
    assert bulk == by_row


def test_table_is_read_in_rowid_blocks_across_gaps(tmp_path: Path) -> None:
    path = tmp_path / "rds.db"
    schema = TABLE.replace("(sha256", "(id INTEGER PRIMARY KEY, sha256")
    ids = [-5, 1, 2, 3, 4, 10, 11, 1000, 2**62]
    database(path, [(i, *row(n)) for n, i in enumerate(ids)], schema)
    reader = NsrlRds3Reader(path)
    batches = list(reader.batches())
    assert [len(b) for b in batches] == [1, 3, 1, 2, 1, 1]  # rowid ranges of 3
    bulk, by_row = both(path)
    assert bulk == by_row
    assert [e.record for e in bulk] == list(range(1, 10))
    assert bulk[0] == HashEntry({k: v.lower() for k, v in zip(("sha256", "sha1", "md5"),
                                                               row(0)[:3], strict=True)},
                                record=1)  # fmt: skip
    assert reader.metadata()["records"] == 9


@pytest.mark.parametrize(
    ("odd", "expected"),
    [
        ((None, None, "00" * 16, "a"), None),  # absent hashes: read on row by row
        (("", "11" * 20, "", "a"), None),
        ((b"AB" * 32, "11" * 20, "22" * 16, "a"), None),  # a BLOB of hex digits
        (("ab" * 32, 12345, "22" * 16, "a"), "FILE row 8: sha1: sha1 must be 40 hex digits"),
        (("ab" * 31, "11" * 20, "22" * 16, "a"), "FILE row 8: sha256: sha256 must be 64"),
        (("zz" * 32, "11" * 20, "22" * 16, "a"), "FILE row 8: sha256: sha256 is not hex"),
        ((None, "", None, "a"), "FILE row 8: row has no hash"),
    ],
)
@pytest.mark.parametrize("view", [False, True])
def test_unusual_rows_are_read_as_row_by_row(
    tmp_path: Path, odd: tuple[Any, ...], expected: str | None, view: bool
) -> None:
    rows = [row(n) for n in range(7)] + [odd] + [row(n) for n in range(8, 12)]
    table = "T" if view else "FILE"
    path = database(tmp_path / "rds.db", rows, TABLE.replace("FILE", table), table)
    if view:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE VIEW FILE AS SELECT * FROM T")
        connection.close()
    bulk, by_row = both(path)
    assert bulk == by_row
    if expected is None:
        assert [e.record for e in bulk] == list(range(1, 13))
        assert bulk[7].hashes == {
            k: str(v).lower() if isinstance(v, str) else v.decode().lower()
            for k, v in zip(("sha256", "sha1", "md5"), odd, strict=False)
            if v
        }
    else:
        assert expected in bulk


def test_rows_before_the_damage_are_yielded_first(tmp_path: Path) -> None:
    """A column without a type keeps a number a number: that row is named as not text."""
    rows = [row(n) for n in range(7)] + [("ab" * 32, 1, "22" * 16, "a")]
    schema = "CREATE TABLE FILE (sha256, sha1, md5, file_name)"
    batches = NsrlRds3Reader(database(tmp_path / "rds.db", rows, schema)).batches()
    assert [len(next(batches)), len(next(batches))] == [3, 3]
    with pytest.raises(CorruptInput, match=r"FILE row 8: sha1 is not text: 1$"):
        list(batches)


def test_text_that_is_not_utf8_is_damage_both_ways(tmp_path: Path) -> None:
    path = database(tmp_path / "rds.db", [row(n) for n in range(5)])
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE FILE SET sha1 = CAST(x'e9e9' AS TEXT) WHERE rowid = 4")
    connection.close()
    bulk, by_row = both(path)
    assert bulk == by_row
    assert "FILE row 4: sha1: sha1 must be 40 hex digits" in bulk


def test_table_without_rowid_is_fetched(tmp_path: Path) -> None:
    schema = TABLE[:-1] + ", PRIMARY KEY (sha256, sha1, md5, file_name)) WITHOUT ROWID"
    path = database(tmp_path / "rds.db", [row(n) for n in range(7)], schema)
    bulk, by_row = both(path)
    assert bulk == by_row
    assert len(bulk) == 7


def test_a_stream_is_spooled_for_the_bulk_read_too(data: Path) -> None:
    path = data / "RDS_2024.12.1_minimal.db"
    reader = NsrlRds3Reader(io.BytesIO(path.read_bytes()), name="set.zip!/rds.db")
    bulk = [entry for batch in reader.batches() for entry in batch.entries()]
    assert bulk == list(NsrlRds3Reader(path).entries())
    assert reader.metadata()["records"] == 3
