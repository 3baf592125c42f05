"""The network view and its API over the web world, on both databases: scope, the JSON
block the script draws from (escaped), the table without JavaScript, and a real browser."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

from phunt.web.app import STATIC

from .conftest import HOSTILE_SENDER, World

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Page

BLOCK = re.compile(r'<script type="application/json" id="network-data">(.*?)</script>', re.S)


@pytest.fixture
def api(web_app: FastAPI) -> Iterator[TestClient]:
    client = TestClient(web_app)
    yield client
    client.close()


def _labels(graph: dict[str, list[dict[str, object]]], kind: str) -> set[object]:
    return {n["label"] for n in graph["nodes"] if n["kind"] == kind}


def test_the_network_holds_only_the_viewers_cases(
    web_world: World, api: TestClient, token_for: Callable[[str], str]
) -> None:
    mine = api.get("/api/v1/network", headers={"Authorization": f"Bearer {token_for('analyst')}"})
    assert mine.status_code == 200
    assert _labels(mine.json(), "group") == {"Ward 9 Market"}
    every = api.get("/api/v1/network", headers={"Authorization": f"Bearer {token_for('auditor')}"})
    assert _labels(every.json(), "group") == {"Ward 9 Market", "Harbour Traders"}
    nodes = {n["id"] for n in every.json()["nodes"]}
    assert all(e["source"] in nodes and e["target"] in nodes for e in every.json()["edges"])
    media = [n for n in every.json()["nodes"] if n["kind"] == "media"]
    assert media and all(n["known_bad"] for n in media)  # the listed picture in each group
    assert api.get("/api/v1/network").status_code == 401
    few = api.get(
        "/api/v1/network?people=1", headers={"Authorization": f"Bearer {token_for('auditor')}"}
    )
    assert few.json()["people_shown"] == 1


def test_the_page_carries_its_data_escaped_and_a_table(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("analyst").get("/network")
    assert page.status_code == 200
    [block] = BLOCK.findall(page.text)
    assert "<" not in block  # names cannot close the script element
    graph = json.loads(block)
    assert HOSTILE_SENDER in _labels(graph, "person")
    assert HOSTILE_SENDER not in page.text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page.text  # in the table for browsers without script
    assert _labels(graph, "group") == {"Ward 9 Market"}
    assert '<script src="/static/js/network.js"' in page.text
    assert "<script>" not in page.text


def test_the_browser_draws_the_network(
    browser: Page, login: Callable[[Page, str], None], tmp_path: Path
) -> None:
    login(browser, "supervisor")
    errors: list[str] = []
    browser.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser.on("pageerror", lambda e: errors.append(str(e)))
    browser.goto("/network")
    browser.wait_for_selector("#network[data-drawn]")
    graph = json.loads(browser.locator("#network-data").text_content() or "")
    drawn = browser.locator("#network").get_attribute("data-drawn")
    assert drawn == str(len(graph["nodes"])) and int(drawn) > 3
    assert browser.locator("#network canvas").count() > 0
    assert "nodes and" in (browser.locator("#network-status").text_content() or "")
    assert browser.locator("#network b").count() == 0  # a markup name is a canvas label
    browser.screenshot(path=str(tmp_path / "network.png"), full_page=True)
    assert (tmp_path / "network.png").stat().st_size > 10_000
    assert errors == []


def test_the_script_writes_no_markup() -> None:
    """Names reach the page through Cytoscape labels and textContent only."""
    script = (STATIC / "js" / "network.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "textContent" in script
