"""Where set files live, and how a machine gets a verified copy of one.

A set file is immutable and named by its SHA-256, so it can be kept anywhere and checked
anywhere. An SQLite database in a file keeps its set files in ``hashsets/`` beside it: the
folder travels with the database. PostgreSQL (and an in-memory SQLite database, which has
no folder) holds each file itself, in 8 MiB parts (``hash_set_blob``), and every machine
that needs one (a workstation, a cluster worker, the web app) keeps a copy in its own
cache, ``$PHUNT_CACHE/hashsets`` (else ``$XDG_CACHE_HOME/phunt/hashsets``, else
``~/.cache/phunt/hashsets``): no folder has to be shared between the lab's machines.

A copy is verified (its SHA-256 is its name, its structure is sound) before it is first
used, since matches found with a damaged index would be wrong without any error. A stamp
``<sha256>.ok`` beside it records the size, modification time and inode the copy had
when verified, so later opens cost one ``stat``; a copy whose stamp no longer matches is
verified again, and a damaged one is fetched again from the database where it can be.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from phunt.errors import CorruptInput, InputError, NotFoundError, StorageError
from phunt.scratch import user_area

if TYPE_CHECKING:
    from sqlalchemy import URL, Connection
    from sqlalchemy.orm import Session

    Source: TypeAlias = Session | Connection | str
    """What knows the database: a session, a connection, or the database's URL."""

