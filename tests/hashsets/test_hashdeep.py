from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.detect import detect_format
from phunt.hashsets.hashdeep import HashdeepReader

Digest = Callable[[str, int], str]


def test_rows_keep_sizes_and_names_with_commas(data: Path, digest: Digest) -> None:
    path = data / "hashdeep.txt"
    assert detect_format(path) is HashdeepReader
    reader = HashdeepReader(path)

    def row(n: int, line: int, size: int, name: str) -> HashEntry:
        hashes = {"md5": digest("md5", n), "sha256": digest("sha256", n)}
        return HashEntry(hashes, None, line, name, {"size": size})

    assert list(reader.entries()) == [
        row(61, 6, 1024, "/cases/a.txt"),
        row(62, 7, 0, "/cases/b, with a comma.txt"),
    ]
    meta = reader.metadata()
    assert meta["columns"] == ["size", "md5", "sha256", "filename"]
    assert (meta["invoked_from"], meta["command"]) == ("/home/examiner", "hashdeep -r /cases")
    assert (meta["records"], meta["list_kind"]) == (2, "known-bad")


def test_damage_names_the_line(data: Path, tmp_path: Path) -> None:
    with pytest.raises(CorruptInput, match=r"line 6: size is not a whole number: '1k'"):
        list(HashdeepReader(data / "hashdeep_bad_size.txt").entries())
    path = tmp_path / "no_columns.txt"
    path.write_text("%%%% HASHDEEP-1.0\n1,2,3\n")
    with pytest.raises(CorruptInput, match=r"line 2: no '%%%% size,...,filename' column line"):
        list(HashdeepReader(path).entries())
    path.write_text("%%%% HASHDEEP-1.0\n%%%% size,filename\n")
    with pytest.raises(CorruptInput, match="line 2: column line must name hash columns"):
        list(HashdeepReader(path).entries())
