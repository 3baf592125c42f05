"""A split E01 set that lacks a segment is recognised before libewf reads into the gap."""

from __future__ import annotations

from pathlib import Path

import pytest

from phunt.sources.ewf_set import incomplete_message, missing_segment, segment_name
from test_lib import ewf_subset


def _set(folder: Path, *numbers: int) -> list[str]:
    ewf_subset(folder, *numbers)
    return [str(folder / f"notes.E{n:02d}") for n in numbers]


@pytest.mark.parametrize(
    ("first", "number", "name"),
    [
        ("case.E01", 2, "case.E02"),
        ("case.E01", 99, "case.E99"),
        ("case.E01", 100, "case.EAA"),
        ("case.E01", 101, "case.EAB"),
        ("case.E01", 126, "case.EBA"),
        ("case.E01", 776, "case.FAA"),
        ("/x/case.e01", 3, "case.e03"),
        ("/x/case.e01", 100, "case.eaa"),
    ],
)
def test_segment_names_follow_libewf(first: str, number: int, name: str) -> None:
    assert segment_name(first, number) == name


def test_complete_set_misses_nothing(tmp_path: Path) -> None:
    segments = _set(tmp_path, 1, 2, 3)
    assert missing_segment(segments) is None
    assert incomplete_message(segments) is None


def test_middle_segment_missing_is_named(tmp_path: Path) -> None:
    # pyewf.glob stops at the gap, so E01 alone is listed; its chain ends with "next".
    segments = _set(tmp_path, 1)
    assert missing_segment(segments) == "notes.E02"
    assert incomplete_message(segments) == (
        "EWF set incomplete: segment notes.E02 is missing (found notes.E01)"
    )


def test_last_segment_missing_is_named(tmp_path: Path) -> None:
    assert missing_segment(_set(tmp_path, 1, 2)) == "notes.E03"


def test_misnumbered_or_damaged_segments_are_left_to_libewf(tmp_path: Path) -> None:
    segments = _set(tmp_path, 1, 2)
    assert missing_segment(list(reversed(segments))) is None  # E02 where E01 should be
    cut = tmp_path / "notes.E02"
    cut.write_bytes(cut.read_bytes()[:2000])  # its chain breaks off: cannot be judged
    assert missing_segment(segments) is None
    assert missing_segment([str(tmp_path / "gone.E01")]) is None
    assert missing_segment([]) is None


def test_names_follow_the_segment_as_the_examiner_knows_it(tmp_path: Path) -> None:
    scratch_copy = tmp_path / "000001.E01"  # how a member of an archive is read
    scratch_copy.write_bytes(ewf_subset(tmp_path / "set", 1).read_bytes())
    assert incomplete_message([str(scratch_copy)], "phone.zip!/disk/notes.E01") == (
        "EWF set incomplete: segment notes.E02 is missing (found notes.E01)"
    )
