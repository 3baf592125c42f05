"""Case and suspect pages and API: only in scope (404 otherwise, like an unknown id),
escaped, paged and sorted, with times in the configured zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device, log_custody

from .conftest import World

if TYPE_CHECKING:
    from playwright.sync_api import Page

MARKUP = '<script>alert("x")</script>'


def test_case_list_holds_only_the_viewers_cases(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst").get("/cases")
    assert analyst.status_code == 200
    assert "CR 101/2026" in analyst.text and "CR 202/2026" not in analyst.text
    assert f"/cases/{web_world.case_b}" not in analyst.text
    supervisor = client_for("supervisor").get("/cases?sort=number&desc=1")
    assert supervisor.text.index("CR 202/2026") < supervisor.text.index("CR 101/2026")
    first = client_for("supervisor").get("/cases?sort=number&desc=0&per_page=1")
    assert "CR 101/2026" in first.text and "CR 202/2026" not in first.text
    assert "Page 1 of 2 (2 in all)" in first.text
    of_op = client_for("admin").get(f"/cases?operation={web_world.operation_id}")
    assert "P-Hunt (web tests)" in of_op.text and "CR 202/2026" in of_op.text
    assert client_for("admin").get("/cases?sort=statutes").status_code == 400


def test_case_page_shows_fir_statutes_suspects_devices_and_custody(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("investigator").get(f"/cases/{web_world.case_a}")
    assert page.status_code == 200
    for text in (
        "CR 101/2026",
        "Cyber PS Ernakulam",
        "Ernakulam",
        "<li>IT Act s.67B</li>",
        "<li>POCSO s.15</li>",
        "Arun Example",
        "+919847010001",
        "28/11/2026 08:00:00 IST",  # the arrest, 02:30 UTC
        "EV-A/1",
        f'href="/devices/{web_world.device_a}"',
        f'href="/suspects/{web_world.suspect_a}"',
        f'href="/raids/{web_world.raid_ids[0]}"',
        "seized",
        "SI Officer One",
    ):
        assert text in page.text, text
    assert "Bindu Sample" not in page.text and "EV-B/1" not in page.text


def test_other_cases_and_their_suspects_answer_as_unknown_ids(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    for role in ("analyst", "investigator"):
        client = client_for(role)
        hidden = client.get(f"/cases/{web_world.case_b}")
        unknown = client.get("/cases/999999")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.text == unknown.text
        suspect = client.get(f"/suspects/{web_world.suspect_b}")
        assert suspect.status_code == 404 and suspect.text == client.get("/suspects/999999").text
        assert "Bindu" not in suspect.text and "CR 202" not in hidden.text
    assert client_for("auditor").get(f"/cases/{web_world.case_b}").status_code == 200
    assert client_for("supervisor").get(f"/suspects/{web_world.suspect_b}").status_code == 200


def test_suspect_page_shows_the_case_and_the_devices_seized_from_them(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("analyst").get(f"/suspects/{web_world.suspect_a}")
    assert page.status_code == 200
    assert "Arun Example" in page.text and "EV-A/1" in page.text
    assert f'href="/cases/{web_world.case_a}"' in page.text
    assert "28/11/2026 08:00:00 IST" in page.text


def test_case_data_is_shown_escaped(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    at = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    with web_world.database.session() as s:
        case = open_case(s, f"CR {MARKUP}", MARKUP, "Kollam", [MARKUP], raid_id=None)
        suspect = add_suspect(s, case.id, MARKUP, aliases=[MARKUP], handles=[MARKUP])
        add_device(s, f"EV {MARKUP}", "other", make=MARKUP, case_id=case.id, suspect_id=suspect.id)
        log_custody(s, f"EV {MARKUP}", "seized", MARKUP, at, MARKUP)
        ids = (case.id, suspect.id)
    client = client_for("admin")
    for url in (f"/cases/{ids[0]}", f"/suspects/{ids[1]}", "/cases"):
        page = client.get(url)
        assert page.status_code == 200
        assert MARKUP not in page.text, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text, url


def _api(client: TestClient, token: str, url: str) -> Any:
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_api_cases_and_suspects_in_scope(
    web_world: World, web_app: Any, token_for: Callable[[str], str]
) -> None:
    token = token_for("analyst")
    with TestClient(web_app) as client:
        listing = _api(client, token, "/api/v1/cases").json()
        assert [c["id"] for c in listing["items"]] == [web_world.case_a]
        assert listing["total"] == 1
        detail = _api(client, token, f"/api/v1/cases/{web_world.case_a}").json()
        assert detail["case"]["statutes"] == ["IT Act s.67B", "POCSO s.15"]
        assert [p["name"] for p in detail["suspects"]] == ["Arun Example"]
        assert detail["suspects"][0]["arrested_at"] == "2026-11-28T08:00:00+05:30"
        [device] = detail["devices"]
        assert (device["evidence_number"], device["ingests"]) == ("EV-A/1", 1)
        assert device["matched_files"] >= 2
        assert [(e["action"], e["at"]) for e in device["custody"]] == [
            ("seized", "2026-11-28T06:00:00+05:30")
        ]
        suspects = _api(client, token, f"/api/v1/suspects?case={web_world.case_a}").json()
        assert [p["id"] for p in suspects["items"]] == [web_world.suspect_a]
        one = _api(client, token, f"/api/v1/suspects/{web_world.suspect_a}").json()
        assert one["case"]["id"] == web_world.case_a
        assert [d["id"] for d in one["devices"]] == [web_world.device_a]
        of_op = _api(client, token, f"/api/v1/cases?operation={web_world.operation_id}")
        assert of_op.json()["total"] == 1
        of_raid = _api(client, token, f"/api/v1/cases?raid={web_world.raid_ids[1]}").json()
        assert (of_raid["items"], of_raid["total"]) == ([], 0)  # case B is not in scope
        for unknown in ("/api/v1/cases?raid=999999", "/api/v1/cases?operation=999999"):
            assert _api(client, token, unknown).json() == {"detail": "not found"}
    with TestClient(web_app) as client:
        every = token_for("supervisor")
        assert _api(client, every, "/api/v1/suspects?case=999999").status_code == 404
        of_raid = _api(client, every, f"/api/v1/cases?raid={web_world.raid_ids[1]}").json()
        assert [c["id"] for c in of_raid["items"]] == [web_world.case_b]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/{case_b}",
        "/api/v1/suspects/{suspect_b}",
        "/api/v1/suspects?case={case_b}",
    ],
)
def test_api_answers_other_cases_as_unknown(
    web_world: World, web_app: Any, token_for: Callable[[str], str], url: str
) -> None:
    ids = {"case_b": web_world.case_b, "suspect_b": web_world.suspect_b}
    with TestClient(web_app) as client:
        for role in ("analyst", "investigator"):
            hidden = _api(client, token_for(role), url.format(**ids))
            unknown = _api(client, token_for(role), url.format(case_b=999999, suspect_b=999999))
            assert hidden.status_code == 404
            assert hidden.json() == unknown.json() == {"detail": "not found"}
        assert _api(client, token_for("supervisor"), url.format(**ids)).status_code == 200


def test_api_listings_sort_page_and_reject_unknown_keys(
    web_world: World, web_app: Any, token_for: Callable[[str], str]
) -> None:
    token = token_for("admin")
    with TestClient(web_app) as client:
        listing = _api(client, token, "/api/v1/cases?sort=number&desc=true&per_page=1").json()
        assert [c["number"] for c in listing["items"]] == ["CR 202/2026"]
        assert (listing["total"], listing["per_page"]) == (2, 1)
        second = _api(client, token, "/api/v1/cases?sort=number&desc=true&per_page=1&page=2")
        assert [c["number"] for c in second.json()["items"]] == ["CR 101/2026"]
        assert _api(client, token, "/api/v1/suspects?sort=phones").status_code == 400
        assert _api(client, token, "/api/v1/cases?page=0").status_code == 422


def test_case_page_in_a_browser(
    web_world: World, browser: Page, login: Callable[[Page, str], None], tmp_path: Path
) -> None:
    login(browser, "investigator")
    browser.goto(f"/cases/{web_world.case_a}")
    assert browser.locator("h1").inner_text() == "Case CR 101/2026 (Cyber PS Ernakulam)"
    assert browser.locator("table.devices a").first.inner_text() == "EV-A/1"
    shot = tmp_path / "case.png"
    browser.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    answer = browser.goto(f"/cases/{web_world.case_b}")
    assert answer is not None and answer.status == 404
