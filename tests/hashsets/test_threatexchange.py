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


def test_dataset_columns_in_any_order(data: Path, digest: Digest) -> None:
    reader = ThreatExchangeReader(data / "te_dataset_reordered.csv")
    (entry,) = reader.entries()
    assert entry.hashes == {"pdq": digest("pdq", 75)}
    assert entry.extra["collab"] == "Example Collab"
    assert reader.metadata()["dialect"] == "dataset-csv"


def test_hma_sample_csv_keeps_the_indicator_id_out_of_quality(data: Path, digest: Digest) -> None:
    """HMA 1.x: <hash>,<indicator id>,[<n>,]<time>,<tags>; 64 digits PDQ, 32 video MD5."""
    reader = ThreatExchangeReader(data / "hma_pdq.csv")
    pdq, md5 = reader.entries()
    assert reader.metadata()["dialect"] == "hma-csv"
    assert (pdq.hashes, md5.hashes) == ({"pdq": digest("pdq", 101)}, {"md5": digest("md5", 102)})
    assert pdq.extra == {
        "indicator_id": "2880742865368386",
        "time": "2020-07-31T18:47:52+0000",
        "tags": ["sample_tag", "media_type_photo"],
    }
    assert "quality" not in pdq.extra
    (holiday,) = ThreatExchangeReader(data / "hma_holidays.csv").entries()
    assert holiday.extra["field_3"] == "00000000000000"
    assert holiday.extra["tags"] == ["a", "b"]


def test_pdq_quality_outside_0_to_100_is_damage(data: Path, tmp_path: Path) -> None:
    with pytest.raises(CorruptInput, match=r"line 1: PDQ quality 2880742865368386 is not within"):
        list(ThreatExchangeReader(data / "te_hasher_bad_quality.txt").entries())
    details = tmp_path / "details.txt"
    details.write_text(f"hash={'a' * 64},quality=101,filename=x.png\n")
    with pytest.raises(CorruptInput, match=r"line 1: PDQ quality 101 is not within 0-100"):
        list(ThreatExchangeReader(details).entries())
