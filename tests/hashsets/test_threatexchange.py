from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.threatexchange import ThreatExchangeReader

Digest = Callable[[str, int], str]


def test_typed_lines(data: Path, digest: Digest) -> None:
    reader = ThreatExchangeReader(data / "te_typed.txt")
    assert list(reader.entries()) == [
        HashEntry({"pdq": digest("pdq", 71)}, None, 1, None, {"signal_type": "pdq"}),
        HashEntry({"pdq": digest("pdq", 72)}, None, 2, None, {"signal_type": "pdq"}),
        HashEntry({"md5": digest("md5", 73)}, None, 4, None, {"signal_type": "video_md5"}),
        HashEntry({"url": "https://example.org/item/74"}, None, 5, None, {"signal_type": "url"}),
    ]
    assert reader.metadata()["dialect"] == "typed"


def test_dataset_csv(data: Path, digest: Digest) -> None:
    reader = ThreatExchangeReader(data / "te_dataset.csv")
    collab = {"collab": "Example Collab"}
    assert list(reader.entries()) == [
        HashEntry(
            {"pdq": digest("pdq", 75)},
            None,
            2,
            None,
            {
                **collab,
                "category": "INVESTIGATION_SEED",
                "tags": "blue square",
                "signal_type": "pdq",
            },
        ),
        HashEntry(
            {"md5": digest("md5", 76)},
            None,
            3,
            None,
            {**collab, "category": "POSITIVE_CLASS", "tags": "", "signal_type": "video_md5"},
        ),
    ]
    assert reader.metadata()["dialect"] == "dataset-csv"


def test_pdq_hasher_output(data: Path, digest: Digest) -> None:
    reader = ThreatExchangeReader(data / "te_hasher.txt")
    assert list(reader.entries()) == [
        HashEntry({"pdq": digest("pdq", 77)}, None, 1, "images/blue-square.png", {"quality": 100}),
        HashEntry(
            {"pdq": digest("pdq", 78)}, None, 2, "images/red circle, copy.png", {"quality": 49}
        ),
        HashEntry(
            {"pdq": digest("pdq", 79)},
            None,
            3,
            "green.png",
            {"norm": 128, "delta": 0, "quality": 90, "dims": "64x64"},
        ),
    ]
    assert reader.metadata()["dialect"] == "pdq-hasher"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("te_bad_length.txt", r"line 2: pdq must be 64 hex digits, got 63"),
        ("te_dataset_wrong_columns.csv", r"line 2: row has 4 fields, header has 5"),
    ],
)
def test_corrupt_lists_name_the_line(data: Path, name: str, message: str) -> None:
    with pytest.raises(CorruptInput, match=message):
        list(ThreatExchangeReader(data / name).entries())


def test_mixed_or_unknown_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text(f"pdq {'a' * 64}\n{'a' * 64},90\n")
    with pytest.raises(CorruptInput, match="line 2: not '<signal type> <signal>'"):
        list(ThreatExchangeReader(path).entries())
    path.write_text(f"pdq {'a' * 64}\nPDQ {'a' * 64}\n")
    with pytest.raises(CorruptInput, match="line 2: hash kind 'PDQ' is not a lower-case name"):
        list(ThreatExchangeReader(path).entries())
    path.write_text("hello there\n")
    with pytest.raises(CorruptInput, match="line 1: not a signal list line"):
        list(ThreatExchangeReader(path).entries())
    path.write_text(f"{'a' * 64},90\nnonsense\n")
    with pytest.raises(CorruptInput, match="line 2: not '<pdq hex>,<quality>"):
        list(ThreatExchangeReader(path).entries())
    path.write_text("# nothing\n")
    assert list(ThreatExchangeReader(path).entries()) == []
