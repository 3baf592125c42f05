"""What the hash-set and audit API share: query parameters, and read models as JSON in
the unit's zone (with :func:`phunt.web.api.cases.zoned`, which every area's API uses)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from phunt.web.api.cases import zoned

PageParam = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPageParam = Annotated[int, Query(ge=1, le=500, description="Rows a page.")]
DescParam = Annotated[bool, Query(description="Largest or latest first.")]


def plain(value: Any, request: Request) -> Any:
    """``value`` (read models, lists of them) as plain data, its times in the app's zone."""
    return zoned(value, request.app.state.settings.timezone)
