"""``phunt hashset lookup``: answer hash queries against loaded sets, as HMA's lookup API does.

The engine is built once and kept in memory for the whole stream of queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from phunt.hashsets.store import load_hash_sets
from phunt.matching.engine import MatchEngine

if TYPE_CHECKING:
    from phunt.schema.db import Session

_HEX = re.compile(r"[0-9a-f]+")
_LENGTHS = {32, 40, 64}


class Lookup:
    """A loaded engine answering one query at a time."""

    def __init__(self, engine: MatchEngine) -> None:
        self.engine = engine
        engine.build()

    @classmethod
    def from_database(
        cls, session: Session, names: Iterable[str] | None, *, pdq_threshold: int = 31
    ) -> Lookup:
        engine = MatchEngine(pdq_threshold=pdq_threshold)
        load_hash_sets(engine, session, names)
        return cls(engine)

    def lookup(self, query: str) -> dict[str, Any]:
        """``{"query", "matches": [...]}``, or ``{"query", "error"}`` for a malformed hash."""
        text = query.strip().lower()
        if not _HEX.fullmatch(text) or len(text) not in _LENGTHS:
            return {"query": query, "error": "not an MD5, SHA-1, SHA-256 or PDQ hash in hex"}
        return {"query": query, "matches": [hit.as_json() for hit in self.engine.lookup(text)]}
