"""The SQLAlchemy-free read of an SQLite database's current sets: the store's answer, or none."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from phunt.errors import NotFoundError
from phunt.hashsets import store_light
from phunt.hashsets.store import current_sets, disable_entry, import_hash_list
from phunt.schema.db import Database


def _sqlite(tmp_path: Path) -> Database:
    (tmp_path / "db").mkdir(exist_ok=True)  # phunt creates no folder for a database
    return Database(f"sqlite:///{tmp_path / 'db' / 'phunt.db'}")


def _two_sets(database: Database, tmp_path: Path) -> None:
    """``beta`` at version 2 with one entry disabled, ``alpha`` at version 1."""
    md5 = [hashlib.md5(bytes([i])).hexdigest() for i in range(4)]
    lst = tmp_path / "list.txt"
    with database.session() as s:
        lst.write_text(f"{md5[0]}\n{md5[1]}\n")
        import_hash_list(s, str(lst), name="beta")
        lst.write_text(f"{md5[0]}\n{md5[1]}\n{md5[2]}\n")
        import_hash_list(s, str(lst), name="beta")
        disable_entry(s, "beta", md5[1], "reviewed: a stock picture")
        lst.write_text(f"{md5[3]}\n")
        import_hash_list(s, str(lst), name="alpha", kind="known-good")


def test_the_light_read_gives_the_stores_answer(tmp_path: Path) -> None:
    database = _sqlite(tmp_path)
    try:
        _two_sets(database, tmp_path)
        with database.session() as s:
            for names in (None, ["beta"], ["beta", "alpha"]):
                light = store_light.current_sets(database.url, names)
                assert light == current_sets(s, names), names
        assert light is not None
        beta = light[0]
        assert (beta.name, beta.list_kind, beta.version) == ("beta", "known-bad", 2)
        assert len(beta.disabled) == 1 and light[1].disabled == ()
    finally:
        database.close()


def test_an_unknown_set_is_the_same_error(tmp_path: Path) -> None:
    database = _sqlite(tmp_path)
    try:
        with pytest.raises(NotFoundError, match="no hash set 'nope'"):
            store_light.current_sets(database.url, ["nope"])
    finally:
        database.close()


def test_the_store_answers_what_the_light_read_cannot(tmp_path: Path) -> None:
    """Another database, a URL for SQLAlchemy's parser, no file yet (the store creates
    it), an empty file, a schema not at the head revision (the store migrates it)."""
    missing = tmp_path / "none" / "phunt.db"
    for url in (
        "postgresql://lab@db.example/phunt",
        "sqlite:///:memory:",
        f"sqlite:///{tmp_path}/x.db?mode=ro",
        f"sqlite:///{missing}",
    ):
        assert store_light.current_sets(url, None) is None, url
    assert not missing.parent.exists()
    (tmp_path / "empty.db").write_bytes(b"")
    assert store_light.current_sets(f"sqlite:///{tmp_path / 'empty.db'}", None) is None
    database = _sqlite(tmp_path)
    database.close()
    assert store_light.current_sets(database.url, None) == []
    with sqlite3.connect(tmp_path / "db" / "phunt.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    assert store_light.current_sets(database.url, None) is None
