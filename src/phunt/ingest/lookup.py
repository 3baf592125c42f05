"""``phunt hashset lookup``: answer hash queries against loaded sets, as HMA's lookup API does.

The engine is built once and kept in memory for the whole stream of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from phunt.hashing.kinds import hex_kinds, hex_titles, is_hex
from phunt.hashsets.store import load_hash_sets
from phunt.matching.engine import MatchEngine

if TYPE_CHECKING:
    from phunt.schema.db import Session


def _lengths() -> set[int]:
    """Lengths of the hex kinds a query can be (digests and PDQ), from the kind registry."""
    return {k.hex_length for k in hex_kinds() if k.matched and k.hex_length is not None}


class Lookup:
    """A loaded engine answering one query at a time."""

    def __init__(self, engine: MatchEngine) -> None:
        self.engine = engine
        engine.build()

    @classmethod
    def from_database(
        cls, session: Session, names: Iterable[str] | None, *, pdq_threshold: int | None = None
    ) -> Lookup:
        engine = MatchEngine(pdq_threshold=pdq_threshold)
        load_hash_sets(engine, session, names)
        return cls(engine)

    def lookup(self, query: str) -> dict[str, Any]:
        """``{"query", "matches": [...]}``, or ``{"query", "error"}`` for a malformed hash."""
        text = query.strip().lower()
        if not is_hex(text) or len(text) not in _lengths():
            return {"query": query, "error": f"not an {hex_titles()} hash in hex"}
        return {"query": query, "matches": [hit.as_json() for hit in self.engine.lookup(text)]}
