"""A file's page and its API on both databases: hashes, type, matches with list, version,
kind and distance, where else the content lies (in the viewer's cases only), escaping of
a hostile name, and another case's file answering exactly as an unknown one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape
from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.schema.ingest import EvidenceFile, FileMatch

from .conftest import HOSTILE_FILE, World

if TYPE_CHECKING:
    from playwright.sync_api import Page

UNKNOWN = 10**6


def test_file_page_shows_hashes_type_and_every_match(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("analyst").get(f"/files/{web_world.near_file_a}")
    assert page.status_code == 200
    with web_world.database.session() as s:
        f = s.get(EvidenceFile, web_world.near_file_a)
        assert f is not None
        matches = list(s.scalars(select(FileMatch).where(FileMatch.file_id == f.id)))
    text = page.text
    for value in (f.md5, f.sha1, f.sha256, f.pdq, f.mime):
        assert value and value in text
    assert str(escape(f.path)) in text
    assert matches and all(m.kind == "pdq" for m in matches)
    for m in matches:
        row = text.split(f'href="/hashsets/{m.hash_set}"', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="num">{m.version}</td>' in row
        assert f'<td class="num">{m.distance}</td>' in row and "pdq (near)" in row
    assert "<img" not in text and "/thumbnail" not in text  # described, never shown


def test_where_else_is_limited_to_the_viewers_cases(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    # The same content on device B: the list's exact entry was copied there by the test.
    with web_world.database.session() as s:
        f = s.get(EvidenceFile, web_world.matched_file_a)
        assert f is not None
        twin = EvidenceFile(
            job_id=s.scalars(
                select(EvidenceFile.job_id).where(EvidenceFile.id == web_world.matched_file_b)
            ).one(),
            device_id=web_world.device_b, seq=10**6, path="/copies/twin.jpg", size=f.size,
            md5=f.md5, sha1=f.sha1, sha256=f.sha256, mime=f.mime,
        )  # fmt: skip
        s.add(twin)
    everything = client_for("supervisor").get(f"/files/{web_world.matched_file_a}").text
    mine = client_for("analyst").get(f"/files/{web_world.matched_file_a}").text
    assert "/copies/twin.jpg" in everything and "EV-B/1" in everything
    assert "/copies/twin.jpg" not in mine and "EV-B/1" not in mine
    headers = {"Authorization": f"Bearer {token_for('supervisor')}"}
    api = TestClient(client_for("supervisor").app)
    body = api.get(f"/api/v1/files/{web_world.matched_file_a}", headers=headers).json()
    assert body["where_else"]["same_total"] == 1
    assert body["where_else"]["same"][0]["evidence_number"] == "EV-B/1"
    assert body["file"]["sha256"] == f.sha256 and body["file"]["matches"][0]["distance"] == 0


def test_another_cases_file_answers_as_an_unknown_one(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    client = client_for("analyst")
    other = client.get(f"/files/{web_world.matched_file_b}")
    unknown = client.get(f"/files/{UNKNOWN}")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    api = TestClient(client.app)
    for theirs_url, unknown_url in (
        (f"/api/v1/files/{web_world.matched_file_b}", f"/api/v1/files/{UNKNOWN}"),
        (f"/api/v1/files?device={web_world.device_b}", f"/api/v1/files?device={UNKNOWN}"),
    ):
        theirs = api.get(theirs_url, headers=headers)
        none = api.get(unknown_url, headers=headers)
        assert theirs.status_code == none.status_code == 404
        assert theirs.json() == none.json() == {"detail": "not found"}


def test_a_hostile_file_name_is_escaped_on_its_page_and_in_json(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    client = client_for("investigator")
    page = client.get(f"/files/{web_world.hostile_file_a}").text
    assert HOSTILE_FILE not in page and "<svg" not in page
    assert str(escape(HOSTILE_FILE)) in page
    headers = {"Authorization": f"Bearer {token_for('investigator')}"}
    body = TestClient(client.app).get(f"/api/v1/files/{web_world.hostile_file_a}", headers=headers)
    assert body.headers["content-type"] == "application/json"
    assert body.json()["file"]["path"].endswith(HOSTILE_FILE)


def test_file_api_lists_a_devices_files_a_page_at_a_time(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    api = TestClient(client_for("analyst").app)
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    url = f"/api/v1/files?device={web_world.device_a}&per_page=2&sort=size&desc=1"
    first = api.get(url, headers=headers).json()
    second = api.get(url + "&page=2", headers=headers).json()
    assert first["total"] == len(web_world.file_ids_a) and len(first["items"]) == 2
    sizes = [i["size"] or 0 for i in first["items"] + second["items"]]
    assert sizes == sorted(sizes, reverse=True)
    matched = api.get(f"/api/v1/files?device={web_world.device_a}&matched=true", headers=headers)
    assert {i["id"] for i in matched.json()["items"]} == {
        web_world.matched_file_a, web_world.near_file_a
    }  # fmt: skip
    assert api.get("/api/v1/files", headers=headers).status_code == 422


def test_a_file_page_in_a_browser(
    web_world: World, browser: Page, login: Callable[[Page, str], None], tmp_path: Path
) -> None:
    login(browser, "investigator")
    browser.goto(f"/files/{web_world.near_file_a}")
    row = browser.locator("#matches table.matches tbody tr")
    assert row.count() == 1 and "pdq (near)" in row.inner_text()
    assert browser.locator("img, video, canvas").count() == 0
    browser.screenshot(path=str(tmp_path / "file.png"), full_page=True)
    assert (tmp_path / "file.png").stat().st_size > 0
