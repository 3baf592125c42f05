"""The SQL of backups: every table streamed in primary-key order, rows put back with their
ids, PostgreSQL sequences moved past them, and the test that a database is empty."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    Table,
    bindparam,
    delete,
    func,
    insert,
    null,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

#: Filled by the migrations before anything is recorded (reference data): a restore
#: replaces their rows with the backup's.
PRELOADED = frozenset({"district"})
#: Set files are carried as files of their own (a database keeps them in parts or in a
#: folder, depending on its kind), never as this table's rows. Review thumbnails are a
#: cache rebuilt on demand from the evidence, and pictures made from evidence (revealed
#: ones included) must not travel off site inside a backup.
NOT_DUMPED = frozenset({"hash_set_blob", "review_thumbnail"})
_BATCH = 1000


@contextmanager
def snapshot(session: Session) -> Iterator[Session]:
    """A session of its own reading one snapshot of the whole database, so a backup taken
    while others write holds rows and a log of one moment: PostgreSQL's repeatable read;
    on SQLite an explicit read transaction (WAL keeps its snapshot without blocking
    writers), which Python's driver would otherwise not begin for a SELECT."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:
            conn.exec_driver_sql("BEGIN")
        try:
            with Session(bind=conn) as reading:
                yield reading
        finally:
            conn.rollback()


def tables() -> list[Table]:
    """Every table of the schema in the order rows can be inserted (parents first)."""
    from phunt.schema.metadata import metadata

    return [t for t in metadata.sorted_tables if t.name not in NOT_DUMPED]


def table_named(name: str) -> Table:
    from phunt.schema.metadata import metadata

    return metadata.tables[name]


def schema_revision(conn: Connection) -> str:
    """The migration the database is at (a backup restores only into the same one)."""
    return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


#: The key of a line listing its JSON columns that hold JSON ``null``, not SQL NULL (both
#: read back as None; a restore puts back the one that was there).
JSON_NULLS = "~json_null"


def _json_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, JSON) and c.nullable]


def stream_rows(
    conn: Connection, table: Table, where: ColumnElement[bool] | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` (those ``where`` selects) in primary-key order, fetched in
    batches, never all at once."""
    nullable = _json_columns(table)
    flags = [table.c[name].is_(None).label(f"~null~{name}") for name in nullable]
    query = select(table, *flags).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    options = {"stream_results": True, "yield_per": _BATCH}  # this query only
    for found in conn.execute(query, execution_options=options):
        row = dict(found._mapping)
        sql_null = {name: row.pop(f"~null~{name}") for name in nullable}
        json_null = [n for n in nullable if row[n] is None and not sql_null[n]]
        if json_null:
            row[JSON_NULLS] = json_null
        yield row


def as_stored(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as :func:`stream_rows` gave it, ready to insert: SQL NULL where it was."""
    json_null = set(row.pop(JSON_NULLS, ()))
    for name in _json_columns(table):
        if row.get(name) is None:
            row[name] = JSON.NULL if name in json_null else null()
    return row


def set_file_shas(conn: Connection) -> list[str]:
    """The SHA-256 of every set file a hash-set version names, sorted."""
    from phunt.schema.hashsets import HashSetVersion

    query = select(HashSetVersion.index_sha256).distinct().order_by(HashSetVersion.index_sha256)
    return [str(sha) for sha in conn.execute(query).scalars()]


def filled_tables(conn: Connection) -> list[str]:
    """The tables holding rows, besides the migrations' reference data."""
    from phunt.schema.metadata import metadata

    filled = []
    for table in metadata.sorted_tables:
        if table.name in PRELOADED:
            continue
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            filled.append(table.name)
    return sorted(filled)


def clear_preloaded(conn: Connection) -> None:
    """Remove the reference rows the migrations loaded; the backup brings its own."""
    for name in sorted(PRELOADED):
        conn.execute(delete(table_named(name)))


def self_references(table: Table) -> list[str]:
    """Columns of ``table`` naming another of its rows (a decision superseded by a later
    one): they are set once every row is in, since a row may name one after it."""
    return sorted(fk.parent.name for fk in table.foreign_keys if fk.column.table is table)


def _batches(rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` as given (ids included), in batches, their :func:`self_references`
    left empty; how many."""
    later = self_references(table)
    count = 0
    for batch in _batches(rows):
        conn.execute(insert(table), [{**r, **dict.fromkeys(later)} for r in batch])
        count += len(batch)
    return count


def link_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Set the :func:`self_references` of the rows inserted by :func:`insert_rows`."""
    later = self_references(table)
    if not later:
        return
    key = table.primary_key.columns["id"]
    query = (
        update(table)
        .where(key == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in later})
    )
    linked = (r for r in rows if any(r.get(name) is not None for name in later))
    for batch in _batches(linked):
        params = [{"row_id": r["id"]} | {f"new_{n}": r.get(n) for n in later} for r in batch]
        conn.execute(query, params)


def move_sequences(conn: Connection) -> None:
    """On PostgreSQL, set each table's id sequence past the ids restored, so the next row
    gets a new id; SQLite takes the largest id plus one by itself."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar_one()
        if sequence is None:
            continue
        top = conn.execute(select(func.max(column))).scalar_one()
        conn.execute(
            text("SELECT setval(:s, :v, :called)"),
            {"s": sequence, "v": top if top is not None else 1, "called": top is not None},
        )
