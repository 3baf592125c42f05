"""A case backup: one case's rows and the audit records that concern them, restored into
an empty home of either kind, where ``audit verify`` proves each carried record included
in the signed tree checkpoint and says so (never "intact"); a tampered archive and a wrong
key are refused (a home holding rows: test_refusals.py, for both kinds of backup)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from phunt.audit.store import verify
from phunt.backup.archive import MANIFEST
from phunt.backup.service import restore, write_backup
from phunt.backup.store import filled_tables
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device, log_custody
from phunt.errors import IntegrityError, NotFoundError
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Case, CustodyEvent, Device
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch
from reports.conftest import Sources, build
from reports.reading import write
from test_lib import initialise

from .test_refusals import _flip_first_digit, _rewrite, _small_world


@pytest.fixture
def sqlite_target(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty SQLite home as ``phunt init`` makes it."""
    url = f"sqlite:///{tmp_path / 'target.db'}"
    initialise(url, sqlite_template)
    target = Database(url)
    try:
        yield target
    finally:
        target.close()


@pytest.fixture
def small_backup(database: Database, key: Path, tmp_path: Path) -> Path:
    """Two cases of a device each, recorded in turns; a backup of the first."""
    with database.session() as s:
        case = open_case(s, "CR 7/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        add_device(s, "EV-7/1", "mobile phone", make="Acme", case_id=case.id)
    _small_world(database)  # another case: CR 9/2026, EV-9/1
    when = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)
    with database.session() as s:
        log_custody(s, "EV-7/1", "seized", "SI Ravi Example", when, "sealed bag 3")
    out = tmp_path / "small-case.phbk"
    with database.session() as s:
        write_backup(s, out, key, case_id=case.id)
    return out


@pytest.fixture
def case_backup(database: Database, sources: Sources, key: Path, tmp_path: Path) -> Path:
    _small_world(database)  # another case: CR 9/2026, EV-9/1
    world = build(database, sources)
    write(database, "device", {"device_id": world.phone}, tmp_path / "device.pdf")
    with database.session() as s:  # another case's record after this one's, too
        log_custody(s, "EV-9/1", "received", "Lab Clerk Mini", datetime(2026, 5, 5, tzinfo=UTC))
    out = tmp_path / "case.phbk"
    with database.session() as s:
        summary = write_backup(s, out, key, case_id=world.case_id)
    assert summary.audit_records > 0
    return out


def test_a_case_restores_alone_and_verify_says_what_it_proved(
    database: Database, case_backup: Path, target_url: str, key: Path, tmp_path: Path
) -> None:
    from phunt.reports.verify import verify_report

    with database.session() as s:
        total = s.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
        case_id = s.scalar(select(Case.id).where(Case.number == "CR 7/2026"))
    restored = Database(target_url)
    try:
        with restored.session() as s:
            done = restore(s, case_backup, key)
        assert "scoped restore of case CR 7/2026" in done.scope
        with restored.session() as s:
            assert list(s.scalars(select(Case.number))) == ["CR 7/2026"]
            devices = s.scalars(select(Device.evidence_number).order_by(Device.id))
            assert list(devices) == ["EV-7/1", "EV-7/2"]
            assert s.scalar(select(func.count()).select_from(CustodyEvent)) == 3
            assert (s.scalar(select(func.count()).select_from(FileMatch)) or 0) > 0
            verdict = verify(s)
            assert verdict.ok, verdict.detail
            assert verdict.scope == done.scope
            assert f"(id {case_id})" in verdict.scope
            assert f"{done.audit_records} records, each proven included in checkpoint" in (
                verdict.scope
            )
            carried = list(s.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq)))
            assert len(carried) == done.audit_records + 1  # and the restore's own record
            assert carried[-1] == total  # the restore's record follows the signed head
            details = json.dumps([r.details for r in s.scalars(select(AuditRecord))])
            assert "CR 7/2026" in details and "EV-7/1" in details
            assert "CR 9/2026" not in details and "EV-9/1" not in details  # others' left out
            actions = set(s.scalars(select(AuditRecord.action)))
            assert {"case.open", "custody.log", "ingest.complete", "report.write"} <= actions
            result = verify_report(tmp_path / "device.pdf", s)
            assert (result.ok, result.problems) == (True, [])
        with restored.session() as s:  # the log goes on from the restore as a chain
            open_case(s, "CR 10/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        with restored.session() as s:
            assert verify(s).ok
    finally:
        restored.close()


@pytest.mark.parametrize("alteration", ["row", "record", "seal", "delete"])
def test_verify_on_a_restored_case_finds_tampering(
    small_backup: Path, key: Path, sqlite_target: Database, alteration: str
) -> None:
    from phunt.schema.audit import AuditSeal

    with sqlite_target.session() as s:
        restore(s, small_backup, key)
    with sqlite_target.session() as s:
        first = s.scalar(select(func.min(AuditRecord.seq)))
        if alteration == "row":
            s.execute(update(CustodyEvent).values(note="another bag"))
        elif alteration == "record":
            s.execute(update(AuditRecord).where(AuditRecord.seq == first).values(actor="x"))
        elif alteration == "seal":
            s.execute(delete(AuditSeal).where(AuditSeal.table_name == "device"))
        else:
            s.execute(delete(CustodyEvent))
    with sqlite_target.session() as s:
        verdict = verify(s)
    assert not verdict.ok
    assert verdict.scope == ""
    expected = {"row": "altered", "record": "altered", "seal": "altered", "delete": "deleted"}
    assert verdict.problem == expected[alteration], verdict.detail


@pytest.mark.parametrize("member", ["audit/scope.json", "tables/audit_record.jsonl", MANIFEST])
def test_a_tampered_case_backup_is_refused(
    small_backup: Path, key: Path, sqlite_target: Database, member: str
) -> None:
    _rewrite(small_backup, member, _flip_first_digit)
    refused = pytest.raises(IntegrityError, match="refused, the backup was altered")
    with refused, sqlite_target.session() as s:
        restore(s, small_backup, key)
    with sqlite_target.session() as s:
        assert filled_tables(s.connection()) == []


def test_a_small_backup_under_another_key_is_refused(
    small_backup: Path, other_key: Path, target_url: str
) -> None:
    target = Database(target_url)
    try:
        with pytest.raises(IntegrityError, match="not by the audit key"), target.session() as s:
            restore(s, small_backup, other_key)
        with target.session() as s:
            assert filled_tables(s.connection()) == []
    finally:
        target.close()


def test_a_case_that_does_not_exist_is_named(database: Database, key: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no case with id 41"), database.session() as s:
        write_backup(s, tmp_path / "none.phbk", key, case_id=41)
    assert not (tmp_path / "none.phbk").exists()


def test_the_manifest_names_the_case(small_backup: Path) -> None:
    import zipfile

    with zipfile.ZipFile(small_backup) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        names = set(archive.namelist())
    assert (manifest["scope"], manifest["case"]["number"]) == ("case", "CR 7/2026")
    assert manifest["audit"]["records"] < manifest["audit"]["log_records"]
    assert "tables/app_user.jsonl" not in names and "audit/scope.json" in names
