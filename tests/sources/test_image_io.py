"""The files phunt opens for pyewf are closed with its handle, or when it refuses them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from phunt.sources.image_io import EwfMedia, open_segments
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
