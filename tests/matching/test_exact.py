"""ExactIndex: every id of every indexed digest, nothing else, in batch order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phunt.errors import CorruptInput, InputError, UsageError
from phunt.matching.exact import KINDS, ExactIndex, digests_to_array


def digest(kind: str, text: str) -> str:
    return hashlib.new(kind, text.encode()).hexdigest()


ENTRIES = [
    ("md5", digest("md5", "holiday.jpg"), 1),
    ("md5", digest("md5", "garden.png"), 2),
    ("sha1", digest("sha1", "holiday.jpg"), 3),
    ("sha256", digest("sha256", "holiday.jpg"), 4),
    ("md5", digest("md5", "holiday.jpg"), 5),  # the same file in a second list
]


def test_single_lookups() -> None:
    index = ExactIndex.build(ENTRIES)
    assert len(index) == 5
    assert index.kinds() == ["md5", "sha1", "sha256"]
    assert sorted(index.lookup("md5", digest("md5", "holiday.jpg"))) == [1, 5]
    assert index.lookup("md5", digest("md5", "garden.png").upper()) == [2]
    assert index.lookup("sha1", digest("sha1", "holiday.jpg")) == [3]
    assert index.lookup("sha256", digest("sha256", "holiday.jpg")) == [4]
    assert index.lookup("md5", digest("md5", "unknown.gif")) == []
    assert index.lookup("sha1", digest("sha1", "garden.png")) == []


def test_batch_lookup_keeps_batch_order() -> None:
    index = ExactIndex.build(ENTRIES)
    batch = [digest("md5", n) for n in ["x", "garden.png", "holiday.jpg", "y", "garden.png"]]
    m = index.lookup_many("md5", batch)
    pairs = list(zip(m.query.tolist(), m.id.tolist(), strict=True))
    assert [q for q, _ in pairs] == sorted(q for q, _ in pairs)
    assert sorted(pairs) == [(1, 2), (2, 1), (2, 5), (4, 2)]
    same = index.lookup_many("md5", digests_to_array("md5", batch))
    assert np.array_equal(same.query, m.query) and np.array_equal(same.id, m.id)


def test_digests_sharing_a_prefix_are_told_apart() -> None:
    base = bytes(range(20))
    rows = [base, base[:19] + b"\xff", base[:8] + bytes(12)]
    arr = np.frombuffer(b"".join(rows), np.uint8).reshape(3, 20)
    index = ExactIndex.from_arrays({"sha1": (arr, np.array([10, 20, 30]))})
    for i, row in enumerate(rows):
        assert index.lookup("sha1", row.hex()) == [(i + 1) * 10]
    assert index.lookup("sha1", (base[:8] + b"\x01" * 12).hex()) == []


def test_empty_index_and_missing_kind() -> None:
    index = ExactIndex.build([])
    assert len(index) == 0 and index.kinds() == []
    assert len(index.lookup_many("sha256", [digest("sha256", "a")])) == 0
    assert len(ExactIndex.build(ENTRIES).lookup_many("md5", [])) == 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(UsageError, match="crc32"):
        ExactIndex.build([("crc32", "00000000", 1)])
    with pytest.raises(InputError, match="digest 1"):
        ExactIndex.build([("md5", "0" * 32, 1), ("md5", "0" * 40, 2)])
    with pytest.raises(InputError, match="digest 0"):
        digests_to_array("sha1", ["g" * 40])
    with pytest.raises(ValueError):
        ExactIndex.build(ENTRIES).lookup_many("sha1", np.zeros((2, 16), np.uint8))
    with pytest.raises(ValueError):
        ExactIndex.from_arrays({"md5": (np.zeros((2, 16), np.uint8), np.arange(3))})


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    stored=st.lists(st.integers(0, 60), max_size=80),
    asked=st.lists(st.integers(0, 80), max_size=40),
)
def test_matches_a_dictionary(kind: str, stored: list[int], asked: list[int]) -> None:
    entries = [(kind, digest(kind, str(v)), i) for i, v in enumerate(stored)]
    reference: dict[str, list[int]] = {}
    for _, d, i in entries:
        reference.setdefault(d, []).append(i)
    index = ExactIndex.build(entries)
    queries = [digest(kind, str(v)) for v in asked]
    m = index.lookup_many(kind, queries)
    got = sorted(zip(m.query.tolist(), m.id.tolist(), strict=True))
    want = sorted((q, i) for q, d in enumerate(queries) for i in reference.get(d, []))
    assert got == want


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = ExactIndex.build(ENTRIES)
    path = tmp_path / "exact.npz"
    index.save(path)
    loaded = ExactIndex.load(path)
    assert loaded.kinds() == index.kinds() and len(loaded) == len(index)
    assert sorted(loaded.lookup("md5", digest("md5", "holiday.jpg"))) == [1, 5]


def test_malformed_files_are_refused(tmp_path: Path) -> None:
    marker = np.array("phunt-exact-index-1")
    d = digests_to_array("md5", [digest("md5", "b"), digest("md5", "a")])
    cases = {
        "garbage": None,
        "marker": {"format": np.array("other")},
        "unsorted": {"format": marker, "md5_digests": d, "md5_ids": np.arange(2)},
        "width": {"format": marker, "sha1_digests": d, "sha1_ids": np.arange(2)},
        "ids": {"format": marker, "md5_digests": d[:1], "md5_ids": np.arange(2)},
        "half": {"format": marker, "md5_digests": d[:1]},
        "extra": {"format": marker, "crc_digests": d},
        "pickle": {"format": marker, "md5_digests": d[:1], "md5_ids": np.array([{}], object)},
    }
    for name, arrays in cases.items():
        path = tmp_path / f"{name}.npz"
        if arrays is None:
            path.write_bytes(b"\x00" * 100)
        else:
            np.savez(path, **arrays)  # type: ignore[arg-type]
        with pytest.raises(CorruptInput) as err:
            ExactIndex.load(path)
        assert err.value.path == str(path)
