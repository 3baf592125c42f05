"""Files with data in an E01's bad sectors are named, with the sectors; others are not."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pyewf
import pytest

from phunt.sources.disk_image import DiskImageSource
from phunt.sources.ewf_chunks import BadRange
from phunt.sources.ewf_damage import damaged_files, ewf_problems, is_first_ewf, member_extents
from phunt.sources.facts import SourceFacts, describe_source
from test_lib import TEST_DATA

EWF = TEST_DATA / "ewf"


def _contents(image: Path) -> dict[str, bytes]:
    source = DiskImageSource(str(image))
    try:
        out = {}
        for entry in source.entries():
            assert entry.locator is not None
            with source.open_member(entry.locator.hops[-1].key) as handle:
                out[entry.path.rsplit("/", 1)[1]] = handle.read()
        return out
    finally:
        source.close()


def test_extents_place_each_file_where_its_bytes_are_on_the_media() -> None:
    """The runs, shifted by the partition's start (sector 64), read back the file."""
    image = str(EWF / "sound.E01")
    media = pyewf.handle()
    media.open(pyewf.glob(image))
    source = DiskImageSource(image)
    try:
        assert source.volume_offset(0) == 64 * 512
        for entry in source.entries():
            assert entry.locator is not None and entry.size is not None
            extents = member_extents(source, entry.locator.hops[-1].key)
            assert extents
            placed = b"".join(media.read_buffer_at_offset(n, at) for at, n in extents)
            with source.open_member(entry.locator.hops[-1].key) as handle:
                assert placed[: entry.size] == handle.read()
    finally:
        source.close()
        media.close()


@pytest.mark.parametrize("name", ["damaged-plain.E01", "damaged-deflate.E01"])
def test_the_file_in_a_bad_chunk_is_named_with_its_sectors(name: str) -> None:
    bad = [BadRange(192, 64, (name,), "checksum mismatch")]
    found = damaged_files(str(EWF / name), bad, 512, display=name)
    assert [(f.path, f.key) for f in found] == [(f"{name}!/p1/report.txt", "0/p1/inode/13")]
    assert "sector(s): 192 - 255 (number: 64)" in found[0].message
    assert "digests are not the acquired file's" in found[0].message


@pytest.mark.parametrize("name", ["damaged-plain.E01", "damaged-deflate.E01"])
def test_libewf_reads_the_bad_chunk_as_zeros(name: str) -> None:
    """What the flag says: the damaged file differs from the sound one only by zeros, in
    the bad chunk's sectors."""
    good = _contents(EWF / "sound.E01")["report.txt"]
    read = _contents(EWF / name)["report.txt"]
    differing = [n for n, (a, b) in enumerate(zip(good, read, strict=True)) if a != b]
    assert differing and all(read[n] == 0 for n in differing)
    # report.txt starts at block 55 of a file system at byte 32768: chunk 3 starts at its
    # byte 98304 - 32768 - 55 * 1024 = 9216. The chunk also holds the file's indirect
    # block (67), so every block listed there reads as zeros too, to the end of the file.
    assert differing[0] == 9216 and differing[-1] == len(good) - 1


def test_a_bad_chunk_of_free_space_flags_no_file() -> None:
    bad = [BadRange(2048, 64, ("damaged-zeros.E01",), "checksum mismatch")]
    assert damaged_files(str(EWF / "damaged-zeros.E01"), bad, 512) == []
    assert damaged_files(str(EWF / "damaged-zeros.E01"), [], 512) == []


def test_a_file_that_cannot_be_placed_is_flagged_as_possibly_damaged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(DiskImageSource, "volume_offset", lambda self, index: None)
    bad = [BadRange(2048, 64, ("damaged-zeros.E01",), "checksum mismatch")]
    found = damaged_files(str(EWF / "damaged-zeros.E01"), bad, 512)
    assert len(found) == 2 and all("cannot be placed" in f.message for f in found)


def _done(facts: SourceFacts | Exception) -> Future[SourceFacts]:
    future: Future[SourceFacts] = Future()
    if isinstance(facts, Exception):
        future.set_exception(facts)
    else:
        future.set_result(facts)
    return future


def test_problems_of_a_damaged_image_name_it_and_the_files() -> None:
    path = str(EWF / "damaged-plain.E01")
    lines = list(ewf_problems(path, _done(describe_source(path))))
    assert [shown for shown, _error in lines] == [path, f"{path}!/p1/report.txt"]
    image_error = lines[0][1]
    assert image_error.startswith("E01 not verified: bad sector(s): 192 - 255 (number: 64)")
    assert "is not the acquisition MD5" in image_error


def test_a_damaged_chunk_of_zeros_is_reported_though_the_md5_matches() -> None:
    path = str(EWF / "damaged-zeros.E01")
    lines = list(ewf_problems(path, _done(describe_source(path))))
    assert len(lines) == 1 and "sector(s): 2048 - 2111" in lines[0][1]
    assert "MD5" not in lines[0][1]


def test_a_sound_image_has_no_problem_and_a_failed_read_is_one() -> None:
    path = str(EWF / "sound.E01")
    assert list(ewf_problems(path, _done(describe_source(path)))) == []
    failed = list(ewf_problems(path, _done(OSError(5, "Input/output error"))))
    assert failed == [(path, "E01 not verified: [Errno 5] Input/output error")]


def test_only_the_first_segment_of_a_set_is_checked(tmp_path: Path) -> None:
    assert is_first_ewf(str(EWF / "notes.E01"))
    assert not is_first_ewf(str(EWF / "notes.E02"))
    assert not is_first_ewf(str(EWF / "make_damaged.py"))
    assert not is_first_ewf(str(tmp_path))


def test_a_missing_segment_is_left_to_the_walk_which_names_it(tmp_path: Path) -> None:
    from test_lib import ewf_subset

    first = str(ewf_subset(tmp_path, 1, 3))
    assert list(ewf_problems(first, _done(describe_source(first)))) == []


def test_ntfs_data_in_its_mft_entry_is_placed_at_the_mft() -> None:
    """A small file's ``$DATA`` lives in its MFT entry: it is damaged with the ``$MFT``."""
    from test_lib import shared_folder

    image = shared_folder("reference/disk-images") / "windows_volume.qcow2"
    source = DiskImageSource(str(image))
    try:
        keys = {
            e.path.rsplit("!", 1)[1]: e.locator.hops[-1].key
            for e in source.entries()
            if e.locator is not None
        }
        assert source.volume_offset(0) == 0
        mft = member_extents(source, keys["/$MFT"])
        resident = member_extents(source, keys["/$Volume"])
        assert mft and resident and set(mft) <= set(resident)
        assert member_extents(source, keys["/Windows/System32/config/syslog"]) == [(20054016, 4096)]
    finally:
        source.close()
