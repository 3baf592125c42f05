"""Read models of hash sets for the web workspace: sets, versions, entries, disables.

Figures come from each version's set file without reading its entries (a kind's count is
the length of its digest column), so listing lists of tens of millions of entries costs a
few ``mmap`` calls. Everything here reads; importing and disabling stay with the CLI and
:mod:`phunt.hashsets.store`. Names, descriptions and entry names come from list files,
which an adversary may have written: callers render them escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import InputError, NotFoundError, PhuntError
from phunt.hashsets.categories import Category
from phunt.hashsets.categories import label as category_label
from phunt.hashsets.columns import fixed_width
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_sets import (
    disabled_numbers,
    get_hash_set,
    list_hash_sets,
    open_version,
    version_row,
    versions,
)
from phunt.schema.hashsets import HashSet, HashSetDisable, HashSetVersion

SetSort = Literal["name", "kind", "version", "entries", "imported_at"]
DisableSort = Literal["entry", "disabled_at", "disabled_by"]
SET_SORTS: tuple[str, ...] = get_args(SetSort)
DISABLE_SORTS: tuple[str, ...] = get_args(DisableSort)


class SetFileUnavailable(PhuntError):
    """A version's set file is missing or damaged on this machine: the server's trouble,
    not the request's, so it must not read as "no such version"."""


@contextmanager
def opened(session: Session, name: str, row: HashSetVersion) -> Iterator[SetFile]:
    """The version's set file, or SetFileUnavailable saying how to restore it."""
    try:
        set_file = open_version(session, name, row)
    except (InputError, NotFoundError) as exc:
        raise SetFileUnavailable(
            f"the set file of hash set {name!r} version {row.version} is missing or damaged "
            f"on the server; `phunt hashset rebuild {name}` restores it from its list"
        ) from exc
    with set_file:
        yield set_file


@dataclass(frozen=True)
class VersionView:
    """One imported version: the list file it came from and what changed."""

    version: int
    imported_at: datetime
    imported_by: str
    file_name: str
    file_sha256: str
    file_size: int
    format: str
    category_scheme: str | None
    entries: int
    added: int
    removed: int
    index_sha256: str


@dataclass(frozen=True)
class SetView:
    """A hash set at its current version; ``problem`` says why its figures are missing."""

    name: str
    kind: str
    source_agency: str
    description: str
    created_at: datetime
    current_version: int
    disabled: int
    current: VersionView | None
    by_kind: dict[str, int]
    problem: str | None = None


@dataclass(frozen=True)
class EntryView:
    """One entry of a version, as a page shows it (never the listed file's bytes)."""

    entry: int
    hashes: dict[str, str]
    category: str | None
    name: str | None
    disabled: bool


@dataclass(frozen=True)
class DisableView:
    """An entry disabled as a false positive: which, by whom, when and why."""

    entry: int
    reason: str
    disabled_by: str
    disabled_at: datetime
    hashes: dict[str, Any]


def version_view(row: HashSetVersion) -> VersionView:
    return VersionView(
        version=row.version,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        file_size=row.file_size,
        format=row.format,
        category_scheme=row.category_scheme,
        entries=row.entries,
        added=row.added,
        removed=row.removed,
        index_sha256=row.index_sha256,
    )


def counts_by_kind(set_file: SetFile) -> dict[str, int]:
    """Entries carrying each hash kind, from column lengths (no entry is read)."""
    counts: dict[str, int] = {}
    for kind in set_file.kinds:
        if fixed_width(kind) is not None:
            counts[kind] = int(set_file.digests(kind)[0].shape[0])
            continue
        offsets = set_file.column(f"text/{kind}/offsets")
        counts[kind] = 0 if offsets is None else int(np.count_nonzero(np.diff(offsets)))
    return counts


def list_sets(session: Session, sort: str = "name", desc: bool = False) -> list[SetView]:
    """Every hash set with its current version's figures, sorted by one of SET_SORTS."""
    counted = select(HashSetDisable.hash_set_id, func.count()).group_by(HashSetDisable.hash_set_id)
    disabled = {int(set_id): int(n) for set_id, n in session.execute(counted)}
    views = [_set_view(session, hs, disabled.get(hs.id, 0)) for hs in list_hash_sets(session)]
    keys: dict[str, Any] = {
        "name": lambda v: v.name,
        "kind": lambda v: (v.kind, v.name),
        "version": lambda v: (v.current_version, v.name),
        "entries": lambda v: (v.current.entries if v.current else 0, v.name),
        "imported_at": lambda v: (v.current.imported_at.timestamp() if v.current else 0, v.name),
    }
    return sorted(views, key=keys.get(sort, keys["name"]), reverse=desc)


