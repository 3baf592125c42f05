"""Sealing: the rows an action wrote, hashed into the audit record of that action.

Rows written through the ORM are noticed at each flush (inserted, changed, deleted);
rows written in bulk through Core are named by the writer with :func:`seal_where` (an
ingest's files and matches by job). The next :func:`phunt.audit.store.append` in the same
session reads them back as stored, writes one ``audit_seal`` row per sealed row, and puts
the count and Merkle root of those seals in its ``sealed_rows``, which its hash covers.
A million files cost one audit record and a read of the rows just written; that read is
made before the log's head is locked (the seals written under a provisional negative
number, renumbered once the head is held), so other writers wait only for the renumbering.
A writer that knows the content hashes of rows it wrote (an ingest's workers split each
file row's hash around its id) gives them with the scope: only the rows without one are
read back, and a sample of the others, so a hash made wrong is noticed and all are read.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, event, select, update
from sqlalchemy.orm import Session, UOWTransaction

from phunt.audit.rows import DELETED, SEALED_TABLES, merkle_root, row_hash, table
from phunt.errors import StorageError
from phunt.schema.audit import AuditSeal
from phunt.schema.db import driver_insert

_KEY = "phunt_audit_pending"
_CHUNK = 2000
#: How many rows of a scope with known hashes are read back to check those hashes.
SAMPLE = 32


@dataclass(frozen=True)
class Scope:
    """Rows of ``table`` that ``where`` selects, sealed by the next audit record, with the
    content hashes the writer knows of some of them by id (unchanged since it wrote them)."""

    table: Table
    where: tuple[ColumnElement[bool], ...]
    known: Mapping[int, str] | None = None


@dataclass
class Pending:
    """What the next audit record of a session seals."""

    rows: dict[str, set[int]] = field(default_factory=dict)
    deleted: dict[str, set[int]] = field(default_factory=dict)
    scopes: list[Scope] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rows or self.deleted or self.scopes)


def pending(session: Session) -> Pending:
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = Pending()
    return cast(Pending, found)


def take_pending(session: Session) -> Pending:
    """What is pending, no longer pending."""
    return cast(Pending, session.info.pop(_KEY, None) or Pending())


def seal_where(
    session: Session,
    sealed: Any,
    *where: ColumnElement[bool],
    known: Mapping[int, str] | None = None,
) -> None:
    """Seal the rows of ``sealed`` (a model or table) that ``where`` selects with the next
    audit record of this session: for rows written through Core in bulk. ``known`` gives
    the content hash (:func:`phunt.audit.rows.row_hash`) of rows the caller knows as
    stored, by id: those are not read back but for a sample that checks them."""
    tbl = cast(Table, getattr(sealed, "__table__", sealed))  # or reflected, in a migration
    if tbl.name not in SEALED_TABLES:
        raise ValueError(f"{tbl.name} is not a sealed table")
    pending(session).scopes.append(Scope(tbl, where, known or None))


@event.listens_for(Session, "after_flush")
def _track(session: Session, _context: UOWTransaction) -> None:
    """Note every sealed row the flush inserted, changed or deleted."""
    todo = pending(session)
    for objects, into in (
        (session.new, todo.rows),
        (session.dirty, todo.rows),
        (session.deleted, todo.deleted),
    ):
        for obj in objects:
            name = getattr(getattr(obj, "__table__", None), "name", None)
            if name in SEALED_TABLES:
                row_id = getattr(obj, "id", None)  # every sealed table's key; set by now
                if row_id is not None:
                    into.setdefault(name, set()).add(int(row_id))
    if not todo:
        session.info.pop(_KEY, None)


def _by_ids(
    session: Session, name: str, ids: set[int], gone: set[int]
) -> Iterator[tuple[int, str]]:
    tbl = table(name)
    wanted = sorted(ids | gone)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found = _read(session, tbl, chunk)
        for row_id in chunk:
            if row_id in found:
                yield row_id, found[row_id]
            elif row_id in gone:
                yield row_id, DELETED
            # else: written and rolled back with a savepoint: nothing to seal


def _read(session: Session, tbl: Table, ids: list[int]) -> dict[int, str]:
    """The content hash of each of the rows ``ids`` that exists."""
    query = select(tbl).where(tbl.c.id.in_(ids))
    return {int(row["id"]): row_hash(tbl.name, row) for row in session.execute(query).mappings()}


def _by_scope(session: Session, scope: Scope, changed: set[int]) -> Iterator[tuple[int, str]]:
    """The scope's rows in id order with their hashes: the known ones as given (but for
    ``changed`` rows, noted by this session's flushes), the others read back."""
    tbl, where, known = scope.table, scope.where, scope.known or {}
    if changed and known:
        known = {row_id: leaf for row_id, leaf in known.items() if row_id not in changed}
    known = _checked(session, tbl, known) if known else known
    if not known:
        query = select(tbl).where(*where).order_by(tbl.c.id).execution_options(yield_per=_CHUNK)
        for row in session.execute(query).mappings():
            yield int(row["id"]), row_hash(tbl.name, row)
        return
    ids = list(session.scalars(select(tbl.c.id).where(*where).order_by(tbl.c.id)))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        unknown = [row_id for row_id in chunk if row_id not in known]
        found = _read(session, tbl, unknown) if unknown else {}
        for row_id in chunk:
            yield row_id, found[row_id] if row_id in found else known[row_id]


