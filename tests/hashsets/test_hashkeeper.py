from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.errors import CorruptInput, UsageError
from phunt.hashsets import store
from phunt.hashsets.base import HashEntry
from phunt.hashsets.detect import detect_format
from phunt.hashsets.hashkeeper import HashKeeperReader
from phunt.schema.db import Database

Digest = Callable[[str, int], str]


def test_rows_keep_names_ids_and_sizes(data: Path, digest: Digest) -> None:
    path = data / "hashkeeper.hsh"
    assert detect_format(path) is HashKeeperReader
    assert list(HashKeeperReader(path).entries()) == [
        HashEntry(
            {"md5": digest("md5", 131)},
            None,
            2,
            "setup.pdb",
            {"file_id": "4151044", "hashset_id": "671", "file_size": 91136},
        ),
        HashEntry(
            {"md5": digest("md5", 132)},
            None,
            3,
            "readme, first.txt",
            {"file_id": "4151045", "hashset_id": "671", "directory": "C:\\docs", "file_size": 4268},
        ),
    ]


def test_damage_names_the_line(tmp_path: Path, data: Path) -> None:
    path = tmp_path / "bad.hsh"
    text = (data / "hashkeeper.hsh").read_text().replace("91136", "91k")
    path.write_text(text)
    with pytest.raises(CorruptInput, match="line 2: file_size is not a whole number: '91k'"):
        list(HashKeeperReader(path).entries())


def test_import_asks_which_kind_the_set_is(database: Database, data: Path) -> None:
    """The .hsh does not say known-good or known-bad, so phunt never guesses."""
    source = str(data / "hashkeeper.hsh")
    with database.session() as s:
        with pytest.raises(UsageError, match=r"does not say whether it is known-good or known-bad"):
            store.import_hash_list(s, source, name="hk")
        assert store.import_hash_list(s, source, name="hk", kind="known-good").kind == "known-good"
