"""Column types: aware datetimes stored as naive UTC, JSON written as ``json.dumps`` does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from phunt.schema.types import UTCDateTime, json_text


def test_aware_datetimes_bind_as_naive_utc() -> None:
    bind = UTCDateTime().process_bind_param
    dialect = sqlite.dialect()
    noon = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert bind(noon, dialect) == datetime(2024, 3, 1, 12, 0)
    later_zone = noon.astimezone(timezone(timedelta(hours=2)))
    assert bind(later_zone, dialect) == datetime(2024, 3, 1, 12, 0)
    assert bind(None, dialect) is None
    with pytest.raises(ValueError, match="naive"):
        bind(datetime(2024, 3, 1, 12, 0), dialect)


@pytest.mark.parametrize(
    "value",
    [{}, [], {"a": 1}, ["x", "ü"], {"nested": {"b": [1, 2]}}, "", 0, None, False, 0.0],
)
def test_json_text_writes_what_json_dumps_writes(value: Any) -> None:
    assert json_text(value) == json.dumps(value)
