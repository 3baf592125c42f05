"""The hash-set store's common ground: finding sets and versions, opening a version's file.

Every module of the store (import, disable, rebuild, the queries in :mod:`store`) goes
through here, so a missing or damaged set file is reported the same way everywhere:
naming the set and version, and the command that restores it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import CorruptInput, NotFoundError, UsageError
from phunt.hashsets import blobs
from phunt.hashsets.setfile import SetFile
from phunt.schema.hashsets import HashSet, HashSetDisable, HashSetVersion


def get_hash_set(session: Session, name: str) -> HashSet:
    found = session.scalar(select(HashSet).where(HashSet.name == name))
    if found is None:
        raise NotFoundError(f"no hash set {name!r}")
    return found


def list_hash_sets(session: Session) -> list[HashSet]:
    return list(session.scalars(select(HashSet).order_by(HashSet.name)))


def versions(session: Session, hash_set: HashSet) -> list[HashSetVersion]:
    query = select(HashSetVersion).where(HashSetVersion.hash_set_id == hash_set.id)
    return list(session.scalars(query.order_by(HashSetVersion.version)))


def check_version(hash_set: HashSet, version: int | None) -> int:
    """``version`` (default: current) once it is one of the set's."""
    v = hash_set.current_version if version is None else version
    if not 1 <= v <= hash_set.current_version:
        raise UsageError(f"hash set {hash_set.name!r} has versions 1..{hash_set.current_version}")
    return v


def version_row(session: Session, hash_set: HashSet, version: int | None) -> HashSetVersion:
    """The row of ``version`` (default: current) of ``hash_set``."""
    v = check_version(hash_set, version)
    row = session.scalar(
        select(HashSetVersion).where(
            HashSetVersion.hash_set_id == hash_set.id, HashSetVersion.version == v
        )
    )
    if row is None:  # versions are never deleted: a gap is damage, not a request
        raise NotFoundError(f"hash set {hash_set.name!r} has no record of version {v}")
    return row


def label(name: str, version: int) -> str:
    """How messages name a version: ``hash set 'x' version 3``."""
    return f"hash set {name!r} version {version}"


def rebuild_hint(name: str) -> str:
    return f"`phunt hashset rebuild {name}` restores it from the list it was imported from"


def open_version(session: Session, name: str, row: HashSetVersion) -> SetFile:
    """The set file of a version, memory-mapped (nothing loaded).

    A file missing from storage, or damaged, is an error naming the set and version and
    the command that rebuilds it, whichever command met it (scan, ingest, lookup, export).
    """
    what = label(name, row.version)
    path = blobs.local_set_file(session, row.index_sha256, what=what, name=name)
    try:
        return SetFile.open(path)
    except CorruptInput as exc:
        raise CorruptInput(
            f"the set file of {what} is damaged ({exc.message}); {rebuild_hint(name)}",
            path=exc.path,
        ) from exc


def disabled_numbers(session: Session, hash_set: HashSet) -> list[int]:
    """Entry numbers disabled in ``hash_set`` (in every version), ascending."""
    query = select(HashSetDisable.entry).where(HashSetDisable.hash_set_id == hash_set.id)
    return sorted(int(n) for n in session.scalars(query))


def disable_stamp(session: Session, hash_set: HashSet) -> str:
    """Changes whenever an entry of the set is disabled (count and newest row)."""
    count, newest = session.execute(
        select(func.count(HashSetDisable.id), func.max(HashSetDisable.id)).where(
            HashSetDisable.hash_set_id == hash_set.id
        )
    ).one()
    return f"{count}.{newest or 0}"
