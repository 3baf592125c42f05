"""Column types shared by the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC; SQLite keeps no zone, so we never rely on one."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:  # what the sources give: four per stored file
            return value.replace(tzinfo=None)
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Now, aware, in UTC, at microsecond precision (what both databases keep)."""
    return datetime.now(UTC)


def json_text(value: Any) -> str:
    """``json.dumps(value)``, the engines' JSON writer: the empty dicts and lists that most
    stored JSON values are (four per stored file) are written without the encoder."""
    if not value and type(value) in (dict, list):
        return "{}" if type(value) is dict else "[]"
    return json.dumps(value)
