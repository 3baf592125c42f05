"""Paging and sorting of lists, validated where the request enters.

A page route takes ``paging: Paging = paging(("name", "opened"), "opened")`` and passes
``paging.offset``, ``paging.per_page``, ``paging.sort`` and ``paging.desc`` to its read
query; the ``pager`` and ``sort_th`` macros build links with :meth:`Paging.link`, which
keeps the request's other query parameters (filters) as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
_OWN = ("page", "per_page", "sort", "desc")


@dataclass(frozen=True)
class Paging:
    """One page of a sorted list."""

    page: int
    per_page: int
    sort: str
    desc: bool
    #: The request's other query parameters, kept in links.
    params: tuple[tuple[str, str], ...] = field(default=())

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def pages(self, total: int) -> int:
        """How many pages ``total`` rows fill (at least one, so page 1 always exists)."""
        return max(1, -(-total // self.per_page))

    def link(self, **changes: Any) -> str:
        """``?...`` for this list with ``changes`` (page, per_page, sort, desc) applied."""
        own = {"page": self.page, "per_page": self.per_page, "sort": self.sort, "desc": self.desc}
        own.update(changes)
        own["desc"] = "1" if own["desc"] else "0"
        return "?" + urlencode([*self.params, *((k, str(own[k])) for k in _OWN)])


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no", ""):
        return False
    raise HTTPException(400, detail="desc must be 0 or 1")


def _number(text: str | None, name: str, default: int, most: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise HTTPException(400, detail=f"{name} must be a number from 1 to {most}")
    return int(text)


def paging(sort_keys: Sequence[str], default: str, *, desc: bool = False) -> Any:
    """A dependency reading ``?page=&per_page=&sort=&desc=``; anything else is a 400."""
    if default not in sort_keys:
        raise ValueError(f"default sort {default!r} is not one of {list(sort_keys)}")
    keys = tuple(sort_keys)

    def read_paging(request: Request) -> Paging:
        query = request.query_params
        sort = query.get("sort", default)
        if sort not in keys:
            raise HTTPException(400, detail=f"sort must be one of: {', '.join(keys)}")
        flag = _flag(query.get("desc"))
        return Paging(
            page=_number(query.get("page"), "page", 1, 10**9),
            per_page=_number(query.get("per_page"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
            sort=sort,
            desc=desc if flag is None else flag,
            params=tuple((k, v) for k, v in query.multi_items() if k not in _OWN),
        )

    return Depends(read_paging)
