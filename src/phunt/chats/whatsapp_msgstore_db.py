"""The msgstore copy's connection: text decoding and the schema questions asked of it.

Builds of WhatsApp differ in the tables and columns they keep; the readers ask here once
what exists and select NULL for what does not.
"""

from __future__ import annotations

import sqlite3


def lossless_text(raw: bytes) -> str:
    """SQLite text as ``str``: bytes that are not UTF-8 (a damaged page, an app's own
    encoding) are kept as Latin-1 rather than stopping the whole database."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class Db:
    """A read-only connection to a temporary copy, with schema questions answered once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        self.tables = {r[0] for r in rows}

    def columns(self, table: str) -> set[str]:
        if table not in self.tables:
            return set()
        return {r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')}

    def col(self, table: str, alias: str, name: str) -> str:
        """``alias.name`` when the column exists, else NULL (older builds lack many)."""
        return f"{alias}.{name}" if name in self.columns(table) else "NULL"
