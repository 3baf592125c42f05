"""The hash-set store's common ground: finding sets and versions, opening a version's file.

Every module of the store (import, disable, rebuild, the queries in :mod:`store`) goes
through here, so a missing or damaged set file is reported the same way everywhere:
naming the set and version, and the command that restores it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import NotFoundError, UsageError
from phunt.hashsets.store_light import CurrentSet, open_set_file
from phunt.hashsets.store_light import label as label  # re-exported: how versions are named
from phunt.hashsets.store_light import rebuild_hint as rebuild_hint
from phunt.schema.hashsets import HashSet, HashSetDisable, HashSetVersion

if TYPE_CHECKING:
    from phunt.hashsets.setfile import SetFile


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


def open_version(session: Session, name: str, row: HashSetVersion) -> SetFile:
    """The set file of a version, memory-mapped; missing or damaged is an error naming the
    set, version and remedy (:func:`phunt.hashsets.store_light.open_set_file`)."""
    return open_set_file(session, name, row.version, row.index_sha256)


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


def current_sets(session: Session, names: Iterable[str] | None) -> list[CurrentSet]:
    """Each set ever imported (all when ``names`` is None) at its current version (what
    :func:`phunt.hashsets.store_light.current_sets` reads without SQLAlchemy)."""
    sets = list_hash_sets(session) if names is None else [get_hash_set(session, n) for n in names]
    out = []
    for hs in sets:
        if hs.current_version == 0:
            continue
        sha = version_row(session, hs, None).index_sha256
        stamp = f"{hs.id}:{sha}:{disable_stamp(session, hs)}"
        disabled = tuple(disabled_numbers(session, hs))
        out.append(CurrentSet(hs.name, hs.kind, hs.current_version, stamp, sha, disabled))
    return out
