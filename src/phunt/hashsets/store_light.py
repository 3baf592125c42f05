"""What a run needs of its hash sets, read from an SQLite database file without SQLAlchemy.

An engine spec needs, per named set, its kind, current version, set file and disabled entry
numbers: a few small queries. SQLAlchemy and the models cost a one-file ``phunt scan``
about a third of its start-up, so an SQLite database in a file is read here through the
standard library, read-only. Anything else is the store's (:func:`current_sets` answers
None): PostgreSQL, an in-memory database, a URL that takes SQLAlchemy's parser, a database
that does not exist yet or whose schema is not at the head revision (the store migrates it).
The store's :func:`phunt.hashsets.store_sets.current_sets` gives the same answer over a session.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from phunt.errors import CorruptInput, NotFoundError
from phunt.hashsets import blobs
from phunt.schema.revision import head_revision

if TYPE_CHECKING:
    from phunt.hashsets.blobs import Source
    from phunt.hashsets.setfile import SetFile


@dataclass(frozen=True)
class CurrentSet:
    """A set at its current version, as an engine spec names it."""

    name: str
    list_kind: str
    version: int
    stamp: str
    """Changes with anything that changes what the set matches (a version, a disable)."""
    index_sha256: str
    disabled: tuple[int, ...] = ()
    """Entry numbers disabled in the set, ascending: a worker needs no database for them."""


class SetSink(Protocol):
    """What the store loads sets into: the match engine, named by what it must do.

    The store does not import the matching package, which imports this one's readers.
    """

    def add_set(
        self,
        list_name: str,
        list_kind: str,
        version: int | None,
        set_file: SetFile,
        disabled: Collection[int],
    ) -> object: ...


def label(name: str, version: int) -> str:
    """How messages name a version: ``hash set 'x' version 3``."""
    return f"hash set {name!r} version {version}"


def rebuild_hint(name: str) -> str:
    return f"`phunt hashset rebuild {name}` restores it from the list it was imported from"


def open_set_file(source: Source, name: str, version: int, sha256: str) -> SetFile:
    """The set file of a version, memory-mapped (nothing loaded).

    A file missing from storage, or damaged, is an error naming the set and version and
    the command that rebuilds it, whichever command met it (scan, ingest, lookup, export).
    """
    from phunt.hashsets.setfile import SetFile  # numpy: where a set is opened, not listed

    what = label(name, version)
    path = blobs.local_set_file(source, sha256, what=what, name=name)
    try:
        return SetFile.open(path)
    except CorruptInput as exc:
        raise CorruptInput(
            f"the set file of {what} is damaged ({exc.message}); {rebuild_hint(name)}",
            path=exc.path,
        ) from exc


def at_hand(source: Source, sets: Iterable[CurrentSet]) -> None:
    """Raise unless each set's file is stored and whole, fetching it into this machine's
    cache where the database holds it (a stat once a copy is verified)."""
    for s in sets:
        blobs.local_set_file(source, s.index_sha256, what=label(s.name, s.version), name=s.name)


def disabled_in(set_file: SetFile, disabled: Collection[int]) -> int:
    """How many of the ``disabled`` numbers are entries of ``set_file``."""
    if not disabled or not len(set_file):
        return 0
    import numpy as np

    numbers = np.asarray(set_file.entry_numbers)
    wanted = np.asarray(list(disabled), dtype=np.int64)
    at = np.searchsorted(numbers, wanted).clip(0, len(numbers) - 1)
    return int(np.count_nonzero(numbers[at] == wanted))


def add_set_file(
    engine: SetSink,
    name: str,
    list_kind: str,
    version: int,
    set_file: SetFile,
    disabled: Collection[int],
) -> int:
    """Hand a version's set file and the set's disabled entry numbers to ``engine``;
    returns how many of its entries can match."""
    engine.add_set(name, list_kind, version, set_file, disabled)
    return len(set_file) - disabled_in(set_file, disabled)


def current_sets(url: str, names: Iterable[str] | None) -> list[CurrentSet] | None:
    """Each set ever imported (all when ``names`` is None) at its current version, read
    from the SQLite file of ``url``; None when the store must answer (see the module)."""
    path = blobs.plain_sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return None
    try:
        with contextlib.closing(conn):
            if _revision(conn) != head_revision():
                return None
            return _sets(conn, names)
    except sqlite3.Error:  # locked past the timeout, unreadable: the store will say why
        return None


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: a new database
        return None
    return None if row is None else str(row[0])


_SET = "SELECT id, name, kind, current_version FROM hash_set"


def _sets(conn: sqlite3.Connection, names: Iterable[str] | None) -> list[CurrentSet]:
    if names is None:
        rows = conn.execute(f"{_SET} ORDER BY name").fetchall()
    else:
        rows = []
        for name in names:
            row = conn.execute(f"{_SET} WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise NotFoundError(f"no hash set {name!r}")
            rows.append(row)
    out = []
    for set_id, name, kind, version in rows:
        if version == 0:
            continue
        found = conn.execute(
            "SELECT index_sha256 FROM hash_set_version WHERE hash_set_id = ? AND version = ?",
            (set_id, version),
        ).fetchone()
        if found is None:  # versions are never deleted: a gap is damage
            raise NotFoundError(f"hash set {name!r} has no record of version {version}")
        count, newest = conn.execute(
            "SELECT count(id), max(id) FROM hash_set_disable WHERE hash_set_id = ?", (set_id,)
        ).fetchone()
        disabled = conn.execute(
            "SELECT entry FROM hash_set_disable WHERE hash_set_id = ?", (set_id,)
        ).fetchall()
        sha = found[0]
        stamp = f"{set_id}:{sha}:{count}.{newest or 0}"
        numbers = tuple(sorted(int(n) for (n,) in disabled))
        out.append(CurrentSet(name, kind, version, stamp, sha, numbers))
    return out
