"""The local known-bad set: categorised files become a new version of an admin-named set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from phunt.errors import UsageError
from phunt.hashsets.categories import Category
from phunt.hashsets.store import entries_of, get_hash_set, import_hash_list
from phunt.review.decisions import Choice, decide
from phunt.review.local_set import choose_local_set, local_set_name, publish
from phunt.schema.db import Database

from .conftest import Picture, ReviewWorld


def test_publish_makes_versions(
    database: Database, world: ReviewWorld, pictures: dict[str, Picture], tmp_path: Path
) -> None:
    f = world.files
    with database.session() as s:
        with pytest.raises(UsageError, match="no local hash set"):
            publish(s, tmp_path)
        choose_local_set(s, "Unit local set")
        assert local_set_name(s) == "Unit local set"
        (first,) = decide(s, [f[("A1", "P0")]], Choice(1))
        decide(s, [f[("A2", "P0")]], Choice(2))  # the same content: the graver code wins
        decide(s, [f[("A1", "P2")]], Choice(0))  # not pertinent: not known-bad
        result = publish(s, tmp_path / "sets", agency="Cyber PS test")
        assert (result.version, result.entries, result.kind) == (1, 1, "known-bad")
    with database.session() as s:
        ((_n, entry),) = list(entries_of(s, "Unit local set"))
        assert entry.category == Category(1, "vics-us-2.0")
        assert entry.hashes["sha256"] == pictures["P0"].sha256
        assert entry.hashes["pdq"] == pictures["P0"].pdq
        assert entry.extra["PhuntDecision"] == first
        decide(s, [f[("A1", "P1")]], Choice(3))
        second = publish(s, tmp_path / "sets")
        assert (second.version, second.entries, second.added) == (2, 2, 1)
        assert (tmp_path / "sets" / "Unit_local_set-v2.json").is_file()
        with pytest.raises(UsageError, match="nothing to publish"):
            publish(s, tmp_path / "sets")
        assert not (tmp_path / "sets" / "Unit_local_set-v3.json").exists()


def test_an_empty_set_is_published(database: Database, world: ReviewWorld, tmp_path: Path) -> None:
    with database.session() as s:
        choose_local_set(s, "Empty for now")
        decide(s, [world.files[("A1", "P2")]], Choice(0))
        assert publish(s, tmp_path).entries == 0


def test_an_imported_list_is_never_the_local_set(database: Database, tmp_path: Path) -> None:
    listed = tmp_path / "received.txt"
    listed.write_text("# received from a partner\n" + "ab" * 32 + "\n")
    with database.session() as s:
        import_hash_list(s, str(listed), name="Partner list")
        with pytest.raises(UsageError, match="imported list"):
            choose_local_set(s, "Partner list")
        assert get_hash_set(s, "Partner list").current_version == 1
        assert local_set_name(s) is None


def test_a_later_ingest_matches_the_local_set(
    database: Database, world: ReviewWorld, pictures: dict[str, Picture], tmp_path: Path
) -> None:
    from phunt.cases.devices import add_device
    from phunt.ingest.job import ingest
    from phunt.ingest.store import list_matches

    with database.session() as s:
        choose_local_set(s, "Unit local set")
        decide(s, [world.files[("A1", "P1")]], Choice(2))
        publish(s, tmp_path / "sets")
        add_device(s, "EV-C1", "memory card", case_id=world.case_b)
    seized = tmp_path / "seized" / "DCIM"
    seized.mkdir(parents=True)
    shutil.copy(pictures["P1"].path, seized / "copy.jpg")
    ingest(database, str(seized.parent), "EV-C1", workers=1)
    with database.session() as s:
        (match,) = list_matches(s, "EV-C1")
    assert (match["hash_set"], match["version"], match["category"]) == ("Unit local set", 1, 2)
    assert match["distance"] == 0  # the same bytes (ingest tries MD5 first)
