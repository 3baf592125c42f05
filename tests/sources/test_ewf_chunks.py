"""Every chunk of an E01 checked as libewf checks it, bad sectors named as ewfverify does.

The fixtures (``test_data/ewf/make_damaged.py``) each have one byte flipped in one chunk:
of file data stored uncompressed, of file data compressed, and of zeros compressed (which
reads back as the same zeros, so the acquisition MD5 still matches).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pyewf
import pytest

from phunt.errors import CorruptInput
from phunt.sources.ewf_chunks import BadRange, ChunkCheck
from test_lib import TEST_DATA, make_ext2_image, shared_folder

EWF = TEST_DATA / "ewf"
DAMAGED = {
    "damaged-plain.E01": (192, 64, "checksum mismatch"),
    "damaged-deflate.E01": (192, 64, "compressed chunk does not decompress"),
    "damaged-zeros.E01": (2048, 64, "incorrect data check"),
}


def _check(first: Path) -> tuple[ChunkCheck, dict[str, str]]:
    check = ChunkCheck()
    digests = {}
    for segment in pyewf.glob(str(first)):
        digest = hashlib.sha256()
        name = Path(segment).name
        check.read_segment(segment, name, digest.update)
        digests[name] = digest.hexdigest()
    return check, digests


def _ewfverify(path: Path) -> list[tuple[int, int, int]]:
    """``(first, last, count)`` of each range ``ewfverify`` reports; skips without it."""
    if shutil.which("ewfverify") is None:
        pytest.skip("ewfverify (Debian package ewf-tools) not installed: ranges not compared")
    run = subprocess.run(["ewfverify", "-q", str(path)], capture_output=True, text=True)
    found = re.findall(r"at sector\(s\): (\d+) - (\d+) \(number: (\d+)\)", run.stdout)
    return [(int(a), int(b), int(n)) for a, b, n in found]


def _ours(check: ChunkCheck) -> list[tuple[int, int, int]]:
    return [(bad.first_sector, bad.last_sector, bad.count) for bad in check.bad]


@pytest.mark.parametrize("name", ["sound.E01", "notes.E01"])
def test_sound_sets_have_no_bad_chunk_and_each_segment_is_hashed_once(name: str) -> None:
    check, digests = _check(EWF / name)
    assert check.bad == []
    assert check.chunks == -(-check.media_sectors // check.sectors_per_chunk)
    for segment, digest in digests.items():
        assert digest == hashlib.sha256((EWF / segment).read_bytes()).hexdigest()


def test_a_reference_image_from_dfvfs_is_sound() -> None:
    check, _ = _check(shared_folder("reference/disk-images") / "ext2.split.E01")
    assert check.bad == [] and check.chunks == 128 and check.segments == 2


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_chunk_is_found_where_ewfverify_finds_it(name: str) -> None:
    check, _ = _check(EWF / name)
    first, count, reason = DAMAGED[name]
    assert [(b.first_sector, b.count, b.segments) for b in check.bad] == [(first, count, (name,))]
    assert reason in check.bad[0].reason
    assert check.bad[0].describe().startswith(f"sector(s): {first} - {first + count - 1} ")
    assert _ours(check) == _ewfverify(EWF / name)


def _flip(data: bytearray, offset: int) -> None:
    data[offset] ^= 0xFF


def test_adjacent_bad_chunks_make_one_range_as_in_ewfverify(tmp_path: Path) -> None:
    data = bytearray((EWF / "sound.E01").read_bytes())
    chunks = ChunkCheck()._layout(str(EWF / "sound.E01"), "sound.E01")
    for number in (3, 4, 9):
        _flip(data, chunks[number].offset + 30)
    (tmp_path / "three.E01").write_bytes(data)
    check, _ = _check(tmp_path / "three.E01")
    assert _ours(check) == [(192, 319, 128), (576, 639, 64)]
    assert _ours(check) == _ewfverify(tmp_path / "three.E01")


def test_a_damaged_table_is_read_from_its_copy_and_both_damaged_is_an_error(
    tmp_path: Path,
) -> None:
    data = bytearray((EWF / "sound.E01").read_bytes())
    table = data.find(b"table" + bytes(11))
    copy = data.find(b"table2" + bytes(10))
    _flip(data, table + 76 + 24 + 8)  # an entry of the table
    (tmp_path / "one.E01").write_bytes(data)
    check, _ = _check(tmp_path / "one.E01")
    assert check.bad == [] and check.chunks == 33
    _flip(data, copy + 76 + 24 + 8)
    (tmp_path / "both.E01").write_bytes(data)
    with pytest.raises(CorruptInput, match="chunk table and its copy damaged"):
        _check(tmp_path / "both.E01")


def test_a_gap_in_the_set_stops_the_check_rather_than_misplace_sectors(tmp_path: Path) -> None:
    for number in (1, 3):
        shutil.copy(EWF / f"notes.E0{number}", tmp_path / f"notes.E0{number}")
    check = ChunkCheck()
    check.read_segment(str(tmp_path / "notes.E01"), "notes.E01", lambda _data: None)
    with pytest.raises(CorruptInput, match="segment 3 where 2 was due"):
        check.read_segment(str(tmp_path / "notes.E03"), "notes.E03", lambda _data: None)


@pytest.mark.parametrize(("fmt", "compression"), [("smart", "fast"), ("encase1", "none")])
def test_older_layouts_without_a_table_checksum_are_checked_too(
    tmp_path: Path, fmt: str, compression: str
) -> None:
    """SMART and EnCase 1 keep chunks inside the table section, with no entry checksum."""
    if shutil.which("ewfacquire") is None:
        pytest.skip("ewfacquire (Debian package ewf-tools) not installed: formats not made")
    raw = make_ext2_image(tmp_path / "disk.raw", {"a.txt": b"text\n" * 4000}, size_kib=512)
    target = tmp_path / "image"
    subprocess.run(
        ["ewfacquire", "-u", "-q", "-f", fmt, "-c", f"deflate:{compression}", "-t", str(target),
         str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    image = next(tmp_path.glob("image.[Ees]01"))
    check, _ = _check(image)
    assert check.bad == [] and check.chunks == 16
    data = bytearray(image.read_bytes())
    _flip(data, ChunkCheck()._layout(str(image), image.name)[5].offset + 20)
    damaged = tmp_path / f"damaged{image.suffix}"
    damaged.write_bytes(data)
    check, _ = _check(damaged)
    assert _ours(check) == [(320, 383, 64)] == _ewfverify(damaged)


def test_a_bad_range_round_trips_through_its_record() -> None:
    bad = BadRange(192, 64, ("a.E01", "a.E02"), "checksum mismatch")
    assert BadRange.from_dict(bad.as_dict()) == bad
    assert bad.as_dict()["last_sector"] == 255
