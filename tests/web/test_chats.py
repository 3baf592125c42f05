"""Chat pages and API over the web world, on both databases: scope, roles with proof,
flagged media tied to stored files, and evidence text shown as text."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

from phunt.chats import store as chat_store

from .conftest import HOSTILE_SENDER, HOSTILE_TEXT, World

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Page


@pytest.fixture
def api(web_app: FastAPI) -> Iterator[TestClient]:
    """A client without a session cookie: the API is asked with a bearer token."""
    client = TestClient(web_app)
    yield client
    client.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_list_shows_only_the_viewers_cases(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst").get("/chats")
    assert analyst.status_code == 200
    assert f'href="/chats/{web_world.chat_a}"' in analyst.text
    assert f'href="/chats/{web_world.chat_b}"' not in analyst.text
    supervisor = client_for("supervisor").get("/chats?sort=title&desc=0")
    assert f'href="/chats/{web_world.chat_a}"' in supervisor.text
    assert f'href="/chats/{web_world.chat_b}"' in supervisor.text
    assert supervisor.text.index("Harbour Traders") < supervisor.text.index("Ward 9 Market")


@pytest.mark.parametrize("path", ["/chats/{id}", "/chats/{id}/messages"])
def test_another_cases_chat_is_a_404_like_an_unknown_one(
    web_world: World, client_for: Callable[[str], TestClient], path: str
) -> None:
    client = client_for("analyst")
    other = client.get(path.format(id=web_world.chat_b))
    unknown = client.get(path.format(id=987654))
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    assert "Harbour Traders" not in other.text


@pytest.mark.parametrize("path", ["", "/messages", "/members"])
def test_api_scope_is_the_same(
    web_world: World, api: TestClient, token_for: Callable[[str], str], path: str
) -> None:
    headers = _bearer(token_for("investigator"))
    other = api.get(f"/api/v1/chats/{web_world.chat_b}{path}", headers=headers)
    unknown = api.get(f"/api/v1/chats/987654{path}", headers=headers)
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    mine = api.get(f"/api/v1/chats/{web_world.chat_a}{path}", headers=headers)
    assert mine.status_code == 200
    assert api.get(f"/api/v1/chats/{web_world.chat_a}{path}").status_code == 401


def test_api_lists_filter_by_device_within_the_scope(
    web_world: World, api: TestClient, token_for: Callable[[str], str]
) -> None:
    headers = _bearer(token_for("investigator"))
    for parent in (f"device={web_world.device_b}", f"case={web_world.case_b}"):
        other = api.get(f"/api/v1/chats?{parent}", headers=headers)
        unknown = api.get(f"/api/v1/chats?{parent.split('=')[0]}=987654", headers=headers)
        assert other.status_code == unknown.status_code == 404
        assert other.json() == unknown.json()
    mine = api.get(f"/api/v1/chats?device={web_world.device_a}", headers=headers).json()
    assert [c["id"] for c in mine["items"]] == [web_world.chat_a]
    every = api.get("/api/v1/chats", headers=_bearer(token_for("auditor"))).json()
    assert {c["id"] for c in every["items"]} == {web_world.chat_a, web_world.chat_b}


def test_members_and_admins_match_the_database(
    web_world: World,
    client_for: Callable[[str], TestClient],
    api: TestClient,
    token_for: Callable[[str], str],
) -> None:
    with web_world.database.session() as s:
        stored = chat_store.list_members(s, web_world.chat_a)
    page = client_for("analyst").get(f"/chats/{web_world.chat_a}")
    assert page.status_code == 200
    headers = _bearer(token_for("analyst"))
    members = api.get(f"/api/v1/chats/{web_world.chat_a}/members?per_page=500", headers=headers)
    got = {m["id"]: m for m in members.json()["items"]}
    assert set(got) == {m["id"] for m in stored}
    for member in stored:
        roles = {(r["role"], r["evidence"], r["inferred"]) for r in member["roles"]}
        assert {
            (r["role"], r["evidence"], r["inferred"]) for r in got[member["id"]]["roles"]
        } == roles
        for _role, evidence, _inferred in roles:
            assert html.escape(evidence, quote=False) in page.text
    admins = {m["id"] for m in stored if {r["role"] for r in m["roles"]} & {"admin", "creator"}}
    detail = api.get(f"/api/v1/chats/{web_world.chat_a}", headers=headers).json()
    assert {m["id"] for m in detail["admins"]} == admins and admins
    creator = next(r for m in detail["admins"] for r in m["roles"] if r["role"] == "creator")
    assert creator["message"]["action"] is not None  # the "created group" line itself
    assert detail["chat"]["title"] == "Ward 9 Market"


def test_a_roles_proof_opens_in_its_conversation(
    web_world: World,
    client_for: Callable[[str], TestClient],
    api: TestClient,
    token_for: Callable[[str], str],
) -> None:
    headers = _bearer(token_for("analyst"))
    detail = api.get(f"/api/v1/chats/{web_world.chat_a}", headers=headers).json()
    proof = next(r["message"] for m in detail["admins"] for r in m["roles"] if r["message"])
    client = client_for("analyst")
    link = f"/chats/{web_world.chat_a}/messages?message={proof['id']}"
    assert link.replace("&", "&amp;") in client.get(f"/chats/{web_world.chat_a}").text
    opened = client.get(link + "&per_page=2", follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(opened.headers["location"])
    assert f'id="message-{proof["id"]}"' in page.text
    messages = api.get(f"/api/v1/chats/{web_world.chat_b}/messages", headers={
        "Authorization": f"Bearer {token_for('admin')}"}).json()  # fmt: skip
    theirs = messages["items"][0]["id"]
    other = client.get(f"/chats/{web_world.chat_b}/messages?message={theirs}")
    wrong = client.get(f"/chats/{web_world.chat_a}/messages?message={theirs}")
    unknown = client.get(f"/chats/{web_world.chat_a}/messages?message=987654")
    assert other.status_code == wrong.status_code == unknown.status_code == 404
    assert other.text == unknown.text


def test_flagged_media_links_to_the_stored_file(
    web_world: World,
    client_for: Callable[[str], TestClient],
    api: TestClient,
    token_for: Callable[[str], str],
) -> None:
    page = client_for("investigator").get(f"/chats/{web_world.chat_a}")
    assert f'href="/files/{web_world.matched_file_a}"' in page.text
    assert web_world.hash_set in page.text
    flagged = api.get(
        f"/api/v1/chats/{web_world.chat_a}/messages?flagged=true",
        headers=_bearer(token_for("investigator")),
    ).json()
    [message] = flagged["items"]
    [attachment] = message["attachments"]
    assert attachment["file_id"] == web_world.matched_file_a
    assert attachment["known_bad"] is True
    assert [m["hash_set"] for m in attachment["matches"]] == [web_world.hash_set]


def test_chat_text_and_names_are_shown_as_text(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("analyst")
    for path in (f"/chats/{web_world.chat_a}", f"/chats/{web_world.chat_a}/messages", "/chats"):
        body = client.get(path).text
        assert HOSTILE_SENDER not in body
        assert HOSTILE_TEXT.split(" see")[0] not in body
    messages = client.get(f"/chats/{web_world.chat_a}/messages").text
    assert html.escape(HOSTILE_SENDER) in messages
    assert html.escape(HOSTILE_TEXT) in messages


def test_pages_need_a_login(web_world: World, api: TestClient) -> None:
    page = api.get(f"/chats/{web_world.chat_a}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")


def test_the_browser_shows_a_chat(
    browser: Page, login: Callable[[Page, str], None], web_world: World, tmp_path: Path
) -> None:
    login(browser, "analyst")
    errors: list[str] = []
    browser.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser.goto(f"/chats/{web_world.chat_a}")
    assert browser.locator("h1").inner_text() == "Ward 9 Market"
    assert browser.locator("table.members tbody tr").count() >= 3
    link = browser.locator(f'a[href="/files/{web_world.matched_file_a}"]')
    assert link.count() == 1
    browser.goto(f"/chats/{web_world.chat_a}/messages")
    assert browser.get_by_text(HOSTILE_SENDER).count() > 0  # shown as text, not bold markup
    assert browser.locator("b", has_text="Mallory").count() == 0
    browser.goto(f"/chats/{web_world.chat_a}")
    browser.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000
    assert errors == []
