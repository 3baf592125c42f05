"""A signed checkpoint kept outside the database catches what the chain alone cannot: the
tail cut with its head moved, every record rewritten with recomputed hashes, the whole log
deleted; on both databases."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from phunt.audit import latest_checkpoint
from phunt.audit import store as audit
from phunt.audit.anchor import check_against, init_key, read_anchor, write_anchor
from phunt.errors import IntegrityError, UsageError
from phunt.schema.audit import AuditHead, AuditRecord, AuditSeal
from phunt.schema.db import Database
from test_lib import run_phunt


def _fill(database: Database, n: int, start: int = 1) -> None:
    with database.session() as s:
        for i in range(start, start + n):
            audit.append(s, "test.action", "thing", i, {"n": i}, actor="tester")


@pytest.fixture
def anchored(database: Database, tmp_path: Path) -> tuple[Database, Path, Path]:
    """Five records, a checkpoint of them, then two more records."""
    key = tmp_path / "audit.pem"
    init_key(key)
    _fill(database, 5)
    with database.session() as s:
        write_anchor(s, key, tmp_path / "anchor.json")
    _fill(database, 1, start=7)
    return database, key, tmp_path / "anchor.json"


def _against(database: Database, anchor: Path, key: Path) -> tuple[str, str] | None:
    checkpoint, _trusted = read_anchor(anchor, key)
    with database.session() as s:
        return check_against(s, checkpoint)


def _rehash_from(s: Session, seq: int) -> None:
    """Rewrite the log from ``seq`` on with recomputed hashes and head, as a forger would."""
    records = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    prev = audit.GENESIS if seq == 1 else records[seq - 2].hash
    for rec in records[seq - 1 :]:
        rec.prev_hash = prev
        rec.hash = hashlib.sha256(
            audit.canonical(
                rec.at, rec.actor, rec.action, rec.object_type, rec.object_id, rec.details, prev
            )
        ).hexdigest()
        prev = rec.hash
    s.flush()
    s.execute(update(AuditHead).values(seq=records[-1].seq, hash=prev))


def test_an_intact_log_holds_its_anchor(anchored: tuple[Database, Path, Path]) -> None:
    database, key, anchor = anchored
    assert _against(database, anchor, key) is None
    with database.session() as s:
        checkpoint = latest_checkpoint(s)
        assert checkpoint is not None and audit.verify(s).ok
        fifth, record = s.get(AuditRecord, 5), s.get(AuditRecord, 6)
        assert fifth is not None and record is not None
        assert (checkpoint.records, checkpoint.head) == (5, fifth.hash)
        assert (record.action, record.details["records"]) == ("audit.anchor", 5)
        assert record.details["sha256"] == hashlib.sha256(anchor.read_bytes()).hexdigest()


def test_a_cut_tail_with_its_head_moved_fails_the_anchor(
    anchored: tuple[Database, Path, Path],
) -> None:
    database, key, anchor = anchored
    with database.session() as s:
        s.execute(delete(AuditSeal).where(AuditSeal.audit_seq >= 4))
        s.execute(delete(AuditRecord).where(AuditRecord.seq >= 4))
        third = s.get(AuditRecord, 3)
        assert third is not None
        s.execute(update(AuditHead).values(seq=3, hash=third.hash))
    with database.session() as s:
        assert audit.verify(s).ok  # the chain alone cannot tell
    problem = _against(database, anchor, key)
    assert problem is not None and problem[0] == "truncated"
    assert "record 5" in problem[1]


def test_a_rewrite_with_recomputed_hashes_fails_the_anchor(
    anchored: tuple[Database, Path, Path],
) -> None:
    database, key, anchor = anchored
    with database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(actor="someone else"))
        _rehash_from(s, 2)
    with database.session() as s:
        assert audit.verify(s).ok  # the chain alone cannot tell
    problem = _against(database, anchor, key)
    assert problem is not None and problem[0] == "rewritten"


def test_the_whole_log_deleted_fails_the_anchor(anchored: tuple[Database, Path, Path]) -> None:
    database, key, anchor = anchored
    with database.session() as s:
        for model in (AuditSeal, AuditRecord, AuditHead):
            s.execute(delete(model))
    with database.session() as s:
        assert audit.verify(s).ok and audit.verify(s).records == 0  # alone: "intact"
    problem = _against(database, anchor, key)
    assert problem is not None and problem[0] == "deleted"


def test_an_altered_anchor_or_another_key_is_refused(
    anchored: tuple[Database, Path, Path], tmp_path: Path
) -> None:
    _database, key, anchor = anchored
    body = json.loads(anchor.read_text())
    body["records"] = 2
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(body))
    with pytest.raises(IntegrityError, match="signature does not match"):
        read_anchor(forged, key)
    other = tmp_path / "other.pem"
    init_key(other)
    with pytest.raises(IntegrityError, match="not by"):
        read_anchor(anchor, other)
    assert read_anchor(anchor, None)[1] == "the public key written in the anchor"


def test_the_key_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "audit.pem"
    ident = init_key(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(ident) == 64
    before = key.read_bytes()
    with pytest.raises(UsageError, match="never overwritten"):
        init_key(key)
    assert key.read_bytes() == before
    key.chmod(0o644)
    with pytest.raises(UsageError, match="readable by others"):
        write_anchor(None, key, tmp_path / "a.json")  # type: ignore[arg-type]


def test_no_checkpoint_before_the_first_anchor(database: Database) -> None:
    with database.session() as s:
        assert latest_checkpoint(s) is None


def test_the_commands_anchor_and_verify(tmp_path: Path) -> None:
    env = {"PHUNT_HOME": str(tmp_path / "data")}
    assert run_phunt("init", env=env).returncode == 0
    assert run_phunt("operation", "create", "P-Hunt", env=env).returncode == 0
    alone = run_phunt("audit", "verify", env=env)
    assert alone.returncode == 0 and "not checked without --anchor" in alone.stdout
    made = run_phunt("audit", "key", "init", env=env)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "data-audit-key.pem").exists()
    wrote = run_phunt("audit", "anchor", "-o", str(tmp_path / "a.json"), env=env)
    assert wrote.returncode == 0, wrote.stderr
    again = run_phunt("audit", "anchor", "-o", str(tmp_path / "a.json"), env=env)
    assert again.returncode != 0 and "--force" in again.stderr
    held = run_phunt("audit", "verify", "--anchor", str(tmp_path / "a.json"), "--json", env=env)
    result = json.loads(held.stdout)
    assert (held.returncode, result["ok"], result["anchor"]["records"]) == (0, True, 1)
    with sqlite3.connect(tmp_path / "data" / "phunt.db") as conn:  # the whole log deleted
        conn.executescript(
            "DELETE FROM audit_seal; DELETE FROM audit_record; DELETE FROM audit_head;"
        )
    gone = run_phunt("audit", "verify", "--anchor", str(tmp_path / "a.json"), env=env)
    assert gone.returncode == 1 and "anchor FAILS: deleted" in gone.stderr
