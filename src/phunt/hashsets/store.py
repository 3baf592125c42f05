"""The hash-sets store: import lists as versions, diff, disable false positives, export, load.

Every import records the list file's SHA-256 and what changed since the previous version;
every import, disable and export is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import NotFoundError, UsageError
from phunt.hashing.crypto import sha256_file
from phunt.hashsets.base import Category, HashEntry, HashListReader
from phunt.schema.hashsets import (
    HASHSET_KINDS,
    HashSet,
    HashSetEntry,
    HashSetStaging,
    HashSetVersion,
    HashValue,
)
from phunt.schema.types import utcnow

BATCH = 5000
LOOKUP_MAX = 128


class EntrySink(Protocol):
    """What :func:`load_hash_sets` fills: the match engine, named by what it must do.

    The store does not import the matching package, which imports this one's readers.
    """

    def add(
        self,
        list_name: str,
        list_kind: str,
        entries: Iterable[tuple[int, HashEntry]],
        version: int | None = None,
    ) -> int: ...


def fingerprint(entry: HashEntry) -> str:
    """Identity of an entry across versions: its hashes and its category."""
    cat = None if entry.category is None else [entry.category.code, entry.category.scheme]
    body = json.dumps({"hashes": entry.hashes, "category": cat}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def lookup_key(value: str) -> str:
    """The indexed form of a hash value: itself, or its SHA-256 when too long to index."""
    if len(value) <= LOOKUP_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    hash_set: str
    kind: str
    version: int
    format: str
    file_sha256: str
    entries: int
    added: int
    removed: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def import_hash_list(
    session: Session,
    path: str,
    *,
    name: str,
    fmt: str | None = None,
    kind: str | None = None,
    category_scheme: str | None = None,
    hash_kind: str | None = None,
    source_agency: str = "",
    description: str = "",
) -> ImportResult:
    """Import a list file as the next version of the set ``name`` (created if new)."""
    from phunt.hashsets.detect import open_hash_list

    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such hash-list file")
    if kind is not None and kind not in HASHSET_KINDS:
        raise UsageError(
            f"unknown hash-set kind {kind!r} (choose from: {', '.join(HASHSET_KINDS)})"
        )
    reader = open_hash_list(path, format=fmt, category_scheme=category_scheme, kind=hash_kind)
    key = uuid.uuid4().hex
    entries = reader.entries()
    # The header is read with the first entry: what the list states about its kind is known
    # before the rest of a list of millions is staged.
    first = next(entries, None)
    hash_set = _set_for_import(session, reader, path, name, kind)
    if hash_set.id is None:
        hash_set.source_agency, hash_set.description = source_agency, description
        session.add(hash_set)
        session.flush()
    staged = _stage(session, key, itertools.chain([] if first is None else [first], entries))
    version = hash_set.current_version + 1
    added = _add_new(session, hash_set.id, key, version)
    removed = _mark_removed(session, hash_set.id, key, version)
    session.execute(delete(HashSetStaging).where(HashSetStaging.import_key == key))
    meta = reader.metadata()
    live = _count_live(session, hash_set.id, version)
    file_sha = sha256_file(path)
    session.add(
        HashSetVersion(
            hash_set_id=hash_set.id,
            version=version,
            imported_by=audit.current_actor(),
            file_name=os.path.basename(path),
            file_sha256=file_sha,
            file_size=os.path.getsize(path),
            format=reader.name,
            category_scheme=reader.category_scheme or meta.get("category_scheme"),
            meta=json.loads(json.dumps(meta, default=str)),
            entries=live,
            added=added,
            removed=removed,
        )
    )
    hash_set.current_version = version
    result = ImportResult(name, hash_set.kind, version, reader.name, file_sha, live, added, removed)
    details = result.as_dict() | {"file": os.path.basename(path), "records_read": staged}
    audit.append(session, "hashset.import", "hash_set", hash_set.id, details)
    return result


def _set_for_import(
    session: Session, reader: HashListReader, path: str, name: str, kind: str | None
) -> HashSet:
    """The set a list goes into (a new, unsaved one if ``name`` is new), once its kind agrees.

    A list whose format states its kind (NSRL is known files) never joins a set of the
    other kind unless ``kind`` says so; a list that cannot say (HashKeeper, an index) needs
    ``kind``.
    """
    meta = reader.metadata()
    unknown = meta.get("kind_unknown")
    if kind is None and unknown:
        raise UsageError(
            f"{path}: a {reader.name} list does not say whether it is known-good or known-bad "
            f"({unknown}); give --kind known-good or --kind known-bad"
        )
    list_kind = kind or str(meta.get("list_kind", reader.default_kind))
    hash_set = session.scalar(select(HashSet).where(HashSet.name == name))
    if hash_set is None:
        return HashSet(name=name, kind=list_kind, current_version=0)
    if kind is not None and kind != hash_set.kind:
        raise UsageError(f"hash set {name!r} is {hash_set.kind}, not {kind}")
    if list_kind != hash_set.kind and meta.get("kind_stated"):
        raise UsageError(
            f"{path}: the {reader.name} format states a {list_kind} list, but hash set "
            f"{name!r} is {hash_set.kind}; import it into another set, or give "
            f"--kind {hash_set.kind} if this list really is {hash_set.kind}"
        )
    return hash_set


def _stage(session: Session, key: str, entries: Iterable[HashEntry]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for entry in entries:
        cat = entry.category
        batch.append(
            {
                "import_key": key,
                "fingerprint": fingerprint(entry),
                "record": entry.record,
                "name": entry.name,
                "category_code": None if cat is None else cat.code,
                "category_scheme": None if cat is None else cat.scheme,
                "hashes": entry.hashes,
                "extra": json.loads(json.dumps(entry.extra, default=str)),
            }
        )
        count += 1
        if len(batch) >= BATCH:
            session.execute(insert(HashSetStaging), batch)
            batch = []
    if batch:
        session.execute(insert(HashSetStaging), batch)
    return count


def _live(set_id: int) -> Any:
    return and_(HashSetEntry.hash_set_id == set_id, HashSetEntry.removed_version.is_(None))


def _add_new(session: Session, set_id: int, key: str, version: int) -> int:
    """Insert the staged entries not already live, in file order, with their hash values.

    Plain column rows and multi-row ``INSERT ... RETURNING`` (no ORM objects) keep a
    multi-million-entry list importable in minutes.
    """
    already = exists().where(_live(set_id), HashSetEntry.fingerprint == HashSetStaging.fingerprint)
    s = HashSetStaging
    query = (
        select(
            s.fingerprint, s.record, s.name, s.category_code, s.category_scheme, s.hashes, s.extra
        )
        .where(s.import_key == key, ~already)
        .order_by(s.record, s.id)
        .execution_options(yield_per=BATCH)
    )
    seen: set[str] = set()
    added = 0
    pending: list[tuple[dict[str, Any], dict[str, str]]] = []
    for fp, record, name, code, scheme, hashes, extra in session.execute(query):
        if fp in seen:  # the same item listed twice in one file
            continue
        seen.add(fp)
        row = {
            "hash_set_id": set_id,
            "fingerprint": fp,
            "first_version": version,
            "removed_version": None,
            "record": record,
            "name": name,
            "category_code": code,
            "category_scheme": scheme,
            "extra": extra,
            "disabled": False,
        }
        pending.append((row, dict(hashes)))
        if len(pending) >= BATCH:
            added += _flush_entries(session, set_id, pending)
            pending = []
    added += _flush_entries(session, set_id, pending)
    return added


def _flush_entries(
    session: Session, set_id: int, pending: list[tuple[dict[str, Any], dict[str, str]]]
) -> int:
    if not pending:
        return 0
    statement = insert(HashSetEntry).returning(HashSetEntry.id, sort_by_parameter_order=True)
    ids = list(session.scalars(statement, [row for row, _ in pending]))
    values = [
        {
            "entry_id": entry_id,
            "hash_set_id": set_id,
            "kind": k,
            "lookup": lookup_key(v),
            "value": v,
        }
        for entry_id, (_row, hashes) in zip(ids, pending, strict=True)
        for k, v in hashes.items()
    ]
    if values:
        session.execute(insert(HashValue), values)
    return len(pending)


def _mark_removed(session: Session, set_id: int, key: str, version: int) -> int:
    listed = exists().where(
        HashSetStaging.import_key == key, HashSetStaging.fingerprint == HashSetEntry.fingerprint
    )
    result = session.execute(
        update(HashSetEntry)
        .where(_live(set_id), HashSetEntry.first_version < version, ~listed)
        .values(removed_version=version)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _in_version(set_id: int, version: int) -> Any:
    return and_(
        HashSetEntry.hash_set_id == set_id,
        HashSetEntry.first_version <= version,
        or_(HashSetEntry.removed_version.is_(None), HashSetEntry.removed_version > version),
    )


def _count_live(session: Session, set_id: int, version: int, *, disabled: bool = False) -> int:
    """Entries of a version; with ``disabled``, only those disabled."""
    query = select(func.count()).select_from(HashSetEntry).where(_in_version(set_id, version))
    if disabled:
        query = query.where(HashSetEntry.disabled.is_(True))
    return int(session.scalar(query) or 0)


def _check_version(hash_set: HashSet, version: int | None) -> int:
    v = hash_set.current_version if version is None else version
    if not 1 <= v <= hash_set.current_version:
        raise UsageError(f"hash set {hash_set.name!r} has versions 1..{hash_set.current_version}")
    return v


def entries_of(
    session: Session, name: str, version: int | None = None, *, include_disabled: bool = False
) -> Iterator[tuple[HashSetEntry, HashEntry]]:
    """Entries of a version (default: current), as stored rows and as portable entries."""
    hash_set = get_hash_set(session, name)
    v = _check_version(hash_set, version)
    query = select(HashSetEntry).where(_in_version(hash_set.id, v))
    if not include_disabled:
        query = query.where(HashSetEntry.disabled.is_(False))
    rows = list(session.scalars(query.order_by(HashSetEntry.record, HashSetEntry.id)))
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        values: dict[int, dict[str, str]] = {}
        ids = [r.id for r in chunk]
        for entry_id, kind, value in session.execute(
            select(HashValue.entry_id, HashValue.kind, HashValue.value).where(
                HashValue.entry_id.in_(ids)
            )
        ):
            values.setdefault(entry_id, {})[kind] = value
        for row in chunk:
            yield row, _portable(row, values.get(row.id, {}))


def matchable_entries(
    session: Session, name: str, version: int | None = None
) -> Iterator[tuple[int, HashEntry]]:
    """``(entry id, entry)`` for every enabled entry of a version, hashes and category only.

    What the match engine needs, read as plain columns in one ordered pass (no ORM rows),
    so loading a list of millions stays quick.
    """
    hash_set = get_hash_set(session, name)
    v = _check_version(hash_set, version)
    query = (
        select(
            HashSetEntry.id,
            HashSetEntry.category_code,
            HashSetEntry.category_scheme,
            HashValue.kind,
            HashValue.value,
        )
        .join(HashValue, HashValue.entry_id == HashSetEntry.id)
        .where(_in_version(hash_set.id, v), HashSetEntry.disabled.is_(False))
        .order_by(HashSetEntry.id)
        .execution_options(yield_per=BATCH)
    )
    current: int | None = None
    hashes: dict[str, str] = {}
    category: Category | None = None
    for entry_id, code, scheme, kind, value in session.execute(query):
        if entry_id != current:
            if current is not None:
                yield current, HashEntry(hashes=hashes, category=category, record=current)
            current, hashes = entry_id, {}
            category = None if code is None or scheme is None else Category(code, scheme)
        hashes[kind] = value
    if current is not None:
        yield current, HashEntry(hashes=hashes, category=category, record=current)


def _portable(row: HashSetEntry, hashes: dict[str, str]) -> HashEntry:
    cat = None
    if row.category_code is not None and row.category_scheme is not None:
        cat = Category(row.category_code, row.category_scheme)
    return HashEntry(hashes=hashes, category=cat, record=row.record, name=row.name, extra=row.extra)


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
    """Entry ids present in one version and not the other."""
    hash_set = get_hash_set(session, name)
    a, b = _check_version(hash_set, from_version), _check_version(hash_set, to_version)
    in_a = {
        r for (r,) in session.execute(select(HashSetEntry.id).where(_in_version(hash_set.id, a)))
    }
    in_b = {
        r for (r,) in session.execute(select(HashSetEntry.id).where(_in_version(hash_set.id, b)))
    }
    return Diff(name, a, b, sorted(in_b - in_a), sorted(in_a - in_b))


def disable_entry(session: Session, name: str, ref: str, reason: str) -> HashSetEntry:
    """Mark an entry a false positive; it stays stored (and exportable on request)."""
    if not reason.strip():
        raise UsageError("disabling an entry needs a --reason")
    hash_set = get_hash_set(session, name)
    entry = None
    if ref.isdigit():
        entry = session.get(HashSetEntry, int(ref))
        if entry is not None and entry.hash_set_id != hash_set.id:
            entry = None
    if entry is None:
        query = (
            select(HashSetEntry)
            .join(HashValue, HashValue.entry_id == HashSetEntry.id)
            .where(_live(hash_set.id), HashValue.lookup == lookup_key(ref.strip().lower()))
        )
        entry = session.scalars(query).first()
    if entry is None:
        raise NotFoundError(f"no entry {ref!r} in hash set {name!r}")
    if entry.disabled:
        raise UsageError(f"entry {entry.id} of {name!r} is already disabled")
    entry.disabled = True
    entry.disabled_reason = reason.strip()
    entry.disabled_by = audit.current_actor()
    entry.disabled_at = utcnow()
    session.flush()
    details = {"hash_set": name, "entry": entry.id, "reason": entry.disabled_reason}
    audit.append(session, "hashset.disable", "hash_set_entry", entry.id, details)
    return entry


def export(
    session: Session,
    name: str,
    out: str,
    *,
    fmt: str = "vics",
    version: int | None = None,
    form: str = "hashset",
) -> dict[str, Any]:
    """Write a version (without disabled entries) to ``out``; returns what the audit records.

    The record counts what the writer wrote, not the version's size, so it states what was
    actually shared, and how many disabled entries were left out.
    """
    from phunt.hashsets.writers import WRITERS

    writer = WRITERS.get(fmt)()
    hash_set = get_hash_set(session, name)
    v = _check_version(hash_set, version)
    if form not in ("hashset", "case"):
        raise UsageError(f"unknown VICS form {form!r} (choose from: hashset, case)")
    meta = next(ver.meta for ver in versions(session, hash_set) if ver.version == v)
    portable = (entry for _row, entry in entries_of(session, name, v))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        written = writer.write(portable, fh, form=form, metadata=meta)
    details = {
        "hash_set": name,
        "version": v,
        "format": fmt,
        "file": os.path.abspath(out),
        "sha256": sha256_file(out),
        "entries": written,
        "disabled_left_out": _count_live(session, hash_set.id, v, disabled=True),
    }
    audit.append(session, "hashset.export", "hash_set", hash_set.id, details)
    return details


def load_hash_sets(engine: EntrySink, session: Session, names: Iterable[str] | None) -> int:
    """Load the current version of hash sets (all when ``names`` is None), enabled entries."""
    return load_versions(
        engine, session, [(n, k, v) for n, k, v, _ in current_sets(session, names)]
    )


def current_sets(session: Session, names: Iterable[str] | None) -> list[tuple[str, str, int, str]]:
    """``(name, list kind, current version, stamp)`` of each set ever imported; the stamp
    changes with anything that changes what the set matches (a version, a disabled entry)."""
    sets = list_hash_sets(session) if names is None else [get_hash_set(session, n) for n in names]
    out = []
    for hs in sets:
        if hs.current_version == 0:
            continue
        file_sha = session.scalar(
            select(HashSetVersion.file_sha256).where(
                HashSetVersion.hash_set_id == hs.id, HashSetVersion.version == hs.current_version
            )
        )
        disabled = session.scalar(
            select(func.count()).where(
                HashSetEntry.hash_set_id == hs.id, HashSetEntry.disabled.is_(True)
            )
        )
        out.append((hs.name, hs.kind, hs.current_version, f"{hs.id}:{file_sha}:{disabled}"))
    return out


def load_versions(engine: EntrySink, session: Session, sets: Iterable[tuple[str, str, int]]) -> int:
    """Load ``(name, list kind, version)`` sets into ``engine``: enabled entries of each."""
    total = 0
    for name, list_kind, version in sets:
        pairs = matchable_entries(session, name, version)
        total += engine.add(name, list_kind, pairs, version=version)
    return total
