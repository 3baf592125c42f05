"""What the hash-set and audit API share: read models turned into JSON in the unit's zone.

The read models are dataclasses with UTC times; a response shows every time in the
configured zone, with its offset, as the pages do.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo
from typing import Annotated, Any

from fastapi import Query, Request

PageParam = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPageParam = Annotated[int, Query(ge=1, le=500, description="Rows a page.")]
DescParam = Annotated[bool, Query(description="Largest or latest first.")]


def zoned(value: Any, tz: tzinfo) -> Any:
    """``value`` (dataclasses, lists, dicts) as plain data, its times in ``tz``."""
    if isinstance(value, datetime):
        return value.astimezone(tz)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: zoned(getattr(value, f.name), tz) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [zoned(item, tz) for item in value]
    if isinstance(value, dict):
        return {key: zoned(item, tz) for key, item in value.items()}
    return value


def plain(value: Any, request: Request) -> Any:
    """:func:`zoned` in the app's configured zone."""
    return zoned(value, request.app.state.settings.timezone)
