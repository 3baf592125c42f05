"""The set file: reading back what was written, lookups, and refusing damaged files."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.categories import Category
from phunt.hashsets.columns import batches_from_entries, plain_batch
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setbuild import build_set_file
from phunt.hashsets.setfile import PREAMBLE, SetFile
from phunt.hashsets.setwrite import Column, write_set_file

VICS = "vics-us-2.0"


def _hex(seed: str, kind: str) -> str:
    return hashlib.new(kind, seed.encode()).hexdigest()


def _rich() -> list[HashEntry]:
    """Entries with two digest kinds, a text kind, categories, names and extra fields."""
    entries = [
        HashEntry(
            hashes={"md5": _hex(f"e{i}", "md5"), "sha1": _hex(f"e{i}", "sha1")},
            category=Category(i % 3, VICS) if i % 2 else None,
            record=i + 1,
            name=f"picture {i}.jpg" if i % 3 else None,
            extra={"size": i * 10, "note": "ünïcode"} if i % 4 else {},
        )
        for i in range(12)
    ]
    entries.append(HashEntry(hashes={"vpdq": "0,1.000,aa;1,0.500,bb"}, record=13))
    entries.append(HashEntry(hashes={"md5": _hex("e1", "md5")}, record=14, name="same md5"))
    return entries


def _build(tmp_path: Path, entries: list[HashEntry]) -> Path:
    result = build_set_file(
        batches_from_entries(entries, size=5),
        tmp_path / "out",
        previous=None,
        first_number=1,
        scratch=tmp_path / "scratch",
        meta={"list": "test"},
    )
    return result.path


def _queries(*hexes: str) -> np.ndarray[Any, Any]:
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), -1)


def test_entries_round_trip_every_field(tmp_path: Path) -> None:
    entries = _rich()
    with SetFile.open(_build(tmp_path, entries), verify=True) as opened:
        assert len(opened) == len(entries)
        assert opened.kinds == ("md5", "sha1", "vpdq")
        assert opened.meta == {"list": "test"}
        assert [number for number, _ in opened.entries()] == list(range(1, len(entries) + 1))
        assert [entry for _, entry in opened.entries()] == entries
        assert opened.entry(4) == entries[4]
        picked = np.array([12, 0], dtype=np.int64)
        assert [n for n, _ in opened.entries(picked)] == [1, 13]


def test_lookup_answers_a_batch_with_hits_misses_and_shared_digests(tmp_path: Path) -> None:
    entries = _rich()
    with SetFile.open(_build(tmp_path, entries)) as opened:
        md5 = _queries(_hex("nothing", "md5"), _hex("e1", "md5"), _hex("e7", "md5"))
        positions, rows = opened.lookup("md5", md5)
        assert positions.tolist() == [1, 1, 2]
        assert sorted(rows[:2].tolist()) == [1, 13] and rows[2] == 7
        assert opened.category(1) == Category(1, VICS) and opened.category(0) is None
        sha1 = _queries(_hex("e3", "sha1"), _hex("e3", "md5") + "00000000")
        positions, rows = opened.lookup("sha1", sha1)
        assert positions.tolist() == [0] and rows.tolist() == [3]
        assert opened.lookup("sha256", np.zeros((2, 32), dtype=np.uint8))[0].shape == (0,)
        with pytest.raises(ValueError, match="md5"):
            opened.lookup("md5", np.zeros((2, 20), dtype=np.uint8))


def test_texts_digests_and_entry_numbers(tmp_path: Path) -> None:
    with SetFile.open(_build(tmp_path, _rich())) as opened:
        assert list(opened.texts("vpdq")) == [(12, "0,1.000,aa;1,0.500,bb")]
        assert list(opened.texts("photodna")) == []
        digests, rows = opened.digests("md5")
        assert digests.shape == (13, 16) and rows.dtype == np.uint32
        keys = [bytes(row) for row in digests]
        assert keys == sorted(keys)
        assert opened.row_of(5) == 4 and opened.row_of(99) is None and opened.row_of(0) is None


def test_an_empty_list_is_a_valid_set_file(tmp_path: Path) -> None:
    with SetFile.open(_build(tmp_path, []), verify=True) as opened:
        assert len(opened) == 0 and opened.kinds == ()
        assert list(opened.entries()) == []
        assert opened.lookup("md5", np.zeros((1, 16), dtype=np.uint8))[0].shape == (0,)
        assert opened.row_of(1) is None


def test_export_of_many_rows_uses_the_same_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    digests = rng.integers(0, 256, (5000, 16), dtype=np.uint8)
    batch = plain_batch("md5", digests, np.arange(1, 5001, dtype=np.int64))
    path = build_set_file(
        [batch], tmp_path, previous=None, first_number=10, scratch=tmp_path, meta={}
    ).path
    with SetFile.open(path) as opened:
        assert path.stat().st_size <= 40 * 5000 + 4096
        every = list(opened.entries())
        assert [n for n, _ in every] == list(range(10, 5010))
        assert [e.hashes["md5"] for _, e in every] == [bytes(d).hex() for d in digests]
        assert opened.entry(4321) == every[4321][1]


def test_writer_streams_columns_and_checks_their_length(tmp_path: Path) -> None:
    numbers = Column(np.dtype("<i8"), (4,), lambda: [np.arange(2), np.arange(2, 4)])
    written = write_set_file(
        tmp_path,
        {"entry": numbers, "record": np.zeros(4, dtype=np.uint32)},
        kinds=[],
        schemes=[],
        meta={},
    )
    with SetFile.open(written.path, verify=True) as opened:
        assert opened.entry_numbers.tolist() == [0, 1, 2, 3]
        assert written.path.name == f"{opened.sha256}.phs"
        assert written.size == written.path.stat().st_size
    short = Column(np.dtype("<i8"), (4,), lambda: [np.arange(3)])
    with pytest.raises(ValueError, match="entry"):
        write_set_file(tmp_path / "x", {"entry": short}, kinds=[], schemes=[], meta={})
    assert list((tmp_path / "x").iterdir()) == []


# -- damage ------------------------------------------------------------------------------


def _header(path: Path) -> tuple[dict[str, Any], int]:
    raw = path.read_bytes()
    length = int.from_bytes(raw[12:20], "little")
    return json.loads(raw[PREAMBLE : PREAMBLE + length]), length


def _rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of ``path`` whose header says something else (same length, padded)."""
    header, length = _header(path)
    change(header)
    text = json.dumps(header, separators=(",", ":")).encode()
    assert len(text) <= length
    raw = bytearray(path.read_bytes())
    raw[PREAMBLE : PREAMBLE + length] = text + b" " * (length - len(text))
    out = path.with_name("damaged.phs")
    out.write_bytes(bytes(raw))
    return out


