"""Turning stored rows into plain dictionaries for JSON output and display."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import inspect

from phunt.schema.base import Base


def as_dict(row: Base, tz: tzinfo | None = None) -> dict[str, Any]:
    """Column values of ``row``; datetimes as ISO 8601 in ``tz`` (UTC when not given)."""
    out: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, datetime):
            value = (value.astimezone(tz) if tz else value).isoformat()
        out[attr.key] = value
    return out
