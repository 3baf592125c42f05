"""hash-set entries move into set files

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

A version of a hash set is immutable once imported, so its entries now live in one
memory-mapped set file (``phunt.hashsets.setfile``) instead of a SQL row per entry and per
hash. For every version of every set this migration builds that file from the old rows,
keeping each entry's old ``hash_set_entry.id`` as its entry number, so the matches already
stored (hash set, version, entry) still point at the right entry; it stores the file
(beside an SQLite database, in ``hash_set_blob`` on PostgreSQL), records it on the version,
copies the disabled entries into ``hash_set_disable``, writes what it did for each set to
the audit log (``hashset.migrate``: the set file of each version) and drops the entry
tables.

The old rows never recorded where their list was read from: ``source_path`` stays NULL
and ``source_options`` says so, so ``phunt hashset rebuild`` explains that it cannot read
the list again (the set file itself is complete).

Unlike the other migrations this one uses phunt's code (the set-file builder, the store of
set files, the audit log): the file format and the audit chain are defined there, and a
second copy here could drift.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import phunt.schema.types
from phunt.audit import store as audit
from phunt.hashsets.blobs import local_set_file, put_set_file
from phunt.hashsets.categories import Category
from phunt.hashsets.columns import BATCH_ROWS, EntryBatch, batches_from_entries
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_import import built_set_file

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MIGRATED = "from the entry rows by migration 0008 (entry numbers are the old row ids)"


def _table(name: str, *columns: str, **typed: Any) -> sa.TableClause:
    """The columns of ``name`` this migration reads or writes, typed where values need it."""
    return sa.table(
        name, *(sa.column(c) for c in columns), *(sa.column(c, t) for c, t in typed.items())
    )


UTC_DATETIME = phunt.schema.types.UTCDateTime()
_entry = _table(
    "hash_set_entry",
    *("id", "hash_set_id", "first_version", "removed_version", "record", "name", "extra"),
    *("category_code", "category_scheme", "disabled_reason", "disabled_by"),
    disabled=sa.Boolean(),
    disabled_at=UTC_DATETIME,
)
_value = _table("hash_value", "entry_id", "kind", "value")
_set = _table("hash_set", "id", "name", "next_entry")
_version = _table(
    "hash_set_version",
    *("id", "hash_set_id", "version", "format", "category_scheme", "file_sha256"),
    *("index_sha256", "index_size", "source_path"),
    source_options=sa.JSON(),
)
_disable = _table(
    "hash_set_disable",
    *("hash_set_id", "entry", "reason", "disabled_by"),
    disabled_at=UTC_DATETIME,
    hashes=sa.JSON(),
)


def upgrade() -> None:
    _add_new_schema()
    conn = op.get_bind()
    for set_id, name in conn.execute(sa.select(_set.c.id, _set.c.name)).all():
        _move_set(conn, set_id, name)
    with op.batch_alter_table("hash_set_version", schema=None) as batch_op:
        batch_op.alter_column("index_sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("index_size", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("source_options", existing_type=sa.JSON(), nullable=False)
        # A list past 2 GiB (an RDS v3 database) overflows PostgreSQL's 32-bit integer.
        batch_op.alter_column("file_size", existing_type=sa.Integer(), type_=sa.BigInteger())
    _drop_old_schema()


def _add_new_schema() -> None:
    op.create_table(
        "hash_set_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "part", name=op.f("pk_hash_set_blob")),
    )
    op.create_table(
        "hash_set_disable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disabled_by", sa.String(length=200), nullable=False),
        sa.Column("disabled_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_set_disable_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_disable")),
        sa.UniqueConstraint("hash_set_id", "entry", name="uq_hash_set_disable"),
    )
    # With a server default SQLite adds the column in place: copying the table would mean
    # dropping hash_set, which the versions' foreign keys forbid while they have rows.
    op.add_column(
        "hash_set", sa.Column("next_entry", sa.Integer(), server_default="1", nullable=False)
    )
    with op.batch_alter_table("hash_set_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("index_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("index_size", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("source_path", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("source_options", sa.JSON(), nullable=True))


def _move_set(conn: sa.Connection, set_id: int, name: str) -> None:
    """Build, store and record the set file of every version of one set, oldest first,
    each numbered against the one before so that its added/removed counts stay true."""
    top = conn.execute(sa.select(sa.func.max(_entry.c.id)).where(_entry.c.hash_set_id == set_id))
    next_entry = int(top.scalar() or 0) + 1
    v = _version.c
    query = sa.select(v.id, v.version, v.format, v.category_scheme, v.file_sha256)
    rows = conn.execute(query.where(v.hash_set_id == set_id).order_by(v.version)).all()
    previous: Path | None = None
    files: dict[int, str] = {}
    for version_id, version, fmt, scheme, file_sha in rows:
        with _opened(previous) as before:
            meta = {
                "hash_set": name,
                "version": version,
                "source_sha256": file_sha,
                "format": fmt,
                "first_number": next_entry,
                "previous": None if before is None else before.sha256,
                "migrated": MIGRATED,
            }
            batches = _batches(conn, set_id, version)
            sha, size = _build_and_store(conn, batches, before, next_entry, meta)
        options = {
            "format": fmt,
            "category_scheme": scheme,
            "hash_kind": None,
            "migrated": MIGRATED,
        }
        values = {"index_sha256": sha, "index_size": size, "source_options": options}
        conn.execute(_version.update().where(v.id == version_id).values(**values))
        what = f"hash set {name!r} version {version}"
        previous = local_set_file(conn, sha, what=what, name=name)
        files[version] = sha
    conn.execute(_set.update().where(_set.c.id == set_id).values(next_entry=next_entry))
    disabled = _copy_disables(conn, set_id)
    details = {"hash_set": name, "set_files": files, "disabled": disabled, "note": MIGRATED}
    with Session(bind=conn) as session:  # joins the migration's transaction
        audit.append(session, "hashset.migrate", "hash_set", set_id, details)


def _build_and_store(
    conn: sa.Connection,
    batches: Iterator[EntryBatch],
    previous: SetFile | None,
    first_number: int,
    meta: dict[str, Any],
) -> tuple[str, int]:
    """Build a set file as an import does, and store it; its SHA-256 and size."""
    with built_set_file(batches, meta, previous, first_number) as result:
        put_set_file(conn, result.path)
    return result.sha256, result.size


@contextlib.contextmanager
def _opened(path: Path | None) -> Iterator[SetFile | None]:
    """The previous version's set file, open while the next one is built (or None)."""
    if path is None:
        yield None
        return
    with SetFile.open(path) as set_file:
        yield set_file


