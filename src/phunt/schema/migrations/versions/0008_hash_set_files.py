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
copies the disabled entries into ``hash_set_disable`` and drops the entry tables.

The old rows never recorded where their list was read from: ``source_path`` stays NULL
and ``source_options`` says so, so ``phunt hashset rebuild`` explains that it cannot read
the list again (the set file itself is complete).

Unlike the other migrations this one uses phunt's code (the set-file builder and the
store of set files): the file format is defined there, and a second copy here could drift.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

import phunt.schema.types
from phunt.hashsets.blobs import index_home, local_set_file, put_set_file
from phunt.hashsets.categories import Category
from phunt.hashsets.columns import BATCH_ROWS, EntryBatch, batches_from_entries
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setbuild import build_set_file
from phunt.hashsets.setfile import SetFile

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MIGRATED = "from the entry rows by migration 0008 (entry numbers are the old row ids)"

_entry = sa.table(
    "hash_set_entry",
    sa.column("id", sa.Integer()),
    sa.column("hash_set_id", sa.Integer()),
    sa.column("first_version", sa.Integer()),
    sa.column("removed_version", sa.Integer()),
    sa.column("record", sa.Integer()),
    sa.column("name", sa.Text()),
    sa.column("category_code", sa.Integer()),
    sa.column("category_scheme", sa.String()),
    sa.column("extra", sa.JSON()),
    sa.column("disabled", sa.Boolean()),
    sa.column("disabled_reason", sa.Text()),
    sa.column("disabled_by", sa.String()),
    sa.column("disabled_at", phunt.schema.types.UTCDateTime()),
)
_value = sa.table(
    "hash_value",
    sa.column("entry_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("value", sa.Text()),
)
_set = sa.table(
    "hash_set",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("next_entry", sa.Integer()),
)
_version = sa.table(
    "hash_set_version",
    sa.column("id", sa.Integer()),
    sa.column("hash_set_id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("format", sa.String()),
    sa.column("category_scheme", sa.String()),
    sa.column("file_sha256", sa.String()),
    sa.column("index_sha256", sa.String()),
    sa.column("index_size", sa.BigInteger()),
    sa.column("source_path", sa.Text()),
    sa.column("source_options", sa.JSON()),
)
_disable = sa.table(
    "hash_set_disable",
    sa.column("hash_set_id", sa.Integer()),
    sa.column("entry", sa.Integer()),
    sa.column("reason", sa.Text()),
    sa.column("disabled_by", sa.String()),
    sa.column("disabled_at", phunt.schema.types.UTCDateTime()),
    sa.column("hashes", sa.JSON()),
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
    conn.execute(_set.update().where(_set.c.id == set_id).values(next_entry=next_entry))
    _copy_disables(conn, set_id)


def _build_and_store(
    conn: sa.Connection,
    batches: Iterator[EntryBatch],
    previous: SetFile | None,
    first_number: int,
    meta: dict[str, Any],
) -> tuple[str, int]:
    """Build a set file in a work folder where it will be stored (a rename away from its
    place beside an SQLite database), and store it; its SHA-256 and size."""
    home = index_home(conn.engine.url)
    home.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".migrate-", dir=home))
    try:
        (work / "out").mkdir()
        (work / "tmp").mkdir()
        result = build_set_file(
            batches,
            work / "out",
            previous=previous,
            first_number=first_number,
            scratch=work / "tmp",
            meta=meta,
        )
        put_set_file(conn, result.path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
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
            entries.append(HashEntry({}, category, record, name, dict(extra or {})))
        if kind is not None:
            entries[-1].hashes[kind] = value
    if ids:
        yield _batch(ids, entries)


def _batch(ids: list[int], entries: list[HashEntry]) -> EntryBatch:
    (batch,) = batches_from_entries(entries, size=len(entries))
    return dataclasses.replace(batch, numbers=np.array(ids, dtype=np.int64))


def _copy_disables(conn: sa.Connection, set_id: int) -> None:
    e, v = _entry.c, _value.c
    query = sa.select(e.id, e.disabled_reason, e.disabled_by, e.disabled_at).where(
        e.hash_set_id == set_id, e.disabled.is_(True)
    )
    for entry_id, reason, by, at in list(conn.execute(query.order_by(e.id))):
        hashes = dict(conn.execute(sa.select(v.kind, v.value).where(v.entry_id == entry_id)).all())
        row: dict[str, Any] = {"hash_set_id": set_id, "entry": entry_id, "hashes": hashes}
        row |= {"reason": reason or "", "disabled_by": by or "", "disabled_at": at}
        conn.execute(_disable.insert().values(**row))


def _drop_old_schema() -> None:
    with op.batch_alter_table("hash_value", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_value_lookup")
        batch_op.drop_index(batch_op.f("ix_hash_value_entry_id"))
    op.drop_table("hash_value")
    with op.batch_alter_table("hash_set_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_set_entry_set_fp")
        batch_op.drop_index("ix_hash_set_entry_live")
    op.drop_table("hash_set_entry")
    with op.batch_alter_table("hash_set_staging", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_set_staging_import_key"))
        batch_op.drop_index("ix_hash_set_staging_fp")
    op.drop_table("hash_set_staging")


def downgrade() -> None:
    """Back to entry rows, for a database with no imported version only: entry numbers of
    different sets may now be equal, and the old rows shared one id sequence, so the
    entries of set files cannot become rows again without renumbering them (which would
    break the matches that cite them)."""
    conn = op.get_bind()
    if conn.execute(sa.select(sa.func.count()).select_from(_version)).scalar():
        raise NotImplementedError(
            "cannot downgrade below 0008 a database with imported hash sets: their entries "
            "live in set files now and their numbers cannot become entry rows again"
        )
    _create_old_schema()
    with op.batch_alter_table("hash_set_version", schema=None) as batch_op:
        for column in ("source_options", "source_path", "index_size", "index_sha256"):
            batch_op.drop_column(column)
    op.drop_table("hash_set_disable")
    op.drop_table("hash_set_blob")
    with op.batch_alter_table("hash_set", schema=None) as batch_op:
        batch_op.drop_column("next_entry")


def _create_old_schema() -> None:
    """The entry tables as revision 0002 made them."""
    op.create_table(
        "hash_set_staging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_key", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_staging")),
    )
    with op.batch_alter_table("hash_set_staging", schema=None) as batch_op:
        batch_op.create_index("ix_hash_set_staging_fp", ["import_key", "fingerprint"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hash_set_staging_import_key"), ["import_key"], unique=False
        )
    op.create_table(
        "hash_set_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("removed_version", sa.Integer(), nullable=True),
        sa.Column("record", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_by", sa.String(length=200), nullable=True),
        sa.Column("disabled_at", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_set_entry_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_entry")),
    )
    with op.batch_alter_table("hash_set_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hash_set_entry_live", ["hash_set_id", "removed_version"], unique=False
        )
        batch_op.create_index(
            "ix_hash_set_entry_set_fp", ["hash_set_id", "fingerprint"], unique=False
        )
    op.create_table(
        "hash_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lookup", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["hash_set_entry.id"], name=op.f("fk_hash_value_entry_id_hash_set_entry")
        ),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_value_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_value")),
    )
    with op.batch_alter_table("hash_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_value_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_hash_value_lookup", ["kind", "lookup"], unique=False)
