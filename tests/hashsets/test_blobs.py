"""Set files beside an SQLite database, or held by the database and cached per machine."""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.pool import StaticPool

from phunt.errors import CorruptInput, NotFoundError, StorageError
from phunt.hashsets import blobs
from phunt.hashsets.columns import plain_batch
from phunt.hashsets.setbuild import build_set_file
from phunt.hashsets.setfile import SetFile
from phunt.schema.db import Database
from phunt.schema.hashset_blobs import HashSetBlob

WHAT = "hash set 'alpha' version 3"


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """This machine's cache, in the test's folder; parts of 4 KiB so files have several."""
    monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(blobs, "PART_SIZE", 4096)
    return tmp_path / "cache" / "hashsets"


def _built(folder: Path, n: int = 2000, seed: int = 0) -> Path:
    """A set file of ``n`` random MD5s (about 32 bytes each: several parts of 4 KiB)."""
    folder.mkdir(parents=True, exist_ok=True)
    digests = np.random.default_rng(seed).integers(0, 256, size=(n, 16), dtype=np.uint8)
    batch = plain_batch("md5", digests, np.arange(1, n + 1, dtype=np.int64))
    result = build_set_file(
        [batch], folder, previous=None, first_number=1, scratch=folder, meta={"test": seed}
    )
    return result.path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _put(database: Database, tmp_path: Path, seed: int = 0) -> tuple[str, bytes]:
    path = _built(tmp_path / "built", seed=seed)
    sha, content = path.name.removesuffix(".phs"), path.read_bytes()
    with database.session() as session:
        blobs.put_set_file(session, path)
    assert not path.exists()  # moved, not copied
    return sha, content


def _in_database(database: Database) -> bool:
    return database.engine.dialect.name != "sqlite"


def _parts(database: Database, sha: str) -> int:
    with database.session() as session:
        query = select(func.count()).where(HashSetBlob.sha256 == sha)
        return int(session.scalar(query) or 0)


def _count_verifications(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = SetFile.open

    def counting(path: Any, *, verify: bool = False) -> SetFile:
        if verify:
            seen.append(Path(path))
        return real(path, verify=verify)

    monkeypatch.setattr(SetFile, "open", counting)
    return seen


def test_index_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert blobs.index_home(f"sqlite:///{tmp_path}/db/phunt.db") == tmp_path / "db" / "hashsets"
    cache = tmp_path / "cache" / "hashsets"
    assert blobs.index_home("postgresql://lab@db.example/phunt") == cache
    assert blobs.index_home("sqlite://") == cache
    assert blobs.index_home("sqlite:///:memory:") == cache
    monkeypatch.delenv("PHUNT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert blobs.index_home("sqlite://") == tmp_path / "xdg" / "phunt" / "hashsets"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not absolute: ignored, as XDG says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert blobs.index_home("sqlite://") == tmp_path / "home" / ".cache" / "phunt" / "hashsets"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////abs/lab/phunt.db",
        "sqlite:///relative/phunt.db",
        "sqlite:///a%20b.db",
        "sqlite:///phunt.db?mode=ro",
        "sqlite:///:memory:",
        "sqlite:///file:shared?mode=memory&uri=true",
        "sqlite://",
        "postgresql://lab@db.example/phunt",
    ],
)
def test_a_plain_sqlite_url_is_read_as_sqlalchemy_reads_it(url: str) -> None:
    """Without SQLAlchemy only when sure (a one-file scan's start-up): a path it gives is
    the one SQLAlchemy's parser gives; anything else is left to that parser."""
    from sqlalchemy import make_url

    plain = blobs.plain_sqlite_file(url)
    parsed = make_url(url)
    if plain is not None:
        assert parsed.get_backend_name() == "sqlite" and not parsed.query
        assert plain == Path(str(parsed.database)).absolute()
    assert (plain is not None) == (
        url in {"sqlite:////abs/lab/phunt.db", "sqlite:///relative/phunt.db"}
    )
    assert blobs.in_database(url) == (url not in {
        "sqlite:////abs/lab/phunt.db", "sqlite:///relative/phunt.db", "sqlite:///a%20b.db",
        "sqlite:///phunt.db?mode=ro",
    })  # fmt: skip