def set_view(session: Session, name: str) -> SetView:
    """One set (NotFoundError when there is none of that name)."""
    hash_set = get_hash_set(session, name)
    return _set_view(session, hash_set, len(disabled_numbers(session, hash_set)))


def _set_view(session: Session, hs: HashSet, disabled: int) -> SetView:
    current = version_row(session, hs, None) if hs.current_version else None
    by_kind: dict[str, int] = {}
    problem = None
    if current is not None:
        try:
            with opened(session, hs.name, current) as set_file:
                by_kind = counts_by_kind(set_file)
        except SetFileUnavailable as exc:
            problem = str(exc)
    return SetView(
        name=hs.name,
        kind=hs.kind,
        source_agency=hs.source_agency,
        description=hs.description,
        created_at=hs.created_at,
        current_version=hs.current_version,
        disabled=disabled,
        current=None if current is None else version_view(current),
        by_kind=by_kind,
        problem=problem,
    )


def version_views(session: Session, name: str) -> list[VersionView]:
    """Every version of a set, oldest first."""
    return [version_view(row) for row in versions(session, get_hash_set(session, name))]


def version_detail(session: Session, name: str, version: int) -> tuple[VersionView, dict[str, int]]:
    """A version and its counts by hash kind (NotFoundError for a version it lacks)."""
    hash_set = get_hash_set(session, name)
    row = find_version(session, hash_set, version)
    with opened(session, name, row) as set_file:
        return version_view(row), counts_by_kind(set_file)


def version_entries(
    session: Session, name: str, version: int, offset: int, limit: int, *, desc: bool = False
) -> tuple[int, list[EntryView]]:
    """A page of a version's entries in entry-number order (``desc``: newest numbers
    first), and how many it has; only the page's rows are read from the set file."""
    hash_set = get_hash_set(session, name)
    row = find_version(session, hash_set, version)
    skip = set(disabled_numbers(session, hash_set))
    with opened(session, name, row) as set_file:
        total = len(set_file)
        start, stop = max(0, offset), min(total, max(0, offset) + max(0, limit))
        rows = np.arange(start, stop, dtype=np.int64)
        if desc:
            rows = total - 1 - rows[::-1]
        views = [entry_view(n, e, n in skip) for n, e in set_file.entries(rows)]
    return total, views[::-1] if desc else views


def entry_view(number: int, entry: HashEntry, disabled: bool) -> EntryView:
    return EntryView(number, dict(entry.hashes), describe(entry.category), entry.name, disabled)


def describe(category: Category | None) -> str | None:
    return None if category is None else category_label(category)


def disables(
    session: Session, name: str, offset: int, limit: int, sort: str = "entry", desc: bool = False
) -> tuple[int, list[DisableView]]:
    """A page of a set's disabled entries, and how many there are."""
    hash_set = get_hash_set(session, name)
    where = HashSetDisable.hash_set_id == hash_set.id
    total = session.scalar(select(func.count()).select_from(HashSetDisable).where(where)) or 0
    column = {
        "disabled_at": HashSetDisable.disabled_at,
        "disabled_by": HashSetDisable.disabled_by,
    }.get(sort, HashSetDisable.entry)
    order = [column.desc() if desc else column.asc(), HashSetDisable.entry]
    query = select(HashSetDisable).where(where).order_by(*order).offset(offset).limit(limit)
    rows = [
        DisableView(d.entry, d.reason, d.disabled_by, d.disabled_at, dict(d.hashes))
        for d in session.scalars(query)
    ]
    return int(total), rows


def find_version(session: Session, hash_set: HashSet, version: int) -> HashSetVersion:
    """The row of ``version``; a version the set does not have is "not found", as a page
    or an API answers an unknown id."""
    if not 1 <= version <= hash_set.current_version:
        raise NotFoundError(f"hash set {hash_set.name!r} has no version {version}")
    return version_row(session, hash_set, version)
