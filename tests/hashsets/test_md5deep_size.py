from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.detect import detect_format
from phunt.hashsets.md5deep_size import Md5deepSizeReader

Digest = Callable[[str, int], str]


def test_size_hash_and_path(data: Path, digest: Digest) -> None:
    path = data / "md5deep_z.txt"
    assert detect_format(path) is Md5deepSizeReader
    assert list(Md5deepSizeReader(path).entries()) == [
        HashEntry({"md5": digest("md5", 81)}, None, 1, "/cases/c.txt", {"size": 1024}),
        HashEntry({"md5": digest("md5", 82)}, None, 2, "/cases/d  e.txt", {"size": 7}),
    ]


def test_damage_names_the_line(tmp_path: Path, digest: Digest) -> None:
    path = tmp_path / "z.txt"
    path.write_text(f"  12  {digest('md5', 1)}  a\n  12  {digest('md5', 1)[:-1]}  b\n")
    with pytest.raises(CorruptInput, match=r"line 2: not an MD5, SHA-1"):
        list(Md5deepSizeReader(path).entries())
