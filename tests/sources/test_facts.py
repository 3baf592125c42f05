"""A source's own facts in one call: kind, size, segments and their digests, E01 check."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from phunt.errors import UsageError
from phunt.sources.facts import SourceFacts, describe_kind, describe_source
from test_lib import TEST_DATA, ewf_subset, make_ext2_image, shared_folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_is_described_without_reading_it(tmp_path: Path) -> None:
    assert describe_source(str(tmp_path)) == SourceFacts("folder")
    assert describe_kind(str(tmp_path)) == SourceFacts("folder")


def test_a_single_file_has_its_digest_and_no_segments(tmp_path: Path) -> None:
    image = make_ext2_image(tmp_path / "disk.raw", {"a.txt": b"a\n"})
    facts = describe_source(str(image))
    assert facts == SourceFacts("file", image.stat().st_size, _sha(image))
    assert describe_kind(str(image)) == SourceFacts("file", image.stat().st_size)


def test_a_split_raw_image_lists_each_segment_with_its_digest(tmp_path: Path) -> None:
    whole = make_ext2_image(tmp_path / "whole.raw", {"a.txt": b"a\n"}).read_bytes()
    third = len(whole) // 3
    parts = [whole[:third], whole[third : 2 * third], whole[2 * third :]]
    for number, part in enumerate(parts):
        (tmp_path / f"disk.{number:03d}").write_bytes(part)
    first = tmp_path / "disk.000"
    facts = describe_source(str(first))
    assert facts.kind == "file" and facts.size == len(parts[0])
    assert facts.sha256 == _sha(first)
    assert facts.segments == {f"disk.{n:03d}": _sha(tmp_path / f"disk.{n:03d}") for n in range(3)}
    assert list(facts.segments) == ["disk.000", "disk.001", "disk.002"]
    assert facts.verification == {}


def test_an_e01_set_is_verified_against_its_acquisition_md5(tmp_path: Path) -> None:
    ref = shared_folder("reference/disk-images")
    for name in ("ext2.split.E01", "ext2.split.E02"):
        shutil.copy(ref / name, tmp_path / name)
    facts = describe_source(str(tmp_path / "ext2.split.E01"))
    assert facts.sha256 == _sha(tmp_path / "ext2.split.E01")
    assert facts.segments == {
        "ext2.split.E01": _sha(tmp_path / "ext2.split.E01"),
        "ext2.split.E02": _sha(tmp_path / "ext2.split.E02"),
    }
    assert facts.verification == {
        "ewf": {
            "stored_md5": "196066add11fb71c4c49cf1bb50d6d24",
            "computed_md5": "196066add11fb71c4c49cf1bb50d6d24",
            "ok": True,
            "chunks": 128,
            "bytes_per_sector": 512,
            "bad_sectors": [],
        }
    }


def test_a_damaged_e01_is_recorded_as_failed_verification(tmp_path: Path) -> None:
    data = (shared_folder("reference/disk-images") / "ext2.E01").read_bytes()
    (tmp_path / "cut.E01").write_bytes(data[: len(data) // 2])
    facts = describe_source(str(tmp_path / "cut.E01"))
    assert facts.verification["ewf"]["ok"] is False
    assert facts.verification["ewf"]["error"]


def test_an_e01_set_missing_a_segment_says_which(tmp_path: Path) -> None:
    first = ewf_subset(tmp_path, 1, 3)  # E02 of three removed
    facts = describe_source(str(first))
    assert facts.sha256 == _sha(first)
    assert facts.verification["ewf"]["ok"] is False
    assert "segment notes.E02 is missing" in facts.verification["ewf"]["error"]


def test_a_root_that_is_a_link_or_a_fifo_is_refused_before_a_job_opens(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "link")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UsageError, match=r"link: a symbolic link, not followed \(-> real\)"):
        describe_kind(str(tmp_path / "link"))
    with pytest.raises(UsageError, match=r"pipe: a FIFO \(named pipe\)"):
        describe_kind(str(tmp_path / "pipe"))


def test_a_damaged_chunk_of_zeros_fails_verification_though_the_md5_matches() -> None:
    """libewf reads the damaged chunk as zeros, which it held: only the chunk check sees."""
    ewf = describe_source(str(TEST_DATA / "ewf" / "damaged-zeros.E01")).verification["ewf"]
    assert ewf["stored_md5"] == ewf["computed_md5"] and ewf["ok"] is False
    assert ewf["chunks"] == 33 and ewf["bytes_per_sector"] == 512
    [bad] = ewf["bad_sectors"]
    assert (bad["first_sector"], bad["last_sector"], bad["count"]) == (2048, 2111, 64)
    assert bad["segments"] == ["damaged-zeros.E01"]


def test_a_damaged_chunk_of_file_data_fails_with_its_sectors() -> None:
    ewf = describe_source(str(TEST_DATA / "ewf" / "damaged-plain.E01")).verification["ewf"]
    assert ewf["ok"] is False and ewf["stored_md5"] != ewf["computed_md5"]
    assert [(b["first_sector"], b["reason"]) for b in ewf["bad_sectors"]] == [
        (192, "checksum mismatch")
    ]
