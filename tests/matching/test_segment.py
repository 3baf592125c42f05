"""A set in use reads nothing of its file at start-up and builds its PDQ index once, late."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from set_files import set_file

from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setfile import SetFile
from phunt.matching.engine import MatchEngine
from phunt.matching.segment import SetSegment

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


class _Spy:
    """A set file that records which of its attributes were used."""

    def __init__(self, inner: SetFile) -> None:
        self._inner = inner
        self.used: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.used.append(name)
        return getattr(self._inner, name)

    def __len__(self) -> int:
        self.used.append("__len__")
        return len(self._inner)


def _entries(n: int) -> list[tuple[int, HashEntry]]:
    return [(i + 1, HashEntry({"md5": hashlib.md5(b"%d" % i).hexdigest()})) for i in range(n)]


def test_adding_a_set_reads_no_column(tmp_path: Path) -> None:
    spy = _Spy(set_file(tmp_path, [*_entries(50), (99, HashEntry({"pdq": PDQ}))]))
    e = MatchEngine()
    assert e.add_set("l", "known-bad", 1, spy, disabled=[7, 1000]) == 50  # type: ignore[arg-type]
    assert set(spy.used) <= {"row_of", "__len__"}
    spy.used.clear()
    assert len(e.match_file({"md5": hashlib.md5(b"3").hexdigest()})) == 1
    assert "digests" not in spy.used  # an exact lookup searches the file, builds nothing
    assert e.segments[0].disabled_rows.tolist() == [6]


def test_start_up_and_a_lookup_copy_no_column(tmp_path: Path) -> None:
    """40,000 entries: 640 kB of digests and 320 kB of entry numbers, none of it copied."""
    sf = set_file(tmp_path, _entries(40_000))
    wanted = hashlib.md5(b"39999").hexdigest()
    tracemalloc.start()
    try:
        e = MatchEngine()
        e.add_set("l", "known-bad", 1, sf, disabled=[3])
        (hit,) = e.exact("md5", wanted)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hit.listed.entry == 40_000
    assert peak < 64_000


def test_the_pdq_index_is_built_at_the_first_picture_and_kept(tmp_path: Path) -> None:
    sf = set_file(tmp_path, [(1, HashEntry({"pdq": PDQ})), (2, HashEntry({"md5": "0" * 32}))])
    segment = SetSegment("l", "known-bad", 1, sf)
    assert segment._pdq is None
    words = np.frombuffer(bytes.fromhex(PDQ), ">u8").astype(np.uint64).reshape(1, 4)
    found, hexes = segment.pdq(words, 31, np.zeros(1, np.int64))
    assert found.id.tolist() == [0] and hexes == [PDQ]
    built = segment._pdq
    assert built is not None
    segment.pdq(words, 31, np.zeros(1, np.int64))
    assert segment._pdq is built


def test_a_set_without_pictures_never_builds_a_pdq_index(tmp_path: Path) -> None:
    segment = SetSegment("l", "known-bad", 1, set_file(tmp_path, _entries(3)))
    words = np.zeros((1, 4), np.uint64)
    found, hexes = segment.pdq(words, 31, np.zeros(1, np.int64))
    assert len(found) == 0 and hexes == [] and segment._pdq is None
    assert segment.video([], 31, 50) == []
