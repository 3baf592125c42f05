"""Device pages and their API on both databases: what they show equals the database,
lists page and sort, and another case's device answers exactly as an unknown one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape
from sqlalchemy import func, select
from starlette.testclient import TestClient

from phunt.cases.devices import add_device
from phunt.ingest import browse, browse_triage
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

from .conftest import HOSTILE_FILE, World

if TYPE_CHECKING:
    from playwright.sync_api import Page

UNKNOWN = 10**6


def _figure(page: str, name: str) -> int:
    found = re.search(rf'id="triage-{name}"[^>]*>(\d+)<', page)
    assert found is not None, f"no triage-{name} on the page"
    return int(found.group(1))


def _matched_on(world: World, device: int, near: bool | None = None) -> int:
    """Files of ``device`` with a match (only near or only exact ones), counted in SQL."""
    jobs = select(IngestJob.id).where(IngestJob.device_id == device)
    query = select(func.count(FileMatch.file_id.distinct())).where(FileMatch.job_id.in_(jobs))
    if near is not None:
        kinds = FileMatch.kind.in_(["pdq", "vpdq"])
        query = query.where(kinds if near else ~kinds)
    with world.database.session() as s:
        return s.scalar(query) or 0


def test_device_page_shows_triage_equal_to_the_database(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("analyst").get(f"/devices/{web_world.device_a}")
    assert page.status_code == 200
    text = page.text
    assert _figure(text, "matched") == _matched_on(web_world, web_world.device_a) == 2
    assert _figure(text, "exact") == _matched_on(web_world, web_world.device_a, near=False)
    assert _figure(text, "near") == _matched_on(web_world, web_world.device_a, near=True) == 1
    with web_world.database.session() as s:
        files = s.scalar(
            select(func.sum(IngestJob.files)).where(IngestJob.device_id == web_world.device_a)
        )
        job = s.scalars(select(IngestJob).where(IngestJob.device_id == web_world.device_a)).one()
        near = s.scalars(select(FileMatch).where(FileMatch.file_id == web_world.near_file_a)).one()
    assert _figure(text, "files") == files
    assert job.source_path in text and "EV-A/1" in text and "CR 101/2026" in text
    # The near match with its distance and threshold, linked to its file.
    row = re.search(rf'<a href="/files/{web_world.near_file_a}">.*?</tr>', text, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(\d*)</td>', row.group(0))
    assert str(near.distance) in cells and str(near.threshold) in cells
    assert "seized" in text  # the custody chain
    assert "<img" not in text  # a device page shows no picture


def test_device_list_is_scoped_to_the_viewers_cases(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    mine = client_for("analyst").get("/devices").text
    everything = client_for("auditor").get("/devices?sort=files&desc=1").text
    assert "EV-A/1" in mine and "EV-B/1" not in mine
    assert "EV-A/1" in everything and "EV-B/1" in everything
    of_a = client_for("supervisor").get(f"/devices?case={web_world.case_b}").text
    assert "EV-B/1" in of_a and "EV-A/1" not in of_a


def test_another_cases_device_answers_as_an_unknown_one(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    client = client_for("analyst")
    for template in ("/devices/{}", "/devices/{}/files", "/devices?case={}"):
        other = client.get(template.format(web_world.device_b))
        if "case=" in template:
            other = client.get(template.format(web_world.case_b))
        unknown = client.get(template.format(UNKNOWN))
        assert other.status_code == unknown.status_code == 404, template
        assert other.text == unknown.text
    headers = {"Authorization": f"Bearer {token_for('investigator')}"}
    api = TestClient(client.app)
    for template in ("/api/v1/devices/{}", "/api/v1/devices/{}/summary"):
        other = api.get(template.format(web_world.device_b), headers=headers)
        unknown = api.get(template.format(UNKNOWN), headers=headers)
        assert other.status_code == unknown.status_code == 404
        assert other.json() == unknown.json() == {"detail": "not found"}
    other = api.get(f"/api/v1/devices?case={web_world.case_b}", headers=headers)
    assert other.status_code == 404
    assert client_for("admin").get(f"/devices/{web_world.device_b}").status_code == 200


def test_file_listing_pages_sorts_and_filters(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("investigator")
    base = f"/devices/{web_world.device_a}/files"
    with web_world.database.session() as s:
        paths = sorted(
            s.scalars(select(EvidenceFile.path).where(EvidenceFile.device_id == web_world.device_a))
        )
    second = client.get(f"{base}?sort=path&per_page=1&page=2").text
    assert str(escape(paths[1])) in second
    assert f"Page 2 of {len(paths)} ({len(paths)} in all)" in second
    last = client.get(f"{base}?sort=path&desc=1&per_page=1").text
    assert str(escape(paths[-1])) in last
    matched = client.get(f"{base}?matched=1").text
    assert f"({_matched_on(web_world, web_world.device_a)} in all)" in matched
    assert f'href="/files/{web_world.near_file_a}"' in matched
    images = client.get(f"{base}?type=image&path=DCIM").text
    assert 'href="/files/' in images and HOSTILE_FILE not in images
    assert client.get(f"{base}?sort=bogus").status_code == 400
    assert client.get(f"{base}?per_page=100000").status_code == 400


def test_a_hostile_file_name_is_shown_as_text(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("analyst")
    listing = client.get(f"/devices/{web_world.device_a}/files?path=svg").text
    escaped = str(escape(HOSTILE_FILE))
    assert HOSTILE_FILE not in listing and "<svg" not in listing
    assert escaped in listing


def test_device_api_equals_the_read_models(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    api = TestClient(client_for("analyst").app)
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    listing = api.get(f"/api/v1/devices?case={web_world.case_a}", headers=headers).json()
    assert [d["evidence_number"] for d in listing["items"]] == ["EV-A/1"]
    assert listing["total"] == 1 and listing["page"] == 1
    assert api.get("/api/v1/devices", headers=headers).json()["total"] == 1
    device = api.get(f"/api/v1/devices/{web_world.device_a}", headers=headers).json()
    summary = api.get(f"/api/v1/devices/{web_world.device_a}/summary", headers=headers).json()
    with web_world.database.session() as s:
        detail = browse.device_detail(s, web_world.device_a)
        triage = browse_triage.triage_summary(s, web_world.device_a)
    assert device["jobs"][0]["source_sha256"] == detail.jobs[0].source_sha256
    assert device["custody"][0]["action"] == "seized" and device["case_number"] == "CR 101/2026"
    assert summary["matched_files"] == triage.matched_files == 2
    assert [(n["file_id"], n["distance"]) for n in summary["near"]] == [
        (n.file_id, n.distance) for n in triage.near
    ]
    assert api.get("/api/v1/devices").status_code == 401


def test_a_device_page_in_a_browser(
    web_world: World,
    browser: Page,
    login: Callable[[Page, str], None],
    tmp_path: Path,
) -> None:
    login(browser, "analyst")
    browser.goto(f"/devices/{web_world.device_a}")
    triage = browser.locator("#triage")
    assert triage.locator("#triage-matched").inner_text() == "2"
    assert triage.locator("table.near-matches tbody tr").count() == 1
    assert browser.locator("#ingests code").first.inner_text() != ""
    browser.screenshot(path=str(tmp_path / "device.png"), full_page=True)
    assert (tmp_path / "device.png").stat().st_size > 0
    browser.goto(f"/devices/{web_world.device_b}")
    assert browser.locator("h1").inner_text() == "Not found"


def test_a_device_of_no_case_is_seen_only_by_roles_that_see_all(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    with web_world.database.session() as s:
        loose = add_device(s, "EV-LOOSE/1", "memory card").id
    for role, status in (("analyst", 404), ("investigator", 404), ("auditor", 200)):
        client = client_for(role)
        assert client.get(f"/devices/{loose}").status_code == status, role
        assert ("EV-LOOSE/1" in client.get("/devices").text) is (status == 200), role