def _column(name: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(header: dict[str, Any]) -> None:
        header["columns"][name][key] = value(header["columns"][name][key])

    return change


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(header: dict[str, Any]) -> None:
        header[key] = value

    return change


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    def change(header: dict[str, Any]) -> None:
        del header["columns"][name]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_column("digest/md5", "offset", lambda v: v + 1), "offset"),
        (_column("digest/md5", "offset", lambda v: v + 64 * 10**6), "past the end"),
        (_column("row/md5", "offset", lambda v: v - 64), "overlap"),
        (_column("digest/md5", "shape", lambda v: [v[0], 8]), "expected"),
        (_column("entry", "shape", lambda v: [v[0] - 1]), "expected"),
        (_column("entry", "dtype", lambda v: "<f8"), "dtype"),
        (_column("record", "shape", lambda v: [v[0], 1, 1]), "shape"),
        (_drop("row/sha1"), "missing"),
        (_drop("category/code"), "without"),
        (_set("entries", -1), "count"),
        (_set("kinds", ["md5", "md5"]), "twice"),
        (_set("columns", []), "columns"),
    ],
)
def test_a_header_that_lies_is_refused(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    damaged = _rewrite(_build(tmp_path, _rich()), change)
    with pytest.raises(CorruptInput, match=message) as caught:
        SetFile.open(damaged)
    assert caught.value.path == str(damaged)


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda raw: b"PHUNTSEX" + raw[8:], "magic"),
        (lambda raw: raw[:-100], "truncated"),
        (lambda raw: raw[:10], "magic"),
        (lambda raw: raw[:30], "truncated"),
        (lambda raw: raw[:8] + (2).to_bytes(4, "little") + raw[12:], "format 2"),
        (lambda raw: raw[:PREAMBLE] + b"[" + raw[PREAMBLE + 1 :], "JSON"),
    ],
)
def test_truncated_or_foreign_files_are_refused(
    tmp_path: Path, cut: Callable[[bytes], bytes], message: str
) -> None:
    damaged = tmp_path / "damaged.phs"
    damaged.write_bytes(cut(_build(tmp_path, _rich()).read_bytes()))
    with pytest.raises(CorruptInput, match=message) as caught:
        SetFile.open(damaged)
    assert caught.value.path == str(damaged)