def _checked(session: Session, tbl: Table, known: Mapping[int, str]) -> Mapping[int, str]:
    """``known``, or nothing when a sample of its rows read back (spread over them) gives
    another hash: the writer's hashing then differs from a read's, and every row is read."""
    ids = sorted(known)
    size = min(SAMPLE, len(ids))
    sample = [ids[(2 * n + 1) * len(ids) // (2 * size)] for n in range(size)]  # midpoints
    found = _read(session, tbl, sample)
    same = all(known[row_id] == leaf for row_id, leaf in found.items())
    return known if same else {}


def _entries(session: Session, todo: Pending) -> Iterator[tuple[str, int, str]]:
    """Every sealed ``(table, row_id, hash)`` in table then row order, each row once."""
    # Plain str: a Table's name is SQLAlchemy's ``quoted_name``, a subclass the sqlite3
    # driver adapts value by value (a __conform__ lookup per seal row).
    scoped = [scope.table.name for scope in todo.scopes]
    names = {str(name) for name in (*todo.rows, *todo.deleted, *scoped)}
    for name in sorted(names):
        ids, gone = todo.rows.get(name, set()), todo.deleted.get(name, set())
        sources: list[Iterable[tuple[int, str]]] = [
            _by_scope(session, scope, ids | gone)
            for scope in todo.scopes
            if scope.table.name == name
        ]
        if ids or gone:
            sources.append(_by_ids(session, name, ids - gone, gone))
        last = None
        for row_id, leaf in heapq.merge(*sources):
            if row_id != last:
                yield name, row_id, leaf
                last = row_id


def claim(session: Session, staged: int, seq: int, count: int) -> None:
    """Give the ``count`` seals written under the (negative) number ``staged`` to record
    ``seq``; another writer's seals under the same number (one chance in two billion) make
    it fail rather than take them."""
    query = update(AuditSeal).where(AuditSeal.audit_seq == staged).values(audit_seq=seq)
    moved = session.execute(query.execution_options(synchronize_session=False))
    if getattr(moved, "rowcount", count) != count:
        raise StorageError(f"two writers staged seals as {staged} at once; run it again")


def write_seals(session: Session, seq: int, todo: Pending) -> dict[str, Any]:
    """Write the seals of record ``seq``; its ``sealed_rows`` (count, Merkle root). The
    seals go to the driver's ``executemany``: SQLAlchemy's binding of each was a fifth of
    an ingest's seal."""
    seal_table = cast(Table, AuditSeal.__table__)
    names = ("audit_seq", "table_name", "row_id", "leaf")  # the table's order: the SQL's
    sql, order, positional = driver_insert(seal_table, session.get_bind().dialect, names)
    assert order == names
    batch: list[tuple[Any, ...] | dict[str, Any]] = []

    def flush() -> None:
        session.connection().exec_driver_sql(sql, batch)
        batch.clear()

    def stored() -> Iterator[tuple[str, int, str]]:
        for name, row_id, leaf in _entries(session, todo):
            values = (seq, name, row_id, leaf)
            batch.append(values if positional else dict(zip(names, values, strict=True)))
            if len(batch) >= _CHUNK:
                flush()
            yield name, row_id, leaf

    count, root = merkle_root(stored())
    if batch:
        flush()
    return {"count": count, "merkle_root": root}