SUFFIX = ".phs"
STAMP = ".ok"
PART_SIZE = 8 * 1024 * 1024
"""Bytes in one part of a set file held by the database (the last part may be shorter)."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: An SQLite file URL that needs no URL parser: no query, escapes, host or credentials.
_PLAIN_SQLITE = re.compile(r"^sqlite:///([^?#%@]+)$")


def cache_home() -> Path:
    """This machine's cache of set files held by databases (``$PHUNT_CACHE/hashsets``,
    else ``hashsets`` in phunt's folder of the user's cache)."""
    base = os.environ.get("PHUNT_CACHE")
    if base:
        return Path(base) / "hashsets"
    return Path(user_area()).parent / "hashsets"


def plain_sqlite_file(url: str) -> Path | None:
    """The database file of a plain SQLite file URL (``sqlite:///path``), read without
    SQLAlchemy (a one-file scan's start-up has no use for it); None when it takes
    SQLAlchemy's parser to tell (another database, a query, escapes, in memory)."""
    plain = _PLAIN_SQLITE.match(url)
    if plain is None or plain[1] == ":memory:" or plain[1].startswith("file:"):
        return None
    return Path(plain[1]).absolute()


def _sqlite_file(bind_url: str | URL) -> Path | None:
    """The database file of an SQLite URL; None for another database or an in-memory one."""
    if isinstance(bind_url, str) and (plain := plain_sqlite_file(bind_url)) is not None:
        return plain
    from sqlalchemy import make_url

    url = make_url(bind_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if url.query.get("mode") == "memory" or name.startswith("file:"):
        return None
    return Path(name).absolute()


def index_home(bind_url: str | URL) -> Path:
    """The folder the set files of this database are read from: ``hashsets/`` beside an
    SQLite file, else this machine's cache."""
    db_file = _sqlite_file(bind_url)
    return cache_home() if db_file is None else db_file.parent / "hashsets"


def _url(source: Source) -> str | URL:
    if isinstance(source, str):
        return source
    from sqlalchemy import Connection

    if isinstance(source, Connection):
        return source.engine.url
    return source.get_bind().engine.url


def _sha_of(path: Path) -> str:
    sha = path.name.removesuffix(SUFFIX)
    if not path.name.endswith(SUFFIX) or not _SHA256.match(sha):
        raise InputError("not a set file name (<sha256>.phs)", path=str(path))
    return sha


def put_set_file(session: Session | Connection, path: Path) -> None:
    """Store the set file just built at ``path`` (``<sha256>.phs``); ``path`` is gone after.

    Parts for the database are written in the caller's transaction, one at a time (never
    the whole file in memory), unless the database has the file already. The file then
    moves into the local folder, verified (this machine built it), so the importing
    machine never fetches it back. A file left there by a transaction that rolled back
    is harmless: it is named by its content.
    """
    sha = _sha_of(path)
    url = _url(session)
    if in_database(url):
        _insert_parts(session, path, sha)
    home = index_home(url)
    target = home / path.name
    if _stamped(target):
        path.unlink()
        return
    home.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(path, target)
    except OSError:  # another file system: copy beside the target, then rename
        with _temp_folder(home) as temp:
            shutil.copyfile(path, temp / path.name)
            _fsync(temp / path.name)
            os.replace(temp / path.name, target)
        path.unlink()
    _fsync(home)  # the rename outlives a power cut, as the version row that names it does
    db_file = _sqlite_file(url)
    if db_file is not None and db_file.exists():  # readable by whoever reads the database
        os.chmod(target, stat.S_IMODE(db_file.stat().st_mode) & 0o666)
    _stamp(target)


def _insert_parts(session: Session | Connection, path: Path, sha: str) -> None:
    from sqlalchemy import insert, select

    from phunt.schema.hashset_blobs import HashSetBlob

    query = select(HashSetBlob.part).where(HashSetBlob.sha256 == sha).limit(1)
    if session.execute(query).first() is not None:
        return
    with open(path, "rb") as handle:
        part = 0
        while data := handle.read(PART_SIZE):
            session.execute(insert(HashSetBlob), {"sha256": sha, "part": part, "data": data})
            part += 1


def local_set_file(source: Source, sha256: str, *, what: str, name: str | None = None) -> Path:
    """A verified local path of the set file ``sha256``, fetched from the database if needed.

    ``what`` names the file for the user ("hash set 'x' version 3") and ``name`` the set,
    for the hint; NotFoundError when the file is nowhere, CorruptInput when the only copy
    is damaged, both saying how to rebuild it.
    """
    url = _url(source)
    home = index_home(url)
    path = home / f"{sha256}{SUFFIX}"
    if _stamped(path):
        return path
    hint = f"run `phunt hashset rebuild {name or 'NAME'}` to build it again from its list"
    exists = path.exists()
    problem = _problem(path) if exists else None
    if exists and problem is None:
        _stamp(path)
        return path
    if not in_database(url):  # the folder beside the database is the only copy
        if not exists:
            raise NotFoundError(f"{what}: its set file {path} is missing; {hint}")
        message = f"{what}: the set file is damaged ({problem}); {hint}"
        raise CorruptInput(message, path=str(path))
    _fetch(source, sha256, home, what, hint)
    return path


def in_database(bind_url: str | URL) -> bool:
    """Whether this database holds its set files (else they are beside its SQLite file)."""
    return _sqlite_file(bind_url) is None


def database_problem(source: Source, sha256: str) -> str | None:
    """What is wrong with the database's copy of a set file ("is missing", "is damaged
    ..."), None when it is whole or the database holds no set files. Other machines fetch
    that copy, so ``phunt hashset verify`` checks it as well as this machine's; its parts
    are hashed one at a time (a whole part is what a fetch verifies against the name)."""
    if not in_database(_url(source)):
        return None
    digest, parts = hashlib.sha256(), 0
    with _connection(source) as conn:
        while (data := _part(conn, sha256, parts)) is not None:
            digest.update(data)
            parts += 1
    if parts == 0:
        return "is missing"
    if digest.hexdigest() != sha256:
        return f"is damaged (its SHA-256 is {digest.hexdigest()})"
    return None


def discard(session: Session | Connection, sha256: str) -> None:
    """Remove the stored copies of a set file (the database's parts in the caller's
    transaction, this machine's file and stamp), so that a file rebuilt under the same
    name replaces a damaged one instead of being taken for stored already."""
    if in_database(_url(session)):
        from sqlalchemy import delete

        from phunt.schema.hashset_blobs import HashSetBlob

        session.execute(delete(HashSetBlob).where(HashSetBlob.sha256 == sha256))
    home = index_home(_url(session))
    for suffix in (SUFFIX, STAMP):
        (home / f"{sha256}{suffix}").unlink(missing_ok=True)


def _fetch(source: Source, sha: str, home: Path, what: str, hint: str) -> None:
    """Copy the database's parts into the cache: a private temporary name, verified, then
    renamed into place, so two processes filling the cache at once both end with a good
    file and a reader never sees half of one."""
    home.mkdir(parents=True, exist_ok=True)
    with _temp_folder(home) as temp, _connection(source) as conn:
        copy = temp / f"{sha}{SUFFIX}"
        parts = 0
        with open(copy, "wb") as out:
            while (data := _part(conn, sha, parts)) is not None:
                out.write(data)
                parts += 1
        if parts == 0:
            where = f"neither in {home} nor in the database"
            raise NotFoundError(f"{what}: its set file {sha} is {where}; {hint}")
        problem = _problem(copy)
        if problem is not None:
            message = f"{what}: the database's copy is damaged ({problem}); {hint}"
            raise CorruptInput(message, path=f"hash_set_blob {sha}")
        os.replace(copy, home / copy.name)
    _stamp(home / copy.name)


def _part(conn: Session | Connection, sha: str, part: int) -> bytes | None:
    from sqlalchemy import select

    from phunt.schema.hashset_blobs import HashSetBlob

    query = select(HashSetBlob.data).where(HashSetBlob.sha256 == sha, HashSetBlob.part == part)
    data = conn.execute(query).scalar()
    return None if data is None else bytes(data)


@contextlib.contextmanager
def _connection(source: Source) -> Iterator[Session | Connection]:
    """The caller's session or connection, or one opened for a URL only while fetching."""
    if not isinstance(source, str):
        yield source
        return
    from sqlalchemy.exc import OperationalError

    from phunt.schema.db import make_engine

    engine = make_engine(source)
    try:
        with engine.connect() as conn:
            yield conn
    except OperationalError as exc:
        raise StorageError(f"cannot read set files from {engine.url!r}: {exc.orig}") from exc
    finally:
        engine.dispose()


@contextlib.contextmanager
def _temp_folder(home: Path) -> Iterator[Path]:
    """A folder of this process's own in ``home`` (same file system: renames are atomic)."""
    temp = Path(tempfile.mkdtemp(prefix=".part-", dir=home))
    try:
        yield temp
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _problem(path: Path) -> str | None:
    """What is wrong with the set file at ``path`` (its hash, its structure), or None."""
    from phunt.hashsets.setfile import SetFile  # numpy: only where a set file is checked

    try:
        SetFile.open(path, verify=True).close()
    except InputError as exc:
        return exc.message
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _stamp_of(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}\n"


def _stamp(path: Path) -> None:
    """Record that ``path`` was verified as it is now (best effort: a folder this user may
    not write only costs a verification at each open)."""
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=".stamp-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(_stamp_of(path))
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode))  # as readable as what it stamps
        os.replace(temp, path.with_suffix(STAMP))
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _stamped(path: Path) -> bool:
    """Whether ``path`` is still the file its stamp says was verified."""
    try:
        return path.with_suffix(STAMP).read_text(encoding="ascii") == _stamp_of(path)
    except (OSError, UnicodeDecodeError):
        return False
