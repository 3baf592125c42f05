from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.detect import detect_format
from phunt.hashsets.vpdq_file import VpdqFileReader

Digest = Callable[[str, int], str]


def test_one_video_is_one_vpdq_entry(data: Path, digest: Digest) -> None:
    path = data / "vpdq_video.txt"
    assert detect_format(path) is VpdqFileReader
    reader = VpdqFileReader(path)
    (entry,) = reader.entries()
    frames = entry.hashes["vpdq"].splitlines()
    assert frames[0] == f"0,100,{digest('pdq', 110)},0.000"
    assert len(frames) == reader.metadata()["frames"] == 4
    assert entry.name == "vpdq_video.txt"


def test_a_damaged_frame_names_it(data: Path) -> None:
    path = data / "vpdq_bad_frame.txt"
    assert detect_format(path) is VpdqFileReader
    with pytest.raises(
        CorruptInput, match=r"vpdq_bad_frame.txt:line 52: not 'frame,quality,<64 hex"
    ):
        list(VpdqFileReader(path).entries())
