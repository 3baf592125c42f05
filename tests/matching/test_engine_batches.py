"""A batch gives the same hits, in the same order, as the same queries one at a time."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from set_files import set_file

from phunt.hashsets.categories import Category
from phunt.hashsets.entry import HashEntry
from phunt.matching.engine import FileQuery, MatchEngine

_SHARED_FIXTURE = HealthCheck.function_scoped_fixture  # module-scoped: nothing to reset

POOL = 12
"""Distinct items the lists and the queries draw from, so that they often meet."""


def _md5(i: int) -> str:
    return hashlib.md5(b"item %d" % i).hexdigest()


def _sha1(i: int) -> str:
    return hashlib.sha1(b"item %d" % i).hexdigest()


def _pdq(i: int, flipped: int = 0) -> str:
    base = int.from_bytes(hashlib.sha256(b"picture %d" % i).digest(), "big")
    return format(base ^ ((1 << flipped) - 1), "064x")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> MatchEngine:
    """Three lists over one pool: overlapping digests, a known-good one, categories,
    PDQ hashes, and a disabled entry."""
    folder = tmp_path_factory.mktemp("sets")
    rng = random.Random(5)
    e = MatchEngine()
    for name, kind in (("alpha", "known-bad"), ("beta", "known-bad"), ("good", "known-good")):
        entries = []
        for number, i in enumerate(rng.sample(range(POOL), 8), start=1):
            hashes = {"md5": _md5(i)} if rng.random() < 0.7 else {"sha1": _sha1(i)}
            if kind != "known-good" and rng.random() < 0.5:
                hashes["pdq"] = _pdq(i)
            cat = Category(rng.choice([0, 1, 2]), "vics-us-2.0") if rng.random() < 0.5 else None
            entries.append((number * 10, HashEntry(hashes, cat)))
        e.add_set(name, kind, 1, set_file(folder, entries), disabled=[30])
    return e


files = st.lists(
    st.tuples(
        st.integers(0, POOL + 3),
        st.booleans(),
        st.lists(st.tuples(st.integers(0, POOL + 3), st.integers(0, 40)), max_size=3),
    ),
    max_size=8,
)


def _query(item: int, with_sha1: bool, pictures: list[tuple[int, int]]) -> FileQuery:
    digests = {"md5": _md5(item)} | ({"sha1": _sha1(item)} if with_sha1 else {})
    variants = [(f"v{k}", _pdq(i, bits)) for k, (i, bits) in enumerate(pictures)]
    return FileQuery(digests, variants)


@settings(max_examples=60, deadline=None, suppress_health_check=[_SHARED_FIXTURE])
@given(batch=files)
def test_screening_a_batch_equals_screening_each_file(
    engine: MatchEngine, batch: list[tuple[int, bool, list[tuple[int, int]]]]
) -> None:
    queries = [_query(*item) for item in batch]
    together = engine.screen_many(queries)
    assert together == [engine.screen(q.digests, q.pdq_variants) for q in queries]


@settings(max_examples=60, deadline=None, suppress_health_check=[_SHARED_FIXTURE])
@given(items=st.lists(st.integers(0, POOL + 3), max_size=10), flips=st.integers(0, 40))
def test_looking_up_a_batch_equals_looking_up_each(
    engine: MatchEngine, items: list[int], flips: int
) -> None:
    texts = [f(i) for i in items for f in (_md5, _sha1)] + [_pdq(i, flips) for i in items]
    assert engine.lookup_many(texts) == [engine.lookup(t) for t in texts]
    digests = np.array([list(bytes.fromhex(_md5(i))) for i in items], np.uint8).reshape(-1, 16)
    assert engine.exact_many("md5", digests) == [engine.exact("md5", _md5(i)) for i in items]


def test_the_fixture_lists_meet(engine: MatchEngine) -> None:
    """The lists overlap, and a known-good hit, a disabled entry and a PDQ hit occur."""
    hits = [h for i in range(POOL) for h in engine.lookup(_md5(i)) + engine.lookup(_sha1(i))]
    lists = {h.listed.list_name for h in hits}
    assert lists == {"alpha", "beta", "good"}
    assert 30 not in {h.listed.entry for h in hits}
    assert any(engine.pdq([("orig", _pdq(i, 5))]) for i in range(POOL))
    assert any(engine.known_good({"md5": _md5(i)}) for i in range(POOL))
