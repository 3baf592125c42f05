"""The CSV writer: what it writes reads back the same, and no hash is dropped silently."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from phunt.errors import UsageError
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.csv_list import CsvReader
from phunt.hashsets.csv_writer import CsvWriter, write_csv


def test_write_then_read_gives_the_same_entries(tmp_path: Path) -> None:
    vpdq = f"0,100,{'a' * 64},0.000\n1,100,{'b' * 64},0.033"
    entries = [
        HashEntry({"md5": "ab" * 16, "pdq": "cd" * 32}, Category(5, "dhs-legacy"), 1, "a, b.png",
                  {"Series": "S1", "Size": 12}),
        HashEntry({"vpdq": vpdq}, None, 2, None, {}),
        HashEntry({"sha1": "ef" * 20}, Category(0, "vics-us-2.0"), 3, "c.png", {"Series": "S2"}),
    ]  # fmt: skip
    path = tmp_path / "out.csv"
    with path.open("w", newline="") as out:
        count = write_csv(
            entries, out, kinds=("md5", "sha1", "pdq", "vpdq"), extra_fields=["Series", "Size"]
        )
    assert count == 3
    back = list(CsvReader(path).entries())
    assert [(e.hashes, e.category, e.name, e.record) for e in back] == [
        (entries[0].hashes, entries[0].category, "a, b.png", 2),
        (entries[1].hashes, None, None, 3),
        (entries[2].hashes, entries[2].category, "c.png", 4),
    ]
    assert [e.extra for e in back] == [
        {"Series": "S1", "Size": "12"},
        {"Series": "", "Size": ""},
        {"Series": "S2", "Size": ""},
    ]


def test_write_refuses_to_drop_a_hash() -> None:
    entry = HashEntry({"photodna": "x"}, record=7)
    with pytest.raises(UsageError, match=r"record 7: no column for \['photodna'\]"):
        write_csv([entry], io.StringIO(), kinds=("md5",))


def test_writer_class_writes_every_kind() -> None:
    out = io.StringIO()
    entry = HashEntry({"sha256": "ab" * 32}, Category(1, "uk-caid"), 1, "a.png")
    assert CsvWriter().write([entry], out, form="case", metadata={"profile": "US"}) == 1
    assert out.getvalue().splitlines() == [
        "md5,sha1,sha256,pdq,vpdq,photodna,name,category,category_scheme",
        f",,{'ab' * 32},,,,a.png,1,uk-caid",
    ]
