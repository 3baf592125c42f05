"""Index files: labelled arrays round trip; other formats, pickles and damage are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from phunt.errors import CorruptInput
from phunt.matching.arrays import read_arrays, write_arrays


def test_round_trip_keeps_names_types_and_values(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    words = np.arange(8, dtype=np.uint64).reshape(2, 4)
    write_arrays(path, "phunt-test-1", {"words": words, "ids": np.array([3, 4])})
    fields = read_arrays(path, "phunt-test-1", "test index")
    assert sorted(fields) == ["ids", "words"]
    assert fields["words"].dtype == np.uint64 and (fields["words"] == words).all()
    assert fields["ids"].tolist() == [3, 4]


def test_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    write_arrays(path, "phunt-other-1", {"ids": np.array([1])})
    with pytest.raises(CorruptInput, match=r"x\.npz: not a phunt-test-1 file"):
        read_arrays(path, "phunt-test-1", "test index")


def test_pickled_objects_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    with path.open("wb") as fh:
        np.savez(fh, format=np.array("phunt-test-1"), ids=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CorruptInput, match="not a readable test index file"):
        read_arrays(path, "phunt-test-1", "test index")


def test_damaged_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    write_arrays(path, "phunt-test-1", {"ids": np.arange(1000)})
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorruptInput, match="not a readable test index file"):
        read_arrays(path, "phunt-test-1", "test index")
