"""The hash-sets store: import lists as versions, diff, disable false positives, export, load.

Every import records the list file's SHA-256, its set file's and what changed since the
previous version; every import, disable and export is written to the audit log in the same
transaction. The entries live in one immutable set file per version
(:mod:`phunt.hashsets.setfile`); the database holds sets, versions, disables and the audit.
Importing is :mod:`store_import`, disabling :mod:`store_disable`, checking and rebuilding
set files :mod:`store_repair`; this module answers the queries and loads the engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.hashing.crypto import sha256_file
from phunt.hashsets.base import HashEntry
from phunt.hashsets.setbuild import diff_numbers
from phunt.hashsets.store_disable import disable_entry
from phunt.hashsets.store_import import ImportResult, import_hash_list
from phunt.hashsets.store_light import (
    CurrentSet,
    SetSink,
    add_set_file,
    at_hand,
    disabled_in,
)
from phunt.hashsets.store_sets import (
    check_version,
    current_sets,
    disabled_numbers,
    get_hash_set,
    list_hash_sets,
    open_version,
    version_row,
    versions,
)
from phunt.output_path import check_target, output_path

__all__ = [
    "CurrentSet",
    "Diff",
    "ImportResult",
    "SetSink",
    "at_hand",
    "current_sets",
    "diff",
    "disable_entry",
    "entries_of",
    "export",
    "get_hash_set",
    "import_hash_list",
    "list_hash_sets",
    "load_hash_sets",
    "load_versions",
    "versions",
]


def entries_of(
    session: Session, name: str, version: int | None = None, *, include_disabled: bool = False
) -> Iterator[tuple[int, HashEntry]]:
    """``(entry number, entry)`` of a version (default: current), in entry-number order."""
    hash_set = get_hash_set(session, name)
    row = version_row(session, hash_set, version)
    skip = set() if include_disabled else set(disabled_numbers(session, hash_set))
    with open_version(session, name, row) as set_file:
        for number, entry in set_file.entries():
            if number not in skip:
                yield number, entry


@dataclass(frozen=True)
class Diff:
    hash_set: str
    from_version: int
    to_version: int
    added: list[int]
    removed: list[int]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {
            "added_count": len(self.added),
            "removed_count": len(self.removed),
        }


def diff(session: Session, name: str, from_version: int, to_version: int) -> Diff:
    """Entry numbers present in one version and not the other (on the sorted columns)."""
    hash_set = get_hash_set(session, name)
    a, b = check_version(hash_set, from_version), check_version(hash_set, to_version)
    with (
        open_version(session, name, version_row(session, hash_set, a)) as old,
        open_version(session, name, version_row(session, hash_set, b)) as new,
    ):
        added, removed = diff_numbers(old, new)
    return Diff(name, a, b, added.tolist(), removed.tolist())


def export(
    session: Session,
    name: str,
    out: str,
    *,
    fmt: str = "vics",
    version: int | None = None,
    form: str = "hashset",
    force: bool = False,
) -> dict[str, Any]:
    """Write a version (without disabled entries) to ``out``; returns what the audit records.

    The record counts what the writer wrote, not the version's size, so it states what was
    actually shared, and how many disabled entries were left out. ``out`` follows
    :mod:`phunt.output_path`: never inside the data folder, an existing file only with
    ``force``, written whole or not at all.
    """
    from phunt.hashsets.writers import WRITERS

    writer = WRITERS.get(fmt)()
    hash_set = get_hash_set(session, name)
    row = version_row(session, hash_set, version)
    if form not in ("hashset", "case"):
        raise UsageError(f"unknown VICS form {form!r} (choose from: hashset, case)")
    disabled = disabled_numbers(session, hash_set)
    skip = set(disabled)
    check_target(out, force=force)
    with open_version(session, name, row) as set_file:
        left_out = disabled_in(set_file, disabled)
        portable = (entry for number, entry in set_file.entries() if number not in skip)
        with output_path(out, force=force) as partial:
            with open(partial, "w", encoding="utf-8", newline="") as fh:
                written = writer.write(portable, fh, form=form, metadata=row.meta)
            digest = sha256_file(str(partial))
    details = {
        "hash_set": name,
        "version": row.version,
        "format": fmt,
        "file": os.path.abspath(out),
        "sha256": digest,
        "entries": written,
        "disabled_left_out": left_out,
    }
    audit.append(session, "hashset.export", "hash_set", hash_set.id, details)
    return details


def load_hash_sets(engine: SetSink, session: Session, names: Iterable[str] | None) -> int:
    """Load the current version of hash sets (all when ``names`` is None) into ``engine``."""
    return load_versions(
        engine, session, [(s.name, s.list_kind, s.version) for s in current_sets(session, names)]
    )


def load_versions(engine: SetSink, session: Session, sets: Iterable[tuple[str, str, int]]) -> int:
    """Hand ``(name, list kind, version)`` sets to ``engine``, each as its memory-mapped set
    file and its disabled entry numbers; returns how many enabled entries they hold."""
    total = 0
    for name, list_kind, version in sets:
        hash_set = get_hash_set(session, name)
        set_file = open_version(session, name, version_row(session, hash_set, version))
        disabled = disabled_numbers(session, hash_set)
        total += add_set_file(engine, name, list_kind, version, set_file, disabled)
    return total
