from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.plain import PlainReader

Digest = Callable[[str, int], str]


def test_good_list_yields_exactly_its_entries(data: Path, digest: Digest) -> None:
    entries = list(PlainReader(data / "plain.txt").entries())
    assert entries == [
        HashEntry({"md5": digest("md5", 1)}, record=2),
        HashEntry({"sha1": digest("sha1", 1)}, record=3),
        HashEntry({"sha256": digest("sha256", 1)}, record=5, name="holiday_photo.png"),
        HashEntry({"md5": digest("md5", 2)}, record=7, name="report.pdf"),
    ]


def test_kind_comment_makes_64_digits_pdq_until_auto(data: Path, digest: Digest) -> None:
    reader = PlainReader(data / "plain_pdq.txt")
    assert list(reader.entries()) == [
        HashEntry({"pdq": digest("pdq", 1)}, record=2),
        HashEntry({"pdq": digest("pdq", 2)}, record=3),
        HashEntry({"sha256": digest("sha256", 2)}, record=5),
    ]
    assert reader.metadata()["kind_directives"] == [
        {"line": 1, "kind": "pdq"},
        {"line": 4, "kind": "auto"},
    ]


def test_kind_option_wins_over_comments(data: Path) -> None:
    entries = list(PlainReader(data / "plain_pdq.txt", kind="pdq").entries())
    assert [list(e.hashes) for e in entries] == [["pdq"], ["pdq"], ["pdq"]]


def test_kind_option_applies_to_values_of_its_width(data: Path, tmp_path: Path) -> None:
    """--hash-kind pdq names the 64-digit values; an MD5 line among them stays MD5."""
    kinds = [list(e.hashes) for e in PlainReader(data / "plain.txt", kind="pdq").entries()]
    assert kinds == [["md5"], ["sha1"], ["pdq"], ["md5"]]
    cut = tmp_path / "cut.txt"
    cut.write_text("a" * 63 + "\n")
    with pytest.raises(CorruptInput, match=r"cut.txt:line 1: not an MD5, SHA-1, SHA-256 or PDQ"):
        list(PlainReader(cut, kind="pdq").entries())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("plain_bad_hex.txt", r":line 3: md5 is not hexadecimal"),
        ("plain_bad_length.txt", r":line 2: not an MD5, SHA-1, SHA-256 or PDQ hash .*31 char"),
    ],
)
def test_corrupt_lists_name_the_line(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(PlainReader(data / name).entries())


def test_non_utf8_and_junk_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"a" * 32 + b"\n" + b"b" * 32 + b"\xff\n")
    with pytest.raises(CorruptInput, match="line 2: not utf-8 text"):
        list(PlainReader(path).entries())
    path.write_text("a" * 32 + "\nhello, world\n")
    with pytest.raises(
        CorruptInput, match=r"line 2: not an MD5, SHA-1, SHA-256 or PDQ hash .*'hello,' \(6 char"
    ):
        list(PlainReader(path).entries())


def test_probe_wants_mostly_hashes(tmp_path: Path) -> None:
    assert PlainReader.probe(tmp_path, b"# only a comment\n")
    assert not PlainReader.probe(tmp_path, b"\n\n")
    assert not PlainReader.probe(tmp_path, b"dear diary\ntoday\n" + b"a" * 32 + b"\n")
    assert not PlainReader.probe(tmp_path, b"md5,name\n")


@pytest.mark.slow
def test_iterating_a_large_list_keeps_memory_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("w") as out:
        for n in range(200_000):
            out.write(f"{n:064x}\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in PlainReader(path).entries())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"
