"""Table names read from the schema b-tree of a stream, as sqlite3 itself lists them."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from phunt.chats.sqlite_schema import table_names


def _database(path: Path, tables: int, page_size: int = 4096) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA page_size={page_size}")
        script = "".join(
            f"CREATE TABLE table_{i:04d} (id INTEGER PRIMARY KEY, body TEXT);"
            f"CREATE INDEX index_{i:04d} ON table_{i:04d} (body);"
            for i in range(tables)
        )
        conn.executescript(f"BEGIN;{script}COMMIT;")
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows}


@pytest.mark.parametrize(("tables", "page_size"), [(3, 4096), (400, 4096), (150, 512)])
def test_matches_sqlite(tmp_path: Path, tables: int, page_size: int) -> None:
    """Small schemas fit page 1; large ones make it an interior page with children."""
    path = tmp_path / "db.sqlite"
    expected = _database(path, tables, page_size)
    with path.open("rb") as stream:
        assert table_names(stream) == expected


def test_not_a_database_or_truncated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an SQLite database"):
        table_names(io.BytesIO(b"plain text" * 20))
    path = tmp_path / "db.sqlite"
    _database(path, 400)
    data = path.read_bytes()
    with pytest.raises(ValueError, match="truncated"):
        table_names(io.BytesIO(data[:5000]))
