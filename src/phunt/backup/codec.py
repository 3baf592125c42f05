"""One row as one line of JSON, and back, exactly: times in ISO 8601 UTC with
microseconds, bytes as hex, JSON columns as their JSON; the column's type says how to
read a value back, so a restored row is the row that was sealed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Table
from sqlalchemy.types import TypeDecorator

from phunt.backup.store import JSON_NULLS, as_stored


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def encode(row: dict[str, Any]) -> bytes:
    """The row's line (canonical JSON, keys sorted, UTF-8, ending in a newline)."""
    line = json.dumps(
        row, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )
    return line.encode() + b"\n"


def _kind(table: Table, column: str) -> str:
    kind = table.columns[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return "time"
    if isinstance(kind, LargeBinary):
        return "bytes"
    return "plain"


def decoder(table: Table) -> Any:
    """A function reading one line of ``table`` back into its row."""
    kinds = {column.name: _kind(table, column.name) for column in table.columns}

    def decode(line: bytes) -> dict[str, Any]:
        row: dict[str, Any] = json.loads(line)
        unknown = set(row) - set(kinds) - {JSON_NULLS}
        if unknown:
            raise ValueError(f"columns not in table {table.name}: {', '.join(sorted(unknown))}")
        for name, value in row.items():
            if value is None or name == JSON_NULLS:
                continue
            if kinds[name] == "time":
                row[name] = datetime.fromisoformat(value)
            elif kinds[name] == "bytes":
                row[name] = bytes.fromhex(value)
        return as_stored(table, row)

    return decode
