from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.csv_list import CsvReader, column_role, write_csv

Digest = Callable[[str, int], str]


def test_good_list_yields_exactly_its_rows(data: Path, digest: Digest) -> None:
    reader = CsvReader(data / "list.csv", category_scheme="vics-us-2.0")
    assert list(reader.entries()) == [
        HashEntry(
            {"md5": digest("md5", 1), "sha1": digest("sha1", 1)},
            Category(1, "vics-us-2.0"),
            3,
            "blue.png",
            {"Note": "first, with a comma"},
        ),
        HashEntry(
            {"md5": digest("md5", 2)}, Category(0, "vics-us-2.0"), 4, "red.png", {"Note": ""}
        ),
        HashEntry({"sha1": digest("sha1", 3)}, None, 5, "green.png", {"Note": "plain"}),
    ]
    assert reader.metadata()["columns"] == ["MD5", "SHA-1", "File Name", "Category", "Note"]


def test_categories_without_a_scheme_stop_the_import(data: Path) -> None:
    with pytest.raises(UsageError, match=r"list.csv:line 3: .*--category-scheme"):
        list(CsvReader(data / "list.csv").entries())


def test_generic_hash_column_and_other_delimiters(data: Path, digest: Digest) -> None:
    generic = list(CsvReader(data / "list_generic.csv").entries())
    assert [e.hashes for e in generic] == [
        {"md5": digest("md5", 4)},
        {"sha256": digest("sha256", 4)},
    ]
    # The kind option says what every bare hash is, and is held to it.
    with pytest.raises(CorruptInput, match="line 2: column 'hash': pdq must be 64 hex digits"):
        list(CsvReader(data / "list_generic.csv", kind="pdq").entries())
    reader = CsvReader(data / "list_semicolon.csv")
    assert [e.hashes for e in reader.entries()] == [
        {"sha256": digest("sha256", 5), "pdq": digest("pdq", 5)}
    ]
    assert reader.metadata()["delimiter"] == ";"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("list_wrong_columns.csv", r"line 3: row has 3 fields, header has 2"),
        ("list_bad_hex.csv", r"line 3: column 'md5': md5 is not hexadecimal"),
        ("list_bad_category.csv", r"line 2: category is not a whole number: 'one'"),
    ],
)
def test_corrupt_lists_name_the_line(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(CsvReader(data / name, category_scheme="dhs-legacy").entries())


def test_header_problems(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("md5,MD5\n" + "a" * 32 + "," + "b" * 32 + "\n")
    with pytest.raises(CorruptInput, match="line 1: two columns hold the same thing"):
        list(CsvReader(path).entries())
    path.write_text("# only comments\n")
    with pytest.raises(CorruptInput, match="no header line"):
        list(CsvReader(path).entries())
    path.write_text("name,size\nx,1\n")
    with pytest.raises(CorruptInput, match="line 1: header names no hash column"):
        list(CsvReader(path).entries())
    path.write_text("md5,name\n,nameless\n")
    with pytest.raises(CorruptInput, match="line 2: row has no hash"):
        list(CsvReader(path).entries())


def test_column_roles() -> None:
    assert column_role("MD5 Hash") == "md5"
    assert [column_role(c) for c in ("SHA-256", "sha_1", "File Name", "Cat", "Notes")] == [
        "sha256", "sha1", "name", "category", None,
    ]  # fmt: skip


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
