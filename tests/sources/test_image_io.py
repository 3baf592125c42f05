"""The segment files phunt opens for disk images: a split raw set read as one medium, and
every file closed with its handle (or when it is refused)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from phunt.sources.image_io import EwfMedia, RawMedia, open_segments
from test_lib import TEST_DATA

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc here")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_ewf_media_reads_the_set_and_closes_every_segment_file() -> None:
    segments = [str(TEST_DATA / "ewf" / f"notes.E0{n}") for n in (1, 2, 3)]
    before = _open_fds()
    media = EwfMedia(segments)
    assert _open_fds() == before + 3
    try:
        size = int(media.handle.get_media_size())
        data = media.handle.read_buffer_at_offset(size, 0)
        stored = media.handle.get_hash_value("MD5")
    finally:
        media.close()
    assert hashlib.md5(data, usedforsecurity=False).hexdigest() == stored
    assert _open_fds() == before


def test_files_pyewf_refuses_are_closed(tmp_path: Path) -> None:
    text = tmp_path / "notes.E01"
    text.write_text("not an EWF segment\n")
    before = _open_fds()
    with pytest.raises(OSError):
        EwfMedia([str(text)])
    assert _open_fds() == before


def test_segments_are_opened_all_or_none(tmp_path: Path) -> None:
    present = tmp_path / "disk.001"
    present.write_bytes(b"\0" * 512)
    before = _open_fds()
    with pytest.raises(FileNotFoundError):
        open_segments([str(present), str(tmp_path / "disk.002")])
    assert _open_fds() == before


def _split(tmp_path: Path, sizes: list[int]) -> tuple[bytes, list[str]]:
    """A split raw set of segments of ``sizes`` (one may be empty) and its whole media."""
    media = os.urandom(sum(sizes))
    paths, at = [], 0
    for number, size in enumerate(sizes, start=1):
        path = tmp_path / f"disk.{number:03d}"
        path.write_bytes(media[at : at + size])
        paths.append(str(path))
        at += size
    return media, paths


def test_raw_media_reads_a_split_set_as_one_medium_across_its_segments(tmp_path: Path) -> None:
    media, paths = _split(tmp_path, [4096, 0, 1000, 5000])
    raw = RawMedia(open_segments(paths))
    try:
        assert raw.get_media_size() == len(media)
        assert raw.read() == media and raw.get_offset() == len(media)
        assert raw.read(10) == b""
        raw.seek(4000)
        assert raw.read(1200) == media[4000:5200] and raw.get_offset() == 5200
        raw.seek(-8, os.SEEK_CUR)
        assert raw.read(8) == media[5192:5200]
        raw.seek(-3, os.SEEK_END)
        assert raw.read(100) == media[-3:]
        raw.seek(5096)
        assert raw.read(1) == media[5096:5097]  # the first byte after the empty segment
        with pytest.raises(OSError):
            raw.seek(-1)
    finally:
        raw.close()


def test_raw_media_ends_a_read_where_a_segment_shrank(tmp_path: Path) -> None:
    media, paths = _split(tmp_path, [3000, 3000])
    raw = RawMedia(open_segments(paths))
    try:
        os.truncate(paths[0], 2000)
        assert raw.read(4000) == media[:2000] and raw.get_offset() == 2000
    finally:
        raw.close()
