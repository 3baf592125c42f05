"""PdqIndex against brute force: exact recall at the threshold, nothing beyond it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phunt.errors import CorruptInput, InputError, UsageError
from phunt.matching.pdq_index import PdqIndex, array_to_hex, hex_to_array

Hashes = npt.NDArray[np.uint8]


def flip(h: Hashes, bits: npt.NDArray[np.int64]) -> Hashes:
    """A copy of one hash with the given bit positions inverted."""
    out = h.copy()
    for b in bits:
        out[b // 8] ^= np.uint8(1 << (b % 8))
    return out


def brute(index_hashes: Hashes, queries: Hashes, threshold: int) -> set[tuple[int, int, int]]:
    """(query, row, distance) for every pair within ``threshold``, by exhaustive comparison."""
    d = np.bitwise_count(queries[:, None, :] ^ index_hashes[None, :, :]).sum(axis=2)
    qi, ri = np.nonzero(d <= threshold)
    return {(int(q), int(r), int(d[q, r])) for q, r in zip(qi, ri, strict=True)}


def found(index: PdqIndex, queries: Hashes, threshold: int) -> set[tuple[int, int, int]]:
    m = index.query(queries, threshold)
    assert len(m) == len({(int(q), int(i)) for q, i in zip(m.query, m.id, strict=True)})
    return {(int(q), int(i), int(d)) for q, i, d in zip(m.query, m.id, m.distance, strict=True)}


def near_copies(
    rng: np.random.Generator, hashes: Hashes, count: int, max_bits: int
) -> tuple[Hashes, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``count`` copies of random indexed hashes with 0..max_bits random bits flipped."""
    src = rng.integers(0, len(hashes), count)
    ks = rng.integers(0, max_bits + 1, count)
    out = np.stack(
        [flip(hashes[s], rng.choice(256, k, replace=False)) for s, k in zip(src, ks, strict=True)]
    )
    return out, src, ks


@pytest.fixture(scope="module")
def data() -> tuple[Hashes, Hashes, PdqIndex]:
    rng = np.random.default_rng(20260101)
    hashes = rng.integers(0, 256, size=(3000, 32), dtype=np.uint8)
    copies, _, _ = near_copies(rng, hashes, 300, 80)
    queries = np.concatenate([copies, rng.integers(0, 256, size=(100, 32), dtype=np.uint8)])
    return hashes, queries, PdqIndex.build(hashes)


@pytest.mark.parametrize("threshold", [0, 1, 15, 16, 30, 31, 32, 47, 48, 63, 64, 90])
def test_same_pairs_as_brute_force(data: tuple[Hashes, Hashes, PdqIndex], threshold: int) -> None:
    hashes, queries, index = data
    expected = brute(hashes, queries, threshold)
    assert found(index, queries, threshold) == expected
    assert expected  # the planted copies make every threshold meaningful


def test_flips_up_to_31_match_and_beyond_do_not() -> None:
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 256, size=(500, 32), dtype=np.uint8)
    index = PdqIndex.build(hashes, ids=np.arange(500) + 1000)
    for k in range(41):
        for _ in range(5):
            row = int(rng.integers(0, 500))
            q = flip(hashes[row], rng.choice(256, k, replace=False))[None, :]
            m = index.query(q)
            hit = [(int(i), int(d)) for i, d in zip(m.id, m.distance, strict=True)]
            if k <= 31:
                assert (row + 1000, k) in hit
            else:
                assert all(i != row + 1000 for i, _ in hit)


def test_threshold_is_inclusive() -> None:
    rng = np.random.default_rng(8)
    h = rng.integers(0, 256, size=(1, 32), dtype=np.uint8)
    q = flip(h[0], rng.choice(256, 31, replace=False))[None, :]
    index = PdqIndex.build(h)
    assert [int(d) for d in index.query(q, 31).distance] == [31]
    assert len(index.query(q, 30)) == 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), threshold=st.integers(0, 70))
def test_random_sets_match_brute_force(seed: int, threshold: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 256, size=(int(rng.integers(1, 400)), 32), dtype=np.uint8)
    copies, _, _ = near_copies(rng, hashes, 40, threshold + 4)
    assert found(PdqIndex.build(hashes), copies, threshold) == brute(hashes, copies, threshold)


def test_dihedral_group_reports_each_entry_once_at_best_variant() -> None:
    rng = np.random.default_rng(9)
    hashes = rng.integers(0, 256, size=(50, 32), dtype=np.uint8)
    index = PdqIndex.build(hashes, ids=np.arange(50) * 10)
    variants = rng.integers(0, 256, size=(16, 32), dtype=np.uint8)
    variants[2] = flip(hashes[4], rng.choice(256, 20, replace=False))
    variants[5] = flip(hashes[4], rng.choice(256, 3, replace=False))
    variants[11] = flip(hashes[7], rng.choice(256, 12, replace=False))
    groups = np.repeat([0, 1], 8)
    m = index.query(variants, groups=groups)
    assert sorted(m.rows()) == [(0, 5, 40, 3), (1, 11, 70, 12)]
    assert sorted(index.query(variants).rows()) == [(2, 2, 40, 20), (5, 5, 40, 3), (11, 11, 70, 12)]


