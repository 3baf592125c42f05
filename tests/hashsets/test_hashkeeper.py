from __future__ import annotations

import shutil
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


def test_the_hke_beside_the_set_gives_its_kind(database: Database, data: Path) -> None:
    """notable_flag 0 is a known-good set, 1 a known-bad one; no --kind needed."""
    for stem, kind in (("hk_known", "known-good"), ("hk_notable", "known-bad")):
        reader = HashKeeperReader(data / f"{stem}.hsh")
        meta = reader.metadata()
        assert (meta["list_kind"], meta["kind_stated"], meta["hke"]) == (kind, True, f"{stem}.hke")
        assert "kind_unknown" not in meta
        with database.session() as s:
            imported = store.import_hash_list(s, str(data / f"{stem}.hsh"), name=stem)
            assert imported.kind == kind
    with database.session() as s:
        assert store.import_hash_list(s, str(data / "hk_known.hsh"), name="again").kind == (
            "known-good"
        )


def test_a_known_good_set_never_becomes_known_bad(database: Database, data: Path) -> None:
    """Whatever the path: a --kind that contradicts the .hke, or a known-bad set to join."""
    source = str(data / "hk_known.hsh")
    with database.session() as s:
        refused = pytest.raises(UsageError, match=r"--kind known-bad contradicts it")
        with refused as caught:
            store.import_hash_list(s, source, name="hk", kind="known-bad")
        assert "hk_known.hke flags it known-good (notable_flag 0)" in str(caught.value)
        store.import_hash_list(s, str(data / "hk_notable.hsh"), name="bad-set")
        with pytest.raises(UsageError, match=r"states a known-good list, but hash set 'bad-set'"):
            store.import_hash_list(s, source, name="bad-set")
        assert store.import_hash_list(s, source, name="hk", kind="known-good").kind == "known-good"


def test_an_hke_can_be_given_and_is_found_in_either_case(tmp_path: Path, data: Path) -> None:
    alone = tmp_path / "Z00236.hsh"
    shutil.copy(data / "hk_notable.hsh", alone)
    assert HashKeeperReader(alone).metadata()["kind_unknown"]  # no .hke: --kind is asked
    given = HashKeeperReader(alone, hke=data / "hk_known.hke")
    assert given.metadata()["list_kind"] == "known-good"
    shutil.copy(data / "hk_notable.hke", tmp_path / "Z00236.HKE")
    assert HashKeeperReader(alone).metadata()["list_kind"] == "known-bad"


def test_an_hke_flagging_both_kinds_is_refused(data: Path) -> None:
    with pytest.raises(UsageError, match=r"flags hash sets 5 known-good and 7 known-bad"):
        HashKeeperReader(data / "hk_mixed.hsh")


def test_a_damaged_hke_names_its_line(data: Path) -> None:
    with pytest.raises(CorruptInput, match=r"hk_bad_flag\.hke:line 2: notable_flag is '2'"):
        HashKeeperReader(data / "hk_bad_flag.hsh")


def test_a_set_the_hke_does_not_describe_is_named(data: Path) -> None:
    reader = HashKeeperReader(data / "hk_stray.hsh")
    with pytest.raises(CorruptInput, match=r"line 3: hashset_id '9' is not in the \.hke"):
        list(reader.entries())
