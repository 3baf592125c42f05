"""Building set files: dedup, stable entry numbers across versions, given numbers, diffs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phunt.errors import UsageError
from phunt.hashsets.categories import Category
from phunt.hashsets.columns import EntryBatch, batches_from_entries, plain_batch
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setbuild import BuildResult, build_set_file, diff_numbers
from phunt.hashsets.setfile import SetFile

VICS, DHS = "vics-us-2.0", "dhs-legacy"


def _md5(seed: object) -> str:
    return hashlib.md5(str(seed).encode()).hexdigest()


def _sha1(seed: object) -> str:
    return hashlib.sha1(str(seed).encode()).hexdigest()


def _build(
    where: Path,
    entries: list[HashEntry],
    previous: SetFile | None = None,
    first: int = 1,
    **options: Any,
) -> BuildResult:
    return build_set_file(
        batches_from_entries(entries, size=3),
        where / "sets",
        previous=previous,
        first_number=first,
        scratch=where / "scratch",
        meta={},
        **options,
    )


def _numbers(path: Path) -> dict[str, int]:
    """md5 (and category) -> entry number, to follow entries across versions."""
    with SetFile.open(path, verify=True) as opened:
        return {_label(entry): number for number, entry in opened.entries()}


def _label(entry: HashEntry) -> str:
    category = "" if entry.category is None else f"/{entry.category.code}"
    return "+".join(sorted(entry.hashes.values())) + category


_entry_strategy = st.builds(
    lambda md5, sha1, code, name: HashEntry(
        hashes={"md5": _md5(md5), **({"sha1": _sha1(sha1)} if sha1 is not None else {})},
        category=None if code is None else Category(code, VICS),
        name=name,
    ),
    st.integers(0, 6),
    st.one_of(st.none(), st.integers(0, 2)),
    st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.sampled_from(["a", "b"])),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_entry_strategy, max_size=25))
def test_entries_come_back_once_each_in_list_order(tmp_path: Path, drawn: list[HashEntry]) -> None:
    entries = [
        HashEntry(hashes=e.hashes, category=e.category, record=i + 1, name=e.name)
        for i, e in enumerate(drawn)
    ]
    expected: list[HashEntry] = []
    seen: set[tuple[Any, ...]] = set()
    for entry in entries:
        identity = (tuple(sorted(entry.hashes.items())), entry.category)
        if identity not in seen:
            seen.add(identity)
            expected.append(entry)
    result = _build(tmp_path, entries, first=7)
    with SetFile.open(result.path, verify=True) as opened:
        assert [entry for _, entry in opened.entries()] == expected
        assert opened.entry_numbers.tolist() == list(range(7, 7 + len(expected)))
    assert (result.entries, result.records_read) == (len(expected), len(entries))
    assert result.duplicates == len(entries) - len(expected)
    assert (result.added, result.removed, result.next_number) == (
        len(expected),
        0,
        7 + len(expected),
    )


def test_numbers_carry_over_three_versions(tmp_path: Path) -> None:
    a, b, c, d = (HashEntry(hashes={"md5": _md5(x), "sha1": _sha1(x)}) for x in "abcd")
    c_moved = HashEntry(hashes=c.hashes, category=Category(1, VICS))
    first = _build(tmp_path, [a, b, c])
    assert _numbers(first.path) == {_label(a): 1, _label(b): 2, _label(c): 3}
    with SetFile.open(first.path) as v1:
        second = _build(tmp_path, [d, c_moved, b], previous=v1, first=first.next_number)
    assert _numbers(second.path) == {_label(b): 2, _label(d): 4, _label(c_moved): 5}
    assert (second.added, second.removed, second.next_number) == (2, 2, 6)
    with SetFile.open(second.path) as v2:
        third = _build(tmp_path, [a, c_moved, b, d], previous=v2, first=second.next_number)
    assert _numbers(third.path) == {_label(a): 6, _label(b): 2, _label(c_moved): 5, _label(d): 4}
    assert (third.added, third.removed, third.next_number) == (1, 0, 7)
    with SetFile.open(first.path) as v1, SetFile.open(third.path) as v3:
        added, removed = diff_numbers(v1, v3)
    assert added.tolist() == [4, 5, 6] and removed.tolist() == [1, 3]


def test_plain_lists_carry_over_by_digest_and_across_a_change_of_shape(tmp_path: Path) -> None:
    digests = np.frombuffer(bytes.fromhex("".join(_md5(i) for i in range(6))), np.uint8)
    digests = digests.reshape(6, 16)

    def plain(rows: list[int]) -> EntryBatch:
        return plain_batch("md5", digests[rows], np.arange(1, len(rows) + 1, dtype=np.int64))

    def build(batches: list[EntryBatch], previous: SetFile | None, first: int) -> BuildResult:
        return build_set_file(
            batches, tmp_path, previous=previous, first_number=first, scratch=tmp_path, meta={}
        )

    v1 = build([plain([0, 1, 2, 2])], None, 1)
    assert (v1.entries, v1.duplicates) == (3, 1)
    with SetFile.open(v1.path) as old:
        assert old.column("identity") is None
        v2 = build([plain([3, 2]), plain([1])], old, v1.next_number)
        assert SetFile.open(v2.path).entry_numbers.tolist() == [2, 3, 4]
    with SetFile.open(v2.path) as old:
        tagged = [HashEntry(hashes={"md5": _md5(i)}, category=Category(2, DHS)) for i in (1, 3)]
        v3 = _build(tmp_path, [HashEntry(hashes={"md5": _md5(2)}), *tagged], old, v2.next_number)
    assert _numbers(v3.path) == {_md5(2): 3, _md5(1) + "/2": 5, _md5(3) + "/2": 6}
    with SetFile.open(v3.path) as old:
        v4 = build([plain([1, 2])], old, v3.next_number)
    assert SetFile.open(v4.path).entry_numbers.tolist() == [3, 7]


def test_given_numbers_are_kept_and_order_the_rows(tmp_path: Path) -> None:
    entries = [HashEntry(hashes={"md5": _md5(i)}, record=r) for r, i in enumerate((5, 6, 5), 1)]
    batch = next(iter(batches_from_entries(entries)))
    numbered = EntryBatch(
        records=batch.records,
        digests=batch.digests,
        present=batch.present,
        numbers=np.array([40, 12, 33], dtype=np.int64),
    )
    result = build_set_file(
        [numbered], tmp_path, previous=None, first_number=100, scratch=tmp_path, meta={}
    )
    assert (result.entries, result.duplicates, result.next_number) == (3, 0, 100)
    with SetFile.open(result.path, verify=True) as opened:
        assert [(n, e.record) for n, e in opened.entries()] == [(12, 2), (33, 3), (40, 1)]
    twice = EntryBatch(
        records=batch.records,
        digests=batch.digests,
        present=batch.present,
        numbers=np.array([4, 9, 4], dtype=np.int64),
    )
    with pytest.raises(UsageError, match="entry number 4"):
        build_set_file([twice], tmp_path, previous=None, first_number=1, scratch=tmp_path, meta={})
    with pytest.raises(UsageError, match="some batches"):
        build_set_file(
            [numbered, batch], tmp_path, previous=None, first_number=1, scratch=tmp_path, meta={}
        )


def test_first_number_must_pass_the_previous_version(tmp_path: Path) -> None:
    first = _build(tmp_path, [HashEntry(hashes={"md5": _md5(1)})], first=10)
    with SetFile.open(first.path) as old, pytest.raises(UsageError, match="first entry number"):
        _build(tmp_path, [], previous=old, first=10)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (EntryBatch(records=np.arange(2, dtype=np.int32)), "records must be"),
        (
            EntryBatch(
                records=np.arange(2, dtype=np.int64),
                digests={"md5": np.zeros((2, 20), np.uint8)},
                present={"md5": np.ones(2, np.bool_)},
            ),
            r"\(2, 16\) uint8",
        ),
        (
            EntryBatch(
                records=np.arange(2, dtype=np.int64), digests={"md5": np.zeros((2, 16), np.uint8)}
            ),
            "bool mask",
        ),
        (
            EntryBatch(records=np.arange(2, dtype=np.int64), texts={"md5": ["a", "b"]}),
            "belongs in digests",
        ),
        (EntryBatch(records=np.arange(2, dtype=np.int64), texts={"vpdq": ["a"]}), "texts have"),
        (EntryBatch(records=np.arange(2, dtype=np.int64), names=["a"]), "names have"),
        (
            EntryBatch(records=np.arange(2, dtype=np.int64), categories=[None, Category(-3, VICS)]),
            "does not fit",
        ),
        (EntryBatch(records=np.arange(2, dtype=np.int64), numbers=np.arange(3)), "numbers must"),
    ],
)
def test_malformed_batches_are_refused_where_they_enter(
    tmp_path: Path, batch: EntryBatch, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_set_file([batch], tmp_path, previous=None, first_number=1, scratch=tmp_path, meta={})
    assert not list(tmp_path.glob("*.phs"))


def test_diff_of_versions_on_their_numbers(tmp_path: Path) -> None:
    first = _build(tmp_path, [HashEntry(hashes={"md5": _md5(i)}) for i in range(5)])
    with SetFile.open(first.path) as v1:
        kept = [HashEntry(hashes={"md5": _md5(i)}) for i in (0, 2, 4, 9)]
        second = _build(tmp_path, kept, previous=v1, first=first.next_number)
        with SetFile.open(second.path) as v2:
            added, removed = diff_numbers(v1, v2)
            assert added.tolist() == [6] and removed.tolist() == [2, 4]
            assert (second.added, second.removed) == (1, 2)
            back_added, back_removed = diff_numbers(v2, v1)
            assert back_added.tolist() == [2, 4] and back_removed.tolist() == [6]


def _varied(count: int, seed: int) -> list[HashEntry]:
    """Entries of every shape: kinds, categories, names, extra fields, texts, duplicates."""
    rng = np.random.default_rng(seed)
    entries = []
    for record in range(1, count + 1):
        pick = int(rng.integers(0, count // 2))
        hashes = {"md5": _md5(pick)}
        if pick % 3:
            hashes["sha1"] = _sha1(pick)
        if pick % 7 == 0:
            hashes = {"vpdq": f"0,1.000,{pick:064x}"}
        entries.append(
            HashEntry(
                hashes=hashes,
                category=Category(pick % 4, VICS) if pick % 5 == 0 else None,
                record=record,
                name=f"item {pick}" if pick % 2 else None,
                extra={"size": pick} if pick % 4 == 1 else {},
            )
        )
    return entries


def _twice(tmp_path: Path, make: Any) -> tuple[BuildResult, BuildResult]:
    """Build once with the default budget and once with a tiny one (buckets on disk)."""
    roomy = make(tmp_path / "roomy", None)
    tiny = make(tmp_path / "tiny", 4096)
    assert not list((tmp_path / "tiny" / "scratch").iterdir())
    return roomy, tiny


def test_a_tiny_budget_builds_the_same_files(tmp_path: Path) -> None:
    def make(where: Path, budget: int | None) -> BuildResult:
        options = {} if budget is None else {"budget": budget}
        first = _build(where, _varied(700, 1), **options)
        with SetFile.open(first.path) as old:
            return _build(where, _varied(700, 2), previous=old, first=first.next_number, **options)

    roomy, tiny = _twice(tmp_path, make)
    assert (roomy.sha256, roomy.entries, roomy.added) == (tiny.sha256, tiny.entries, tiny.added)
    expected: dict[tuple[Any, ...], HashEntry] = {}
    for entry in _varied(700, 2):
        expected.setdefault((tuple(sorted(entry.hashes.items())), entry.category), entry)
    with SetFile.open(tiny.path, verify=True) as opened:
        numbers = opened.entry_numbers.tolist()
        assert numbers == sorted(numbers) and roomy.removed > 0 and roomy.duplicates > 0
        found = {
            (tuple(sorted(entry.hashes.items())), entry.category): entry
            for _, entry in opened.entries()
        }
    assert found == expected


def test_a_tiny_budget_builds_plain_and_numbered_lists_alike(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    digests = rng.integers(0, 256, (3000, 16), dtype=np.uint8)
    digests[2000:] = digests[:1000]
    numbers = rng.permutation(3000).astype(np.int64) * 3

    def make(where: Path, budget: int | None) -> BuildResult:
        options = {} if budget is None else {"budget": budget}
        records = np.arange(1, 3001, dtype=np.int64)
        first = build_set_file(
            [plain_batch("md5", digests[:2500], records[:2500])],
            where / "sets",
            previous=None,
            first_number=1,
            scratch=where / "scratch",
            meta={},
            **options,
        )
        assert (first.entries, first.duplicates) == (2000, 500)
        with SetFile.open(first.path) as old:
            second = build_set_file(
                [plain_batch("md5", digests[::-1], records)],
                where / "sets",
                previous=old,
                first_number=first.next_number,
                scratch=where / "scratch",
                meta={},
                **options,
            )
        numbered = EntryBatch(
            records=records,
            digests={"md5": digests},
            present={"md5": np.ones(3000, dtype=np.bool_)},
            numbers=numbers,
        )
        third = build_set_file(
            [numbered],
            where / "sets",
            previous=None,
            first_number=1,
            scratch=where / "scratch",
            meta={},
            **options,
        )
        assert third.entries == 3000
        return BuildResult(**{**second.__dict__, "sha256": second.sha256 + third.sha256})

    roomy, tiny = _twice(tmp_path, make)
    assert roomy.sha256 == tiny.sha256
    assert (roomy.added, roomy.removed) == (0, 0)
