"""Migrations from empty, on both databases, agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from phunt.schema.db import Database, current_revision, head_revision, make_engine, upgrade
from phunt.schema.metadata import metadata


def test_upgrade_from_empty_reaches_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        upgrade(engine)  # idempotent
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    from alembic import command

    from phunt.schema.db import _alembic_config

    engine = make_engine(db_url)
    try:
        upgrade(engine)
        command.downgrade(_alembic_config(engine), "base")
        assert "device" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "device" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_districts_of_kerala_preloaded(database: Database) -> None:
    with database.engine.connect() as conn:
        names = {row[0] for row in conn.execute(text("SELECT name FROM district"))}
    assert len(names) == 14
    assert {"Thiruvananthapuram", "Ernakulam", "Kasaragod", "Wayanad"} <= names


def test_sqlite_uses_wal(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/phunt.db")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.close()


def test_head_revision_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    from phunt.schema.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    assert head_revision() == script.get_current_head()


def test_opening_a_database_at_head_loads_no_alembic(db_url: str) -> None:
    """Every command opens the database; at head that costs a query, not Alembic's import
    (a third of a one-file scan's start-up). A database behind head still migrates."""
    import json
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from phunt.schema.db import Database\n"
        f"Database({db_url!r}).close()\n"
        "print(json.dumps('alembic' in sys.modules))\n"
    )
    loads_alembic = []
    for _ in range(2):  # the first open migrates an empty database, the second finds head
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        loads_alembic.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert loads_alembic == [True, False]
