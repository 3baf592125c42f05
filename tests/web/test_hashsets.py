"""Hash-set pages and API on both databases: figures equal the database's, versions, a
version's entries a page at a time, diffs as the CLI counts them, disables, hostile
names shown as text, unknown names and versions as 404, and the pages in chromium."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, select
from starlette.testclient import TestClient

from phunt.hashsets import store
from phunt.schema.hashset_blobs import HashSetBlob
from phunt.schema.hashsets import HashSet, HashSetVersion

from .conftest import World

if TYPE_CHECKING:
    from playwright.sync_api import Page

HOSTILE_NAME = "<img src=x onerror=alert(7)>"
HOSTILE_DESCRIPTION = '<script>alert("list")</script> from a partner agency'
HOSTILE_REASON = "<b>a logo</b> on every phone"


def _shown_as_text(markup: str, page: str) -> bool:
    """Whether ``markup`` is on the page escaped (text to read) and nowhere as markup."""
    return markup not in page and markup in html.unescape(page)


def _second_version(web_world: World, tmp_path: Path) -> Path:
    """Version 2 of the world's list: its first SHA-256 dropped, a new one added."""
    lines = (web_world.evidence / "known-web.txt").read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if re.fullmatch(r"[0-9a-f]{64}", line))
    del lines[first]
    lines.insert(first, hashlib.sha256(b"an invented file").hexdigest())
    path = tmp_path / "known-web-v2.txt"
    path.write_text("\n".join(lines) + "\n")
    with web_world.database.session() as s:
        store.import_hash_list(s, str(path), name=web_world.hash_set)
    return path


def _hostile_set(web_world: World, tmp_path: Path) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(hashlib.md5(b"hostile").hexdigest() + "\n")
    with web_world.database.session() as s:
        store.import_hash_list(s, str(path), name=HOSTILE_NAME, description=HOSTILE_DESCRIPTION)


def test_the_listing_shows_the_databases_figures(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _second_version(web_world, tmp_path)
    page = client_for("analyst").get("/hashsets")
    assert page.status_code == 200
    with web_world.database.session() as s:
        hs = s.scalars(select(HashSet).where(HashSet.name == web_world.hash_set)).one()
        row = s.scalars(
            select(HashSetVersion).where(
                HashSetVersion.hash_set_id == hs.id, HashSetVersion.version == 2
            )
        ).one()
        figures = (hs.current_version, row.entries, row.file_name, row.file_sha256)
    row_html = re.search(r'<tr data-set="web-known">(.*?)</tr>', page.text, re.S)
    assert row_html is not None
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html.group(1), re.S)]
    assert cells[2:4] == [str(figures[0]), str(figures[1])]
    assert cells[4] == "pdq 2, sha256 2"
    assert cells[6] == figures[2]
    assert f'title="{figures[3]}"' in cells[7]
    assert cells[9] == row.imported_by