def test_verify_checks_the_name_and_the_order_of_every_column(tmp_path: Path) -> None:
    path = _build(tmp_path, _rich())
    misnamed = tmp_path / f"{'0' * 64}.phs"
    shutil.copy(path, misnamed)
    SetFile.open(misnamed).close()
    with pytest.raises(CorruptInput, match="SHA-256") as caught:
        SetFile.open(misnamed, verify=True)
    assert caught.value.path == str(misnamed)
    header, _ = _header(path)
    raw = bytearray(path.read_bytes())
    start = header["columns"]["digest/md5"]["offset"]
    first, second = raw[start : start + 16], raw[start + 16 : start + 32]
    raw[start : start + 32] = second + first
    unsorted = tmp_path / f"{hashlib.sha256(raw).hexdigest()}.phs"
    unsorted.write_bytes(bytes(raw))
    SetFile.open(unsorted).close()
    with pytest.raises(CorruptInput, match="not sorted") as caught:
        SetFile.open(unsorted, verify=True)
    assert caught.value.path == str(unsorted)


@pytest.mark.parametrize(
    ("row", "message"), [(10**6, "out of range"), (None, "carries sha1 twice")]
)
def test_verify_refuses_rows_out_of_range_or_twice(
    tmp_path: Path, row: int | None, message: str
) -> None:
    path = _build(tmp_path, _rich())
    header, _ = _header(path)
    raw = bytearray(path.read_bytes())
    start = header["columns"]["row/sha1"]["offset"]
    value = raw[start + 4 : start + 8] if row is None else row.to_bytes(4, "little")
    raw[start : start + 4] = value
    damaged = tmp_path / f"{hashlib.sha256(raw).hexdigest()}.phs"
    damaged.write_bytes(bytes(raw))
    with pytest.raises(CorruptInput, match=message):
        SetFile.open(damaged, verify=True)


def test_a_missing_file_is_corrupt_input_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CorruptInput, match="cannot read") as caught:
        SetFile.open(tmp_path / "gone.phs")
    assert caught.value.path == str(tmp_path / "gone.phs")


def test_columns_read_without_the_mapping_and_cut_short_is_corrupt(tmp_path: Path) -> None:
    path = _build(tmp_path, _rich())
    with SetFile.open(path) as opened:
        assert opened.read("entry", 2, 5).tolist() == [3, 4, 5]
        assert opened.read("digest/md5", 0, 2).shape == (2, 16)
        assert opened.read("entry", 10, 99).tolist() == [11, 12, 13, 14]
        size = path.stat().st_size
        copy = tmp_path / "copy.phs"
        shutil.copy(path, copy)
    with SetFile.open(copy) as opened:
        header, _ = _header(copy)
        with copy.open("r+b") as stream:
            stream.truncate(header["columns"]["record"]["offset"] + 4)
        with pytest.raises(CorruptInput, match="cut short") as caught:
            opened.read("record", 0, 14)
        assert caught.value.path == str(copy) and size > copy.stat().st_size