def test_put_then_open(database: Database, tmp_path: Path, _cache: Path) -> None:
    sha, content = _put(database, tmp_path)
    path = blobs.local_set_file(database.url, sha, what=WHAT)
    assert path.read_bytes() == content and _sha(path) == sha
    if _in_database(database):
        assert path.parent == _cache
        assert _parts(database, sha) == -(-len(content) // 4096) > 1
    else:  # beside the database, nothing in it
        assert path.parent == tmp_path / "hashsets"
        assert _parts(database, sha) == 0
    assert path.with_suffix(".ok").is_file()
    with SetFile.open(path, verify=True) as set_file:
        assert len(set_file) == 2000


def test_beside_a_database_as_readable_as_it(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'phunt.db'}")
    try:
        os.chmod(tmp_path / "phunt.db", 0o640)  # a lab group reads the database
        sha, _ = _put(database, tmp_path)
        path = blobs.local_set_file(database.url, sha, what=WHAT)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert stat.S_IMODE(path.with_suffix(".ok").stat().st_mode) == 0o640
    finally:
        database.close()


def test_put_twice_is_a_no_op(database: Database, tmp_path: Path) -> None:
    sha, _content = _put(database, tmp_path)
    again, _ = _put(database, tmp_path)  # the same bytes, built again
    assert again == sha
    if _in_database(database):
        assert _parts(database, sha) > 1  # not inserted twice (the key would refuse it)


def test_built_on_another_file_system(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _built(tmp_path / "built")
    sha, content = built.name.removesuffix(".phs"), built.read_bytes()
    real = os.replace

    def across_devices(src: Any, dst: Any) -> None:
        if Path(src) == built:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(src, dst)

    monkeypatch.setattr(os, "replace", across_devices)
    with database.session() as session:
        blobs.put_set_file(session, built)
    assert not built.exists()
    path = blobs.local_set_file(database.url, sha, what=WHAT)
    assert path.read_bytes() == content
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_a_stamped_copy_is_not_verified_again(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha, _ = _put(database, tmp_path)
    seen = _count_verifications(monkeypatch)
    with database.session() as session:
        path = blobs.local_set_file(session, sha, what=WHAT)
    assert seen == []  # put stamped it: this machine built it
    os.utime(path, ns=(1, 1))  # the copy changed since it was verified
    assert blobs.local_set_file(database.url, sha, what=WHAT) == path
    assert seen == [path]
    assert blobs.local_set_file(database.url, sha, what=WHAT) == path
    assert seen == [path]  # stamped again


def test_another_machine_fetches_and_verifies(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _in_database(database):
        pytest.skip("an SQLite file's set files are beside it, for every machine")
    sha, content = _put(database, tmp_path)
    monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "other-machine"))
    seen = _count_verifications(monkeypatch)
    path = blobs.local_set_file(database.url, sha, what=WHAT)
    assert path == tmp_path / "other-machine" / "hashsets" / f"{sha}.phs"
    assert path.read_bytes() == content
    assert len(seen) == 1 and seen[0].name == path.name  # verified before the rename
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{sha}.ok", f"{sha}.phs"]


def test_a_damaged_copy(database: Database, tmp_path: Path) -> None:
    sha, content = _put(database, tmp_path)
    path = blobs.local_set_file(database.url, sha, what=WHAT)
    damaged = bytearray(content)
    damaged[-1] ^= 0xFF
    path.write_bytes(bytes(damaged))
    if _in_database(database):  # replaced from the database
        assert blobs.local_set_file(database.url, sha, what=WHAT, name="alpha") == path
        assert path.read_bytes() == content
        return
    with pytest.raises(CorruptInput) as caught:
        blobs.local_set_file(database.url, sha, what=WHAT, name="alpha")
    assert caught.value.path == str(path)
    assert WHAT in str(caught.value) and "phunt hashset rebuild alpha" in str(caught.value)


def test_a_damaged_database_copy(database: Database, tmp_path: Path) -> None:
    if not _in_database(database):
        pytest.skip("an SQLite file holds no set file")
    sha, _ = _put(database, tmp_path)
    (tmp_path / "cache" / "hashsets" / f"{sha}.phs").unlink()
    with database.session() as session:
        change = update(HashSetBlob).where(HashSetBlob.sha256 == sha, HashSetBlob.part == 1)
        session.execute(change.values(data=b"\0" * 4096))
    with pytest.raises(CorruptInput) as caught:
        blobs.local_set_file(database.url, sha, what=WHAT, name="alpha")
    assert caught.value.path == f"hash_set_blob {sha}"
    assert WHAT in str(caught.value) and "phunt hashset rebuild alpha" in str(caught.value)
    left = [p.name for p in (tmp_path / "cache" / "hashsets").iterdir()]
    assert left == [f"{sha}.ok"]  # nothing half-made left (the stale stamp is harmless)


def test_database_problem_and_discard(database: Database, tmp_path: Path) -> None:
    sha, content = _put(database, tmp_path)
    assert blobs.in_database(database.url) is _in_database(database)
    with database.session() as session:
        assert blobs.database_problem(session, sha) is None
    if _in_database(database):
        with database.session() as session:
            change = update(HashSetBlob).where(HashSetBlob.sha256 == sha, HashSetBlob.part == 0)
            session.execute(change.values(data=b"\0" * 4096))
        assert str(blobs.database_problem(database.url, sha)).startswith("is damaged")
    path = blobs.local_set_file(database.url, sha, what=WHAT)
    with database.session() as session:
        blobs.discard(session, sha)
    assert not path.exists() and not path.with_suffix(".ok").exists()
    if _in_database(database):
        assert blobs.database_problem(database.url, sha) == "is missing"
    rebuilt = tmp_path / "rebuilt" / path.name
    rebuilt.parent.mkdir()
    rebuilt.write_bytes(content)
    with database.session() as session:
        blobs.put_set_file(session, rebuilt)
        assert blobs.database_problem(session, sha) is None
    assert blobs.local_set_file(database.url, sha, what=WHAT).read_bytes() == content


def test_a_missing_file(database: Database, tmp_path: Path) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(NotFoundError) as caught:
        blobs.local_set_file(database.url, sha, what=WHAT, name="alpha")
    assert WHAT in str(caught.value) and "phunt hashset rebuild alpha" in str(caught.value)
    if not _in_database(database):
        sha, _ = _put(database, tmp_path)
        (tmp_path / "hashsets" / f"{sha}.phs").unlink()
        with pytest.raises(NotFoundError, match="is missing"):
            blobs.local_set_file(database.url, sha, what=WHAT)


def test_an_unreachable_database(tmp_path: Path) -> None:
    sha = hashlib.sha256(b"anything").hexdigest()
    url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    with pytest.raises(StorageError, match="cannot read set files from") as caught:
        blobs.local_set_file(url, sha, what=WHAT)
    assert "127.0.0.1:1" in str(caught.value)


def test_not_a_set_file_name(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "list.phs"
    path.write_bytes(b"x")
    with database.session() as session, pytest.raises(Exception, match="not a set file name"):
        blobs.put_set_file(session, path)


def test_in_memory_sqlite_holds_the_file(tmp_path: Path, _cache: Path) -> None:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    HashSetBlob.metadata.create_all(engine, tables=[HashSetBlob.__table__])  # type: ignore[list-item]
    path = _built(tmp_path / "built")
    sha, content = path.name.removesuffix(".phs"), path.read_bytes()
    with engine.begin() as conn:
        blobs.put_set_file(conn, path)
    (_cache / f"{sha}.phs").unlink()
    with engine.connect() as conn:
        assert blobs.local_set_file(conn, sha, what=WHAT).read_bytes() == content
    engine.dispose()


def _fill(url: str, sha: str, barrier: Any, out: Any) -> None:
    barrier.wait()
    out.put(str(blobs.local_set_file(url, sha, what=WHAT)))


def test_two_processes_fill_the_cache_at_once(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha, content = _put(database, tmp_path)
    if _in_database(database):
        monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "empty-cache"))
    else:  # both verify the unstamped file beside the database
        (tmp_path / "hashsets" / f"{sha}.ok").unlink()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_fill, args=(database.url, sha, barrier, out)) for _ in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    paths = {Path(out.get(timeout=5)) for _ in workers}
    assert len(paths) == 1
    (path,) = paths
    assert path.read_bytes() == content
    assert blobs._stamped(path)
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{sha}.ok", f"{sha}.phs"]
