"""Lost and damaged set files on both databases: named where met, verified, rebuilt the same."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from phunt.errors import CorruptInput, IntegrityError, NotFoundError, UsageError
from phunt.hashsets import blobs, store
from phunt.hashsets.store_repair import rebuild, verify_files
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.hashset_blobs import HashSetBlob
from phunt.schema.hashsets import HashSetVersion

H = [hashlib.md5(f"file {i}".encode()).hexdigest() for i in range(8)]


def _list(path: Path, hashes: list[str]) -> str:
    path.write_text("\n".join(hashes) + "\n")
    return str(path)


def _two_versions(database: Database, tmp_path: Path) -> list[str]:
    """Set ``r``: version 1 lists H0-H3, version 2 H2-H6 (numbers 3, 4 kept); their files."""
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "v1.txt", H[:4]), name="r")
        store.import_hash_list(s, _list(tmp_path / "v2.txt", H[2:7]), name="r")
        return [v.index_sha256 for v in store.versions(s, store.get_hash_set(s, "r"))]


def _local(s: Session, sha: str) -> Path:
    return blobs.index_home(s.get_bind().engine.url) / f"{sha}.phs"


def _lose(s: Session, sha: str) -> None:
    """The set file is gone from everywhere it was kept."""
    _local(s, sha).unlink()
    s.execute(delete(HashSetBlob).where(HashSetBlob.sha256 == sha))


def _damage(s: Session, sha: str) -> None:
    """One byte of the set file flipped where the database reads it from."""
    path = _local(s, sha)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    if s.get_bind().dialect.name == "sqlite":  # the folder beside the database
        path.write_bytes(bytes(data))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        return
    path.unlink()  # the cached copy goes; the database's copy is the damaged one
    parts = s.scalars(select(HashSetBlob.part).where(HashSetBlob.sha256 == sha)).all()
    assert parts == [0]
    s.execute(update(HashSetBlob).where(HashSetBlob.sha256 == sha).values(data=bytes(data)))


@pytest.fixture
def damaged(database: Database, tmp_path: Path) -> str:
    """Set ``r`` in two versions, version 2's set file damaged; that file's SHA-256."""
    _first, second = _two_versions(database, tmp_path)
    with database.session() as s:
        _damage(s, second)
    return second


def _actions(s: Session) -> list[str]:
    return [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]


def test_verify_names_each_version_and_what_is_wrong(database: Database, tmp_path: Path) -> None:
    first, _second = _two_versions(database, tmp_path)
    with database.session() as s:
        assert [(c.hash_set, c.version, c.ok) for c in verify_files(s)] == [
            ("r", 1, True),
            ("r", 2, True),
        ]
        _lose(s, first)
        one, two = verify_files(s, "r")
    assert not one.ok and two.ok
    assert "hash set 'r' version 1" in str(one.problem)
    assert "phunt hashset rebuild r" in str(one.problem)


def test_lost_set_files_are_rebuilt_the_same_from_their_lists(
    database: Database, tmp_path: Path
) -> None:
    shas = _two_versions(database, tmp_path)
    with database.session() as s:
        numbers = [n for n, _e in store.entries_of(s, "r")]
        for sha in shas:
            _lose(s, sha)
    with database.session() as s:
        with pytest.raises(NotFoundError, match=r"hash set 'r' version 2.*rebuild r"):
            store.export(s, "r", str(tmp_path / "out.csv"), fmt="csv")
        with pytest.raises(NotFoundError, match=r"hash set 'r' version 1"):
            store.diff(s, "r", 1, 2)
    with database.session() as s:
        checks = rebuild(s, "r")
    assert [(c.version, c.rebuilt, c.ok) for c in checks] == [(1, True, True), (2, True, True)]
    with database.session() as s:
        assert all(c.ok for c in verify_files(s, "r"))
        assert [n for n, _e in store.entries_of(s, "r")] == numbers == [3, 4, 5, 6, 7]
        assert _actions(s)[-2:] == ["hashset.rebuild", "hashset.rebuild"]
        again = rebuild(s, "r", 2)  # whole: nothing to do, nothing audited
        assert [(c.version, c.rebuilt) for c in again] == [(2, False)]
        assert _actions(s)[-1] == "hashset.rebuild" and len(_actions(s)) == 4


def test_a_damaged_set_file_is_named_where_met_and_rebuilt(
    database: Database, damaged: str
) -> None:
    with database.session() as s:
        with pytest.raises(CorruptInput, match=r"hash set 'r' version 2.*damaged.*rebuild r"):
            list(store.entries_of(s, "r"))
        [check] = rebuild(s, "r", 2)
        assert check.rebuilt
    with database.session() as s:
        assert [c.ok for c in verify_files(s)] == [True, True]
        assert len(list(store.entries_of(s, "r"))) == 5
        path = blobs.local_set_file(s, damaged, what="v2")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == damaged


def test_rebuild_says_when_the_list_is_gone_or_has_changed(
    database: Database, tmp_path: Path
) -> None:
    _first, second = _two_versions(database, tmp_path)
    source = tmp_path / "v2.txt"
    shutil.move(source, tmp_path / "elsewhere.txt")
    with database.session() as s:
        _lose(s, second)
    with database.session() as s, pytest.raises(NotFoundError) as gone:
        rebuild(s, "r")
    assert "hash set 'r' version 2: its set file cannot be rebuilt" in str(gone.value)
    assert f"{source}, is gone" in str(gone.value)
    source.write_text(H[0] + "\n")
    with database.session() as s, pytest.raises(UsageError, match="has changed since"):
        rebuild(s, "r")
    with database.session() as s:
        s.execute(update(HashSetVersion).values(source_path=None))
    with database.session() as s, pytest.raises(NotFoundError, match="was not recorded"):
        rebuild(s, "r", 2)


def test_a_rebuild_that_gives_another_file_replaces_nothing(
    database: Database, damaged: str
) -> None:
    with database.session() as s:
        row = s.scalars(select(HashSetVersion).where(HashSetVersion.version == 2)).one()
        row.source_options = row.source_options | {"first_number": 50}
    with database.session() as s, pytest.raises(IntegrityError, match="not the one imported"):
        rebuild(s, "r", 2)
    with database.session() as s:
        assert not verify_files(s, "r")[1].ok
