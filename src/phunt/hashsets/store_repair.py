"""Checking every version's set file, and rebuilding a lost or damaged one from its list.

A version records the list it was imported from (absolute path and SHA-256) and how it
was read and numbered (format, scheme, hash kind, first entry number, and the previous
version's file), so the same list read the same way gives the same file, byte for byte.
A rebuild is kept only when its SHA-256 is the one recorded at import: a file that says
something else is never passed off as the version a court was told about.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import CorruptInput, IntegrityError, NotFoundError, UsageError
from phunt.hashing.crypto import sha256_file
from phunt.hashsets import blobs
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_import import built_set_file, set_file_meta
from phunt.hashsets.store_sets import (
    get_hash_set,
    label,
    list_hash_sets,
    open_version,
    rebuild_hint,
    version_row,
    versions,
)
from phunt.schema.hashsets import HashSet, HashSetVersion


@dataclass(frozen=True)
class FileCheck:
    """One version's set file: usable, or what is wrong with it."""

    hash_set: str
    version: int
    index_sha256: str
    problem: str | None = None
    rebuilt: bool = False
    """Made again from its list by :func:`rebuild`."""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {"ok": self.ok}


def check_file(session: Session, name: str, row: HashSetVersion) -> FileCheck:
    """Whether the set file of a version is there and whole (SHA-256 and structure), and
    where the database holds it, whether the database's copy is (other machines read it)."""
    what = label(name, row.version)
    try:
        path = blobs.local_set_file(session, row.index_sha256, what=what, name=name)
        with SetFile.open(path, verify=True) as set_file:
            if set_file.sha256 != row.index_sha256:
                raise CorruptInput(f"is {set_file.sha256}, not {row.index_sha256}", path=str(path))
    except (NotFoundError, CorruptInput) as exc:
        return FileCheck(name, row.version, row.index_sha256, str(exc))
    problem = blobs.database_problem(session, row.index_sha256)
    if problem is not None:
        problem = f"{what}: the database's copy of its set file {problem}; {rebuild_hint(name)}"
    return FileCheck(name, row.version, row.index_sha256, problem)


def verify_files(session: Session, name: str | None = None) -> list[FileCheck]:
    """Check every version's set file of one set (all sets when ``name`` is None)."""
    sets = list_hash_sets(session) if name is None else [get_hash_set(session, name)]
    return [check_file(session, hs.name, row) for hs in sets for row in versions(session, hs)]


def rebuild(session: Session, name: str, version: int | None = None) -> list[FileCheck]:
    """Rebuild the missing or damaged set files of a set (one version if given), oldest
    first (a version is numbered against the one before); returns the files it checked,
    ``problem`` None for each that is now whole. Raises when one cannot be restored."""
    hash_set = get_hash_set(session, name)
    every = versions(session, hash_set)
    rows = every if version is None else [version_row(session, hash_set, version)]
    done: dict[int, FileCheck] = {}
    sources: dict[int, str] = {}
    wanted = rows[-1].version if rows else 0
    for row in every:  # what must be rebuilt, and whether it can be, before building any
        if row.version <= wanted:
            done[row.version] = check_file(session, hash_set.name, row)
            if not done[row.version].ok:
                sources[row.version] = _source(label(name, row.version), row)
    return [_restore(session, hash_set, row, done, sources) for row in rows]


def _restore(
    session: Session,
    hash_set: HashSet,
    row: HashSetVersion,
    done: dict[int, FileCheck],
    sources: dict[int, str],
) -> FileCheck:
    check = done[row.version]
    if check.ok or check.rebuilt:
        return check
    source = sources[row.version]
    previous = None
    if row.version > 1:
        before = version_row(session, hash_set, row.version - 1)
        _restore(session, hash_set, before, done, sources)  # the numbers this one kept
        previous = open_version(session, hash_set.name, before)
    try:
        _rebuild_from(session, hash_set, row, source, previous)
    finally:
        if previous is not None:
            previous.close()
    details = {
        "hash_set": hash_set.name,
        "version": row.version,
        "index_sha256": row.index_sha256,
        "source": source,
        "problem": check.problem,
    }
    audit.append(session, "hashset.rebuild", "hash_set", hash_set.id, details)
    done[row.version] = FileCheck(hash_set.name, row.version, row.index_sha256, rebuilt=True)
    return done[row.version]


def _source(what: str, row: HashSetVersion) -> str:
    """The recorded list of a version, once it is there and unchanged."""
    options = row.source_options or {}
    if not row.source_path or "first_number" not in options:
        raise NotFoundError(
            f"{what}: its set file cannot be rebuilt: the list it was imported from was not "
            f"recorded ({row.file_name}, sha256 {row.file_sha256}); import that list again "
            "as a new version"
        )
    if not os.path.isfile(row.source_path):
        raise NotFoundError(
            f"{what}: its set file cannot be rebuilt: the list it was imported from, "
            f"{row.source_path}, is gone; put that file back (sha256 {row.file_sha256}) "
            "and run the rebuild again"
        )
    now = sha256_file(row.source_path)
    if now != row.file_sha256:
        raise UsageError(
            f"{what}: its set file cannot be rebuilt: the list it was imported from, "
            f"{row.source_path}, has changed since (sha256 {now}, imported {row.file_sha256})"
        )
    return row.source_path


def _rebuild_from(
    session: Session,
    hash_set: HashSet,
    row: HashSetVersion,
    source: str,
    previous: SetFile | None,
) -> None:
    from phunt.hashsets.detect import open_hash_list

    options = row.source_options
    reader = open_hash_list(
        source,
        format=options["format"],
        category_scheme=options.get("category_scheme"),
        kind=options.get("hash_kind"),
    )
    meta = set_file_meta(row.file_sha256, options, previous)
    with built_set_file(reader.batches(), meta, previous, options["first_number"]) as built:
        if built.sha256 != row.index_sha256:
            raise IntegrityError(
                f"{label(hash_set.name, row.version)}: the set file rebuilt from {source} is "
                f"not the one imported (sha256 {built.sha256}, imported {row.index_sha256}); "
                "nothing was replaced"
            )
        blobs.discard(session, row.index_sha256)
        blobs.put_set_file(session, built.path)
