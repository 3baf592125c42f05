"""Chat roles, media matches and keyword hits written before they were sealed: migration
0020 seals them as it finds them in one record, after which a change (a role made
``admin``) is caught and named, on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from seal_world import make_world
from sqlalchemy import select, text, update

from phunt.audit import seal
from phunt.audit import store as audit
from phunt.audit.rows import SEALED_TABLES
from phunt.chats import store as chat_store
from phunt.schema.audit import AuditRecord
from phunt.schema.chats import ChatRole
from phunt.schema.db import Database, _alembic_config, make_engine, upgrade

NEW = ("chat_role", "chat_media_match", "chat_keyword_hit")


def _as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code before the fix: the three tables neither tracked nor sealed by scope."""
    old = tuple(name for name in SEALED_TABLES if name not in NEW)
    monkeypatch.setattr(seal, "SEALED_TABLES", old)

    def seal_old(session: Any, sealed: Any, *where: Any) -> None:
        if sealed.__table__.name in old:
            seal.seal_where(session, sealed, *where)

    monkeypatch.setattr(chat_store, "seal_where", seal_old)


def test_the_migration_seals_chat_findings_written_unsealed(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(db_url)
    with monkeypatch.context() as patch:
        _as_before(patch)
        make_world(database, tmp_path, leads=False)
    with database.session() as s:
        before = audit.verify(s)
    database.close()
    engine = make_engine(db_url)
    command.downgrade(_alembic_config(engine), "0020")  # the later, empty tables go
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0019'"))
    engine.dispose()
    assert (before.ok, before.problem, before.table) == (False, "inserted", "chat_role")
    engine = make_engine(db_url)
    upgrade(engine, "head")
    engine.dispose()
    database = Database(db_url)
    try:
        with database.session() as s:
            record = s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
            assert record is not None
            assert (record.action, record.object_id, record.actor) == (
                "audit.seal_existing",
                "0020",
                "migration",
            )
            counts = {name: s.scalar(text(f"SELECT COUNT(*) FROM {name}")) for name in NEW}
            assert record.sealed_rows is not None
            assert record.sealed_rows["count"] == sum(counts.values())
            assert min(counts.values()) > 0
            assert audit.verify(s).ok
        with database.session() as s:
            newest = s.scalar(select(ChatRole.id).order_by(ChatRole.id.desc()))
            s.execute(update(ChatRole).where(ChatRole.id == newest).values(role="admin"))
            verdict = audit.verify(s)
            assert (verdict.problem, verdict.table, verdict.row_id, verdict.first_bad) == (
                "altered",
                "chat_role",
                newest,
                record.seq,
            )
            s.rollback()
    finally:
        database.close()
