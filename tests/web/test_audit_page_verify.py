"""The audit page on both databases without the whole-chain walk on every view: a
supervisor's "verify now" (the full check, CSRF-protected, stored and audited), views
that read only the records written after it, a tamper among those caught on the next
view, and a page that says exactly what it checked."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient

from phunt.audit.store import append
from phunt.schema.audit import AuditRecord, AuditVerification
from test_lib import count_record_reads

from .conftest import TZ, World


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _scope(page: str) -> str:
    found = re.search(r'<p class="chain-scope" id="chain-scope">Checked: (.*?)\.</p>', page)
    assert found is not None
    return html.unescape(found.group(1))


def _verify_now(client: TestClient) -> None:
    token = _csrf(client.get("/audit").text)
    response = client.post("/audit/verify", data={"csrf_token": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/audit")


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the records whose hash is recomputed (the verifier's reads)."""
    return count_record_reads(monkeypatch)


def test_verify_now_is_stored_and_views_read_only_newer_records(
    web_world: World, client_for: Callable[[str], TestClient], read: list[int]
) -> None:
    client = client_for("supervisor")
    assert 'action="/audit/verify"' in client.get("/audit").text
    _verify_now(client)
    with web_world.database.session() as s:
        stored = s.scalars(select(AuditVerification)).one()
        audited = s.scalars(select(AuditRecord).where(AuditRecord.action == "audit.verify")).one()
        append(s, "case.note", "case", web_world.case_a, {"note": "meeting at ten"}, actor="asha")
    assert stored.full and stored.ok and audited.actor == stored.actor == "supervisor"
    assert audited.details["records"] == stored.records
    read.clear()
    page = client.get("/audit").text
    with web_world.database.session() as s:
        head = int(s.scalar(select(AuditRecord.seq).order_by(AuditRecord.seq.desc())) or 0)
    assert read == list(range(stored.records + 1, head + 1))  # nothing verified re-read
    said = _scope(page)
    assert said.startswith(f"records {stored.records + 1} to {head} checked on this view")
    assert f"records 1 to {stored.records}: intact by the full verification of supervisor" in said
    assert "Chain intact: all" not in page and "Chain intact as far as checked." in page


def test_the_last_verification_is_shown_in_the_zone_of_the_rows_around_it(
    web_world: World,
    client_for: Callable[[str], TestClient],
    token_for: Callable[[str], str],
    web_app: FastAPI,
) -> None:
    """The world's zone is Asia/Kolkata: the stored verification's time reads as the log's
    rows do (day first, seconds, IST), on the page and in the API's sentence alike."""
    client = client_for("supervisor")
    _verify_now(client)
    with web_world.database.session() as s:
        at = s.scalars(select(AuditVerification.at)).one()
    local = at.replace(tzinfo=at.tzinfo or UTC).astimezone(TZ)
    assert local.utcoffset() == timedelta(hours=5, minutes=30)
    shown = local.strftime("%d/%m/%Y %H:%M:%S IST")
    page = client.get("/audit").text
    assert f"by the full verification of supervisor at {shown}, not re-checked" in _scope(page)
    rows = re.findall(r"<td>(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d IST)</td>", page)
    assert rows and "UTC" not in _scope(page)
    api = TestClient(web_app, headers={"Authorization": f"Bearer {token_for('auditor')}"})
    assert f" at {shown}, " in api.get("/api/v1/audit").json()["chain"]["scope"]


def test_a_tamper_in_the_new_records_is_caught_on_the_next_view(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("admin")
    _verify_now(client)
    with web_world.database.session() as s:
        new = append(s, "case.note", "case", web_world.case_b, {"note": "rice"}, actor="ravi")
        seq = new.seq
    with web_world.database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == seq).values(actor="mallory"))
    page = client.get("/audit").text
    assert f"Chain BROKEN at record {seq}: altered" in page
    assert "checked on this view" in _scope(page)


def test_verify_now_needs_the_csrf_token_and_a_supervisor(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    supervisor = client_for("supervisor")
    refused = supervisor.post("/audit/verify", data={"csrf_token": "x"}, follow_redirects=False)
    assert refused.status_code == 403
    auditor = client_for("auditor")
    assert 'action="/audit/verify"' not in auditor.get("/audit").text
    token = _csrf(auditor.get("/audit").text)
    denied = auditor.post("/audit/verify", data={"csrf_token": token}, follow_redirects=False)
    assert denied.status_code == 403
    with web_world.database.session() as s:
        assert s.scalars(select(AuditVerification)).first() is None