def _batches(conn: sa.Connection, set_id: int, version: int) -> Iterator[EntryBatch]:
    """The entries of one version as the old store read them (first imported, not yet
    removed), in id order, with their ids as entry numbers."""
    e, v = _entry.c, _value.c
    live = sa.and_(
        e.hash_set_id == set_id,
        e.first_version <= version,
        sa.or_(e.removed_version.is_(None), e.removed_version > version),
    )
    query = (
        sa.select(
            e.id, e.record, e.name, e.category_code, e.category_scheme, e.extra, v.kind, v.value
        )
        .select_from(_entry.outerjoin(_value, v.entry_id == e.id))
        .where(live)
        .order_by(e.id)
    )
    rows = conn.execute(query.execution_options(yield_per=BATCH_ROWS))
    ids: list[int] = []
    entries: list[HashEntry] = []
    for entry_id, record, name, code, scheme, extra, kind, value in rows:
        if not ids or ids[-1] != entry_id:
            if len(ids) >= BATCH_ROWS:
                yield _batch(ids, entries)
                ids, entries = [], []
            category = None if code is None or scheme is None else Category(code, scheme)
            ids.append(entry_id)
            entries.append(HashEntry({}, category, record, name, _extra(extra)))
        if kind is not None:
            entries[-1].hashes[kind] = value
    if ids:
        yield _batch(ids, entries)


def _extra(stored: str | dict[str, Any] | None) -> dict[str, Any]:
    """An entry's extra fields, read untyped: most are empty, and decoding millions of
    ``{}`` was most of the time this migration took on SQLite (PostgreSQL's driver gives
    dicts)."""
    if isinstance(stored, dict):
        return stored
    return {} if stored in (None, "{}") else dict(json.loads(stored))


def _batch(ids: list[int], entries: list[HashEntry]) -> EntryBatch:
    (batch,) = batches_from_entries(entries, size=len(entries))
    return dataclasses.replace(batch, numbers=np.array(ids, dtype=np.int64))


def _copy_disables(conn: sa.Connection, set_id: int) -> list[int]:
    """Each disabled entry becomes a disable of its number; the numbers, for the audit."""
    e, v = _entry.c, _value.c
    query = sa.select(e.id, e.disabled_reason, e.disabled_by, e.disabled_at).where(
        e.hash_set_id == set_id, e.disabled.is_(True)
    )
    numbers: list[int] = []
    for entry_id, reason, by, at in list(conn.execute(query.order_by(e.id))):
        hashes = dict(conn.execute(sa.select(v.kind, v.value).where(v.entry_id == entry_id)).all())
        row: dict[str, Any] = {"hash_set_id": set_id, "entry": entry_id, "hashes": hashes}
        row |= {"reason": reason, "disabled_by": by, "disabled_at": at}
        conn.execute(_disable.insert().values(**row))
        numbers.append(entry_id)
    return numbers


def _drop_old_schema() -> None:
    for table in ("hash_value", "hash_set_entry", "hash_set_staging"):
        op.drop_table(table)  # their indexes go with them


def downgrade() -> None:
    """Back to entry rows, for a database that holds no hash set only: entry numbers of
    different sets may now be equal, and the old rows shared one id sequence, so the
    entries of set files cannot become rows again without renumbering them (which would
    break the matches that cite them). With no set, the hash-set tables are made again
    exactly as revision 0002 made them, by its own code."""
    conn = op.get_bind()
    if conn.execute(sa.select(sa.func.count()).select_from(_set)).scalar():
        raise NotImplementedError(
            "cannot downgrade below 0008 a database with hash sets: their entries live in "
            "set files now and their numbers cannot become entry rows again"
        )
    for table in ("hash_set_disable", "hash_set_blob", "hash_set_version", "hash_set"):
        op.drop_table(table)
    script = op.get_context().script
    assert script is not None  # alembic runs migrations from their script directory
    script.get_revision("0002").module.upgrade()
