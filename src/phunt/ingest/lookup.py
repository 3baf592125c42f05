"""``phunt hashset lookup``: answer hash queries against loaded sets, as HMA's lookup API does.

The engine is built once and kept for the whole stream of queries, which it answers in
batches: one search per kind and per set for a batch of queries costs about what a single
query does, so a stream read from a file or a pipe goes at the batched rate.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from phunt.hashing.kinds import hex_kinds, hex_titles, is_hex
from phunt.hashsets.store import load_hash_sets
from phunt.matching.engine import MatchEngine

if TYPE_CHECKING:
    from phunt.schema.db import Session

BATCH = 4096
"""Queries answered together in a stream (answers come out in the order asked)."""


def _lengths() -> set[int]:
    """Lengths of the hex kinds a query can be (digests and PDQ), from the kind registry."""
    return {k.hex_length for k in hex_kinds() if k.matched and k.hex_length is not None}


class Lookup:
    """A loaded engine answering queries, one at a time or in batches."""

    def __init__(self, engine: MatchEngine) -> None:
        self.engine = engine

    @classmethod
    def from_database(
        cls, session: Session, names: Iterable[str] | None, *, pdq_threshold: int | None = None
    ) -> Lookup:
        engine = MatchEngine(pdq_threshold=pdq_threshold)
        load_hash_sets(engine, session, names)
        return cls(engine)

    def lookup(self, query: str) -> dict[str, Any]:
        """``{"query", "matches": [...]}``, or ``{"query", "error"}`` for a malformed hash."""
        return self.lookup_many([query])[0]

    def lookup_many(self, queries: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`lookup` of each query, in order, the well-formed ones searched together."""
        lengths = _lengths()
        texts = [query.strip().lower() for query in queries]
        valid = [i for i, text in enumerate(texts) if is_hex(text) and len(text) in lengths]
        found = dict(zip(valid, self.engine.lookup_many([texts[i] for i in valid]), strict=True))
        error = f"not an {hex_titles()} hash in hex"
        return [
            {"query": query, "matches": [hit.as_json() for hit in found[i]]}
            if i in found
            else {"query": query, "error": error}
            for i, query in enumerate(queries)
        ]

    def answer_batches(
        self, queries: Iterable[str], batch: int = BATCH
    ) -> Iterator[list[dict[str, Any]]]:
        """Answers to a stream of queries, a list per ``batch`` of them (1 for someone
        typing), so a caller can write out each batch as soon as it is answered."""
        source = iter(queries)
        while chunk := list(itertools.islice(source, max(1, batch))):
            yield self.lookup_many(chunk)
