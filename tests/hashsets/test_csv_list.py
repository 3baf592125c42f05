from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets.base import Category, HashEntry
from phunt.hashsets.csv_list import CsvReader, column_role

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
    # The kind option says what the bare hashes of its width are; a column that mixes PDQ
    # and MD5 (as ThreatExchange's PDQMD5TestData.csv does) keeps its MD5s.
    assert [e.hashes for e in CsvReader(data / "list_generic.csv", kind="pdq").entries()] == [
        {"md5": digest("md5", 4)},
        {"pdq": digest("sha256", 4)},
    ]
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


def test_ilook_columns_are_named_hashes(data: Path, digest: Digest) -> None:
    """iLook writes MD5 as V3Hash/V4Hash and the others as HashSHA1, HashSHA256 ..."""
    entries = list(CsvReader(data / "ilook_v4.csv").entries())
    assert [e.hashes for e in entries] == [
        {"md5": digest("md5", 91), "sha1": digest("sha1", 91)},
        {"md5": digest("md5", 92), "sha1": digest("sha1", 92), "sha256": digest("sha256", 92)},
    ]
    assert [e.name for e in entries] == ["a.doc", "b.doc"]
    assert entries[0].extra["FileSize"] == "10429"
    assert entries[0].extra["HashSHA384"] == ""


def test_a_code_outside_the_rows_scheme_is_refused(tmp_path: Path, digest: Digest) -> None:
    """NSRL-CAID's code 8 is neither a DHS nor a VICS 2.0 code: named, never stored."""
    path = tmp_path / "caid.csv"
    path.write_text(f"md5,category,category_scheme\n{digest('md5', 1)},8,dhs-legacy\n")
    with pytest.raises(CorruptInput, match=r"line 2: category 8 is not a code of the dhs-legacy"):
        list(CsvReader(path).entries())
    path.write_text(f"md5,category\n{digest('md5', 1)},8\n")
    with pytest.raises(CorruptInput, match=r"line 2: category 8 is not a code of the vics-us-2.0"):
        list(CsvReader(path, category_scheme="vics-us-2.0").entries())
    uk = list(CsvReader(path, category_scheme="uk-caid").entries())
    assert uk[0].category == Category(8, "uk-caid")  # unverified numbering: kept as given
