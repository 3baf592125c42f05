from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput
from phunt.hashsets.detect import detect_format
from phunt.hashsets.tsk_idx import TskIdxReader

Digest = Callable[[str, int], str]


def test_index_yields_its_hashes_and_names_the_indexed_list(data: Path, digest: Digest) -> None:
    path = data / "notable.txt-md5.idx"
    assert detect_format(path) is TskIdxReader
    reader = TskIdxReader(path)
    entries = list(reader.entries())
    assert sorted(e.hashes["md5"] for e in entries) == sorted(digest("md5", n) for n in (123, 124))
    meta = reader.metadata()
    assert (meta["index_type"], meta["indexed_file"], meta["records"]) == (
        "md5sum",
        "notable.txt",
        2,
    )
    assert meta["kind_unknown"]  # a notable list or a known-good one: only the user knows


def test_an_index_of_nsrl_is_known_good(data: Path) -> None:
    reader = TskIdxReader(data / "NSRLFile.txt-md5.idx")
    assert len(list(reader.entries())) == 2
    assert (reader.metadata()["list_kind"], reader.metadata()["kind_stated"]) == (
        "known-good",
        True,
    )
    assert "kind_unknown" not in reader.metadata()


def test_damage_names_the_line(tmp_path: Path, digest: Digest) -> None:
    path = tmp_path / "x.idx"
    path.write_text(f"{'0' * 41}|md5sum\n{'0' * 40}1|x.txt\n{digest('md5', 1)}\n")
    with pytest.raises(CorruptInput, match=r"line 3: not 'HASH\|offset'"):
        list(TskIdxReader(path).entries())
