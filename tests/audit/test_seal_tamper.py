"""Every alteration of a sealed row is caught and named, on both databases: a changed,
a deleted and a put-in row of every sealed table (foreign keys switched off, as a forger
with the database's rights would)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from seal_world import make_world
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.rows import SEALED_TABLES, table
from phunt.schema.db import Database

#: A forger's change of each table: a column that matters and its forged value.
FORGED = {
    "operation": ("name", "Another"),
    "raid": ("location", "Elsewhere"),
    "case_file": ("number", "CR 2/2026"),
    "suspect": ("name", "Someone Else"),
    "device": ("imei", "356938035643809"),
    "custody_event": ("action", "returned"),
    "ingest_job": ("source_sha256", "0" * 64),
    "evidence_file": ("md5", "0" * 32),
    "file_match": ("distance", 9),
    "chat_import": ("owner_phone", "+919847000009"),
    "chat": ("title", "Another title"),
    "chat_participant": ("phone", "+919847000009"),
    "chat_message": ("text", "other words"),
    "chat_attachment": ("note", "forged note"),
    "chat_role": ("role", "admin"),
    "chat_media_match": ("hash_set", "another-list"),
    "chat_keyword_hit": ("term", "other"),
    "review_decision": ("label", "nothing"),
    "hash_set": ("kind", "known-good"),
    "hash_set_version": ("file_sha256", "0" * 64),
    "hash_set_disable": ("reason", "no reason"),
    "lead_source": ("name", "Another source"),
    "lead_import": ("file_sha256", "0" * 64),
    "lead": ("account", "someone_else"),
    "lead_file": ("md5", "0" * 32),
    "lead_link": ("value", "forged"),
    "target": ("address", "Elsewhere"),
    "lead_target": ("resolved_by", "nobody"),
    "raid_plan": ("location", "Elsewhere"),
}
#: What a put-in copy changes to pass the table's unique constraints.
UNIQUE: dict[str, dict[str, object]] = {
    "operation": {"name": "Forged"},
    "case_file": {"number": "CR 99/2026"},
    "device": {"evidence_number": "PH-FORGED"},
    "evidence_file": {"seq": 10_000},
    "chat_participant": {"key": "forged"},
    "hash_set": {"name": "forged"},
    "hash_set_version": {"version": 99},
    "hash_set_disable": {"entry": 99},
    "lead_source": {"name": "forged"},
    "lead": {"report_id": "forged"},
    "lead_link": {"value": "forged"},
    "lead_target": {"lead_id": 2},
}


@pytest.fixture
def world(database: Database, tmp_path: Path) -> Database:
    make_world(database, tmp_path)
    return database


def _foreign_keys(s: Session, on: bool) -> None:
    """Switch foreign keys off (as a forger with the database's rights may) or back on."""
    if s.get_bind().dialect.name == "sqlite":  # only outside a transaction: first thing
        s.execute(text(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}"))
    elif not on:
        s.execute(text("SET LOCAL session_replication_role = replica"))


def _tamper(s: Session, name: str, how: str) -> int:
    """Alter the newest row of ``name``; the id of the row altered or put in."""
    tbl = table(name)
    newest = s.scalar(select(func.max(tbl.c.id)))
    assert newest is not None, f"the world has no {name} row"
    where = tbl.c.id == newest
    if how == "update":
        column, value = FORGED[name]
        s.execute(update(tbl).where(where).values({column: value}))
        return int(newest)
    if how == "delete":
        s.execute(delete(tbl).where(where))
        return int(newest)
    row: dict[str, Any] = dict(s.execute(select(tbl).where(where)).mappings().one())
    row |= UNIQUE.get(name, {})
    row["id"] = newest + 1000
    s.execute(insert(tbl).values(row))
    return int(newest) + 1000


def _caught(database: Database, how: str) -> dict[str, tuple[object, ...]]:
    out: dict[str, tuple[object, ...]] = {}
    for name in SEALED_TABLES:
        with database.session() as s:
            _foreign_keys(s, on=False)
            row_id = _tamper(s, name, how)
            verdict = audit.verify(s)
            out[name] = (verdict.ok, verdict.problem, verdict.table, verdict.row_id == row_id)
            s.rollback()
            _foreign_keys(s, on=True)
    return out


def test_the_untouched_world_verifies(world: Database) -> None:
    with world.session() as s:
        verdict = audit.verify(s)
        tables = {
            name: s.scalar(select(func.count()).select_from(table(name))) for name in SEALED_TABLES
        }
    assert (verdict.ok, verdict.problem, verdict.pending) == (True, None, 0)
    assert [name for name, count in tables.items() if not count] == []


@pytest.mark.parametrize(
    ("how", "problem"), [("update", "altered"), ("delete", "deleted"), ("insert", "inserted")]
)
def test_every_alteration_of_every_sealed_row_is_named(
    world: Database, how: str, problem: str
) -> None:
    assert _caught(world, how) == {name: (False, problem, name, True) for name in SEALED_TABLES}
