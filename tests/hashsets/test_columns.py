"""EntryBatch and the helpers that build it: entries in, the same entries out."""

from __future__ import annotations

import numpy as np
import pytest

from phunt.hashsets.categories import Category
from phunt.hashsets.columns import (
    EntryBatch,
    batch_of,
    batches_from_entries,
    concat_batches,
    fixed_width,
    plain_batch,
)
from phunt.hashsets.entry import HashEntry

MD5 = "0123456789abcdef" * 2
SHA1 = "fedcba9876543210" * 2 + "01234567"
VPDQ = "0,100,0.000," + "ab" * 32


def mixed() -> list[HashEntry]:
    return [
        HashEntry({"md5": MD5}, record=1),
        HashEntry({"md5": MD5, "sha1": SHA1}, Category(1, "vics-us-2.0"), 2, "a.jpg"),
        HashEntry({"vpdq": VPDQ}, record=3, extra={"source": "x"}),
        HashEntry({"sha1": SHA1.upper().lower()}, record=5, name="b.png"),
        HashEntry({"pdq": "f" * 64, "toy_text": "some value"}, record=8),
    ]


def test_fixed_width_is_the_hex_kinds_width() -> None:
    assert [fixed_width(k) for k in ("md5", "sha1", "sha256", "pdq")] == [16, 20, 32, 32]
    assert fixed_width("vpdq") is None
    assert fixed_width("photodna") is None
    assert fixed_width("no_such_kind") is None


def test_entries_round_trip_with_mixed_kinds() -> None:
    entries = mixed()
    (batch,) = list(batches_from_entries(entries))
    assert list(batch.entries()) == entries
    assert batch.digests["md5"].shape == (5, 16)
    assert batch.present["md5"].tolist() == [True, True, False, False, False]
    assert batch.present["sha1"].tolist() == [False, True, False, True, False]
    assert not batch.digests["md5"][2].any()  # rows without the kind hold zeros
    assert batch.texts["vpdq"] == [None, None, VPDQ, None, None]
    assert batch.texts["toy_text"] == [None, None, None, None, "some value"]
    assert batch.records.tolist() == [1, 2, 3, 5, 8]
    assert batch.entry(1).category == Category(1, "vics-us-2.0")


def test_absent_columns_are_none() -> None:
    (batch,) = list(batches_from_entries([HashEntry({"md5": MD5}, record=n) for n in (1, 2)]))
    assert batch.categories is None and batch.names is None and batch.extras is None
    assert batch.texts == {} and batch.numbers is None
    assert list(batch.entries()) == [HashEntry({"md5": MD5}, record=n) for n in (1, 2)]


@pytest.mark.parametrize(("count", "size", "sizes"), [(0, 3, []), (3, 3, [3]), (7, 3, [3, 3, 1])])
def test_batch_boundaries(count: int, size: int, sizes: list[int]) -> None:
    entries = [HashEntry({"md5": f"{n:032x}"}, record=n + 1) for n in range(count)]
    batches = list(batches_from_entries(entries, size=size))
    assert [len(b) for b in batches] == sizes
    assert [e for b in batches for e in b.entries()] == entries


def test_plain_batch_carries_one_kind() -> None:
    digests = np.arange(32, dtype=np.uint8).reshape(2, 16)
    batch = plain_batch("md5", digests, np.array([4, 9], dtype=np.int64))
    assert list(batch.entries()) == [
        HashEntry({"md5": bytes(range(16)).hex()}, record=4),
        HashEntry({"md5": bytes(range(16, 32)).hex()}, record=9),
    ]


def test_concat_keeps_every_row_and_column() -> None:
    entries = mixed()
    wide = plain_batch("sha256", np.ones((2, 32), np.uint8), np.array([6, 7], np.int64))
    parts = [batch_of(entries[:2]), wide, batch_of(entries[2:])]
    joined = concat_batches(parts)
    expected = [*entries[:2], *wide.entries(), *entries[2:]]
    assert list(joined.entries()) == expected
    assert joined.names is not None and joined.names[2] is None
    assert (
        joined.extras is not None
        and joined.extras[2] == {}
        and joined.extras[2] is not joined.extras[3]
    )
    assert joined.numbers is None
    assert concat_batches(parts[:1]) is parts[0]


def test_concat_keeps_entry_numbers_when_all_parts_have_them() -> None:
    one = EntryBatch(records=np.array([1]), numbers=np.array([10]))
    two = EntryBatch(records=np.array([2]), numbers=np.array([11]))
    assert concat_batches([one, two]).numbers.tolist() == [10, 11]  # type: ignore[union-attr]
    assert concat_batches([one, EntryBatch(records=np.array([3]))]).numbers is None
