from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.base import HashEntry
from phunt.hashsets.bsd_tag import BsdTagReader
from phunt.hashsets.detect import detect_format

Digest = Callable[[str, int], str]


def test_each_line_names_its_kind(data: Path, digest: Digest) -> None:
    path = data / "bsd_tag.txt"
    assert detect_format(path) is BsdTagReader
    assert list(BsdTagReader(path).entries()) == [
        HashEntry({"md5": digest("md5", 71)}, None, 1, "a.txt"),
        HashEntry({"sha256": digest("sha256", 71)}, None, 2, "a.txt"),
        HashEntry({"sha1": digest("sha1", 72)}, None, 3, "photo (1).jpg"),  # upper-case in
    ]


def test_damage_names_the_line(data: Path) -> None:
    with pytest.raises(CorruptInput, match=r"line 2: not an 'ALGO \(name\) = hash' line"):
        list(BsdTagReader(data / "bsd_tag_bad_hex.txt").entries())
