"""``hashset lookup`` answers a stream in batches, exactly as it answers one query."""

from __future__ import annotations

import hashlib
from pathlib import Path

from phunt.hashsets.categories import Category
from phunt.hashsets.entry import HashEntry
from phunt.ingest.lookup import Lookup
from phunt.matching.engine import MatchEngine

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _lookup() -> Lookup:
    engine = MatchEngine()
    md5 = hashlib.md5(b"a").hexdigest()
    engine.add("one", "known-bad", [(3, HashEntry({"md5": md5}, Category(1, "vics-us-2.0")))], 2)
    engine.add("two", "known-good", [(1, HashEntry({"md5": md5})), (2, HashEntry({"pdq": PDQ}))])
    return Lookup(engine)


def test_a_stream_is_answered_in_order_whatever_the_batch(tmp_path: Path) -> None:
    service = _lookup()
    md5_a, md5_b = hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()
    queries = [md5_a, "not a hash", f" {md5_a.upper()} ", md5_b, PDQ, "ab" * 20, "zz" * 16]
    single = [service.lookup(q) for q in queries]
    assert [q["query"] for q in single] == queries
    assert [[(m["hashset"], m["entry"]) for m in q.get("matches", [])] for q in single] == [
        [("one", 3), ("two", 1)], [], [("one", 3), ("two", 1)], [], [("two", 2)], [], []
    ]  # fmt: skip
    assert ["error" in q for q in single] == [False, True, False, False, False, False, True]
    assert single[0]["matches"][0]["version"] == 2 and single[4]["matches"][0]["kind"] == "pdq"
    for batch in (1, 2, 3, 100):
        answers = list(service.answer_batches(iter(queries), batch))
        n = len(queries)
        assert [len(a) for a in answers] == [min(batch, n - k) for k in range(0, n, batch)]
        assert [answer for part in answers for answer in part] == single
    assert service.lookup_many(queries) == single
    assert service.lookup_many([]) == []