def test_duplicate_hashes_with_different_ids_all_match() -> None:
    rng = np.random.default_rng(10)
    h = rng.integers(0, 256, size=(1, 32), dtype=np.uint8)
    index = PdqIndex.build(np.repeat(h, 3, axis=0), ids=[11, 22, 33])
    assert sorted(int(i) for i in index.query(h).id) == [11, 22, 33]


def test_more_matches_than_the_first_output_buffer() -> None:
    rng = np.random.default_rng(12)
    h = rng.integers(0, 256, size=(1, 32), dtype=np.uint8)
    near = np.stack([flip(h[0], rng.choice(256, 5, replace=False)) for _ in range(1500)])
    hashes = np.concatenate([np.repeat(h, 2500, axis=0), near])
    queries = np.concatenate([h, near[:3]])
    assert found(PdqIndex.build(hashes), queries, 31) == brute(hashes, queries, 31)
    assert len(PdqIndex.build(hashes).query(h)) == 4000


def test_empty_index_and_empty_batch() -> None:
    rng = np.random.default_rng(11)
    q = rng.integers(0, 256, size=(3, 32), dtype=np.uint8)
    assert len(PdqIndex.build(np.empty((0, 32), np.uint8)).query(q)) == 0
    assert len(PdqIndex.build(q).query(np.empty((0, 32), np.uint8))) == 0


def test_words_and_bytes_are_the_same_hashes() -> None:
    hexes = ["f" * 64, "0123456789abcdef" * 4]
    b = hex_to_array(hexes)
    words = b.view(">u8").astype(np.uint64)
    assert array_to_hex(b) == hexes
    assert array_to_hex(words) == hexes
    index = PdqIndex.build(words, ids=[5, 6])
    assert sorted(index.query(b, 0).rows()) == [(0, 0, 5, 0), (1, 1, 6, 0)]


def test_hex_input_is_validated() -> None:
    assert hex_to_array(["AB" * 32]).tolist() == [[0xAB] * 32]
    for bad in ["ab" * 31, "zz" * 32, "ab " * 21 + "a", "ab" * 33]:
        with pytest.raises(InputError, match="hash 1"):
            hex_to_array(["00" * 32, bad])


def test_bad_arguments_are_refused() -> None:
    index = PdqIndex.build(np.zeros((2, 32), np.uint8))
    with pytest.raises(UsageError):
        index.query(np.zeros((1, 32), np.uint8), threshold=257)
    with pytest.raises(ValueError):
        index.query(np.zeros((1, 31), np.uint8))
    with pytest.raises(ValueError):
        index.query(np.zeros((2, 32), np.uint8), groups=[0])
    with pytest.raises(ValueError):
        PdqIndex.build(np.zeros((2, 32), np.uint8), ids=[1])


def test_save_and_load_round_trip(tmp_path: Path, data: tuple[Hashes, Hashes, PdqIndex]) -> None:
    _, queries, index = data
    path = tmp_path / "pdq.npz"
    index.save(path)
    loaded = PdqIndex.load(path)
    assert np.array_equal(loaded.words, index.words)
    assert np.array_equal(loaded.ids, index.ids)
    assert found(loaded, queries, 31) == found(index, queries, 31)


def test_malformed_files_are_refused(tmp_path: Path) -> None:
    good = np.zeros((2, 4), np.uint64)
    cases = {
        "garbage": None,
        "marker": {"format": np.array("other"), "words": good, "ids": np.arange(2)},
        "dtype": {"format": np.array("phunt-pdq-index-1"), "words": good.astype(np.int64),
                  "ids": np.arange(2)},
        "ids": {"format": np.array("phunt-pdq-index-1"), "words": good, "ids": np.arange(3)},
        "extra": {"format": np.array("phunt-pdq-index-1"), "words": good, "ids": np.arange(2),
                  "more": np.arange(2)},
        "pickle": {"format": np.array("phunt-pdq-index-1"), "words": good,
                   "ids": np.array([{}, {}], dtype=object)},
    }  # fmt: skip
    for name, arrays in cases.items():
        path = tmp_path / f"{name}.npz"
        if arrays is None:
            path.write_bytes(b"PK\x03\x04 not really a zip")
        else:
            np.savez(path, **arrays)  # type: ignore[arg-type]
        with pytest.raises(CorruptInput) as err:
            PdqIndex.load(path)
        assert err.value.path == str(path)