def test_a_set_page_shows_its_versions_and_disables(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    v2 = _second_version(web_world, tmp_path)
    with web_world.database.session() as s:
        store.disable_entry(s, web_world.hash_set, "2", HOSTILE_REASON)
    page = client_for("investigator").get(f"/hashsets/{web_world.hash_set}")
    assert page.status_code == 200
    text = page.text
    assert hashlib.sha256(v2.read_bytes()).hexdigest() in text  # the current list file
    assert 'href="/hashsets/web-known/versions/1"' in text
    assert 'href="/hashsets/web-known/diff?from=1&amp;to=2"' in text
    assert _shown_as_text(HOSTILE_REASON, text)
    assert re.search(r"Disabled entries</th><td>1<", text)


def test_a_version_shows_its_entries_a_page_at_a_time(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("auditor")
    first = client.get(f"/hashsets/{web_world.hash_set}/versions/1?per_page=3")
    last = client.get(f"/hashsets/{web_world.hash_set}/versions/1?per_page=3&page=2")
    newest = client.get(f"/hashsets/{web_world.hash_set}/versions/1?per_page=1&desc=1")
    with web_world.database.session() as s:
        numbers = [n for n, _ in store.entries_of(s, web_world.hash_set, 1)]
    shown = [
        [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', r.text)]
        for r in (first, last, newest)
    ]
    assert shown == [numbers[:3], numbers[3:], numbers[-1:]]
    assert "Page 1 of 2 (4 in all)" in first.text
    assert client.get(f"/hashsets/{web_world.hash_set}/versions/1?per_page=0").status_code == 400


def test_a_diff_counts_as_the_cli_does(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _second_version(web_world, tmp_path)
    client = client_for("analyst")
    page = client.get(f"/hashsets/{web_world.hash_set}/diff")  # default: 1 -> 2
    back = client.get(f"/hashsets/{web_world.hash_set}/diff?from=2&to=1")
    with web_world.database.session() as s:
        cli = store.diff(s, web_world.hash_set, 1, 2)
    for response, added, removed in (
        (page, cli.added, cli.removed),
        (back, cli.removed, cli.added),
    ):
        assert response.status_code == 200
        assert f'<td class="num" id="added">{len(added)}</td>' in response.text
        assert f'<td class="num" id="removed">{len(removed)}</td>' in response.text
        assert '<td class="num" id="recategorised">0</td>' in response.text
        rows = re.findall(r'<tr class="(added|removed)">\s*<td class="num">(\d+)', response.text)
        assert sorted((c, int(n)) for c, n in rows) == sorted(
            [("added", n) for n in added] + [("removed", n) for n in removed]
        )


def test_hostile_names_are_shown_as_text(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    _hostile_set(web_world, tmp_path)
    client = client_for("supervisor")
    listing = client.get("/hashsets")
    detail = client.get("/hashsets/" + HOSTILE_NAME)
    assert detail.status_code == 200
    for text in (listing.text, detail.text):
        assert _shown_as_text(HOSTILE_NAME, text)
    assert _shown_as_text(HOSTILE_DESCRIPTION, detail.text)


def test_a_name_with_a_slash_has_its_pages(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str],
    tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / "partner.txt"
    path.write_text(hashlib.md5(b"partner").hexdigest() + "\n")
    with web_world.database.session() as s:
        store.import_hash_list(s, str(path), name="Partner/2026")
    client = client_for("analyst")
    detail = client.get("/hashsets/Partner/2026")
    assert detail.status_code == 200 and 'href="/hashsets/Partner/2026/versions/1"' in detail.text
    assert client.get("/hashsets/Partner/2026/versions/1").status_code == 200
    assert client.get("/hashsets/Partner/2026/diff").status_code == 200
    api = TestClient(client.app, headers={"Authorization": f"Bearer {token_for('analyst')}"})
    assert api.get("/api/v1/hashsets/Partner/2026").json()["hash_set"]["name"] == "Partner/2026"
    assert api.get("/api/v1/hashsets/Partner/2026/versions").status_code == 200


def test_unknown_sets_and_versions_answer_404(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    client = client_for("admin")
    name = web_world.hash_set
    for path in (
        "/hashsets/nothing",
        f"/hashsets/{name}/versions/9",
        f"/hashsets/{name}/diff?to=9",
    ):
        assert client.get(path).status_code == 404, path
    api = TestClient(client.app, headers={"Authorization": f"Bearer {token_for('admin')}"})
    for path in ("nothing", f"{name}/versions/9", f"{name}/diff?from=0"):
        response = api.get(f"/api/v1/hashsets/{path}")
        assert response.status_code in (404, 422), path
        if response.status_code == 404:
            assert response.json() == {"detail": "not found"}


def test_anonymous_pages_go_to_the_login_and_the_api_asks_for_a_token(web_world: World) -> None:
    from phunt.web.app import create_app

    app = create_app(web_world.settings)
    try:
        with TestClient(app) as client:
            page = client.get("/hashsets", follow_redirects=False)
            assert (page.status_code, page.headers["location"]) == (303, "/login?next=/hashsets")
            assert client.get("/api/v1/hashsets").status_code == 401
    finally:
        app.state.database.close()


def test_the_api_gives_what_the_pages_read(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str],
    tmp_path: Path,
) -> None:  # fmt: skip
    _second_version(web_world, tmp_path)
    with web_world.database.session() as s:
        store.disable_entry(s, web_world.hash_set, "1", "a stock photo")
        cli = store.diff(s, web_world.hash_set, 1, 2)
        versions = store.versions(s, store.get_hash_set(s, web_world.hash_set))
        sha = [v.file_sha256 for v in versions]
    app = client_for("analyst").app
    api = TestClient(app, headers={"Authorization": f"Bearer {token_for('analyst')}"})
    name = web_world.hash_set
    listing = api.get("/api/v1/hashsets").json()
    assert listing["total"] == 1 and listing["items"][0]["by_kind"] == {"pdq": 2, "sha256": 2}
    assert listing["items"][0]["current"]["file_sha256"] == sha[-1]
    assert listing["items"][0]["current"]["imported_at"].endswith("+05:30")  # the unit's zone
    detail = api.get(f"/api/v1/hashsets/{name}").json()
    assert (detail["hash_set"]["disabled"], [v["file_sha256"] for v in detail["versions"]]) == (
        1,
        sha,
    )
    assert [v["version"] for v in api.get(f"/api/v1/hashsets/{name}/versions").json()] == [1, 2]
    version = api.get(f"/api/v1/hashsets/{name}/versions/1?per_page=2").json()
    assert (version["total"], len(version["entries"]), version["entries"][0]["disabled"]) == (
        4,
        2,
        True,
    )
    diff = api.get(f"/api/v1/hashsets/{name}/diff?from=1&to=2").json()
    assert (diff["added"], diff["removed"]) == (len(cli.added), len(cli.removed))
    assert sorted(r["entry"] for r in diff["rows"]) == sorted(cli.added + cli.removed)
    disables = api.get(f"/api/v1/hashsets/{name}/disables").json()
    assert [(d["entry"], d["reason"]) for d in disables["items"]] == [(1, "a stock photo")]
    assert api.get("/api/v1/hashsets?sort=colour").status_code == 422


def test_the_pages_in_chromium(
    web_world: World, browser: Page, login: Callable[[Page, str], None], tmp_path: Path
) -> None:
    _second_version(web_world, tmp_path)
    login(browser, "analyst")
    browser.goto("/hashsets")
    assert browser.locator("tr[data-set=web-known] td").nth(2).inner_text() == "2"
    browser.click("text=web-known")
    browser.click("text=from 1")
    browser.wait_for_url("**/diff?from=1&to=2")
    assert browser.locator("#added").inner_text() == "1"
    browser.select_option("#from", "2")
    browser.select_option("#to", "1")
    browser.click("button:has-text('Compare')")
    browser.wait_for_url("**/diff?from=2&to=1")
    assert browser.locator("#removed").inner_text() == "1"
    browser.screenshot(path=str(tmp_path / "hashset-diff.png"), full_page=True)
    assert (tmp_path / "hashset-diff.png").stat().st_size > 0


def test_a_missing_set_file_is_the_servers_trouble_not_a_missing_version(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    if web_world.database.engine.dialect.name == "sqlite":
        shutil.rmtree(Path(web_world.database.engine.url.database or "").parent / "hashsets")
    else:  # the database holds the file; this machine keeps a copy in its cache
        with web_world.database.session() as s:
            s.execute(delete(HashSetBlob))
        monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "empty-cache"))
    client = client_for("analyst")
    page = client.get(f"/hashsets/{web_world.hash_set}/versions/1")
    assert page.status_code == 503
    assert f"`phunt hashset rebuild {web_world.hash_set}`" in html.unescape(page.text)
    listing = client.get("/hashsets")
    assert listing.status_code == 200 and "is missing or damaged" in listing.text
    api = TestClient(client.app, headers={"Authorization": f"Bearer {token_for('analyst')}"})
    diff = api.get(f"/api/v1/hashsets/{web_world.hash_set}/diff")
    assert diff.status_code == 503 and "rebuild" in diff.json()["detail"]
