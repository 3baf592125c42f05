"""One item of a hash list, as every reader yields it and every writer takes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from phunt.hashsets.categories import Category


@dataclass(frozen=True)
class HashEntry:
    """One item of a hash list: a file or media item and every hash the list gives for it.

    ``record`` is the 1-based line or record number in the source, for errors and
    provenance; ``extra`` keeps every other field of the record verbatim so an export can
    reproduce it.
    """

    hashes: dict[str, str]
    category: Category | None = None
    record: int = 0
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
