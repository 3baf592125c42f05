"""A backup is refused, naming what differs, when one byte of a table's part, the
manifest or the signing key is not what was signed; and a restore never goes into a
database that holds anything. Nothing is restored from a refused backup."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from phunt.backup.archive import MANIFEST
from phunt.backup.service import restore, write_backup
from phunt.backup.store import filled_tables
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device, log_custody
from phunt.errors import IntegrityError, UsageError
from phunt.schema.db import Database


def _small_world(db: Database) -> None:
    with db.session() as s:
        case = open_case(s, "CR 9/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        add_device(s, "EV-9/1", "mobile phone", make="Acme", case_id=case.id)
        when = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)
        log_custody(s, "EV-9/1", "seized", "SI Ravi Example", when, "sealed bag 3")


def _rewrite(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Write the zip again with member ``name`` changed (its CRC recomputed, as an
    attacker would)."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w") as new:
        for info, data in members:
            new.writestr(info, change(data) if info.filename == name else data)


def _flip_first_digit(data: bytes) -> bytes:
    at = next(i for i, b in enumerate(data) if chr(b).isdigit())
    return data[:at] + bytes([ord("9") if data[at] != ord("9") else ord("8")]) + data[at + 1 :]


def _edit_manifest(data: bytes) -> bytes:
    body = json.loads(data)
    body["audit"]["records"] += 1
    return json.dumps(body, indent=2, sort_keys=True).encode() + b"\n"


@pytest.fixture(params=["database", "case"])
def backup_file(
    request: pytest.FixtureRequest, database: Database, key: Path, tmp_path: Path
) -> Path:
    """The small world backed up whole, and as its one case (``backup --case``)."""
    from sqlalchemy import select

    from phunt.schema.cases import Case

    _small_world(database)
    out = tmp_path / "small.phbk"
    with database.session() as s:
        case_id = s.scalar(select(Case.id)) if request.param == "case" else None
        write_backup(s, out, key, case_id=case_id)
    return out


@pytest.mark.parametrize(
    ("member", "change", "named"),
    [
        (
            "tables/custody_event.jsonl",
            _flip_first_digit,
            "part tables/custody_event.jsonl (table custody_event) has another SHA-256",
        ),
        (MANIFEST, _edit_manifest, "manifest.json does not match its signature"),
    ],
)
def test_a_tampered_part_is_refused_by_name(
    backup_file: Path, key: Path, target_url: str, member: str, change: Any, named: str
) -> None:
    _rewrite(backup_file, member, change)
    target = Database(target_url)
    try:
        with pytest.raises(IntegrityError) as caught, target.session() as s:
            restore(s, backup_file, key)
        assert "refused, the backup was altered" in str(caught.value)
        assert named in str(caught.value)
        with target.session() as s:
            assert filled_tables(s.connection()) == []
    finally:
        target.close()


def test_a_backup_signed_by_another_key_is_refused(
    database: Database, key: Path, other_key: Path, tmp_path: Path
) -> None:
    _small_world(database)
    out = tmp_path / "other.phbk"
    with database.session() as s:
        write_backup(s, out, other_key)
    refused = pytest.raises(IntegrityError, match="not by the audit key")
    with refused as caught, database.session() as s:
        restore(s, out, key)
    assert "manifest signed by key" in str(caught.value)


def test_a_part_added_to_the_zip_is_refused(backup_file: Path, key: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(backup_file, "a") as archive:
        archive.writestr("tables/extra.jsonl", b"{}\n")
    target_url = f"sqlite:///{tmp_path / 'unused.db'}"
    with pytest.raises(IntegrityError, match=r"parts not in the manifest: tables/extra\.jsonl"):
        from phunt.audit.anchor import load_key
        from phunt.backup.archive import open_checked

        open_checked(backup_file, load_key(key))
    assert not Path(target_url.removeprefix("sqlite:///")).exists()


def test_restore_into_a_database_holding_rows_is_refused(
    backup_file: Path, key: Path, target_url: str
) -> None:
    target = Database(target_url)
    try:
        with target.session() as s:
            open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        refused = pytest.raises(UsageError, match="only into an empty database")
        with refused as caught, target.session() as s:
            restore(s, backup_file, key)
        assert "audit_record" in str(caught.value) and "case_file" in str(caught.value)
        with target.session() as s:
            assert filled_tables(s.connection()) == [
                "audit_head",
                "audit_record",
                "audit_seal",
                "case_file",
            ]
    finally:
        target.close()


def test_a_backup_of_another_schema_revision_is_refused(
    database: Database, key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.backup import store

    _small_world(database)
    out = tmp_path / "older.phbk"
    with monkeypatch.context() as patched:
        patched.setattr(store, "schema_revision", lambda _conn: "0009")
        with database.session() as s:
            write_backup(s, out, key)
    empty = Database(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        with pytest.raises(UsageError) as caught, empty.session() as s:
            restore(s, out, key)
        with empty.session() as s:
            now = store.schema_revision(s.connection())
        assert str(caught.value) == f"the backup is of schema 0009, this database of {now}"
    finally:
        empty.close()
