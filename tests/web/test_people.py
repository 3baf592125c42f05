"""People pages and API over the web world, on both databases: a person seen in two cases
is shown to a case-A viewer with case A's evidence only; names are shown as text."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from phunt.analysis.people import build_network

from .conftest import HOSTILE_SENDER, World

if TYPE_CHECKING:
    from fastapi import FastAPI

SHARED = "phone:+919800000077"
"""The member of both groups (case A's and case B's)."""


@pytest.fixture
def api(web_app: FastAPI) -> Iterator[TestClient]:
    client = TestClient(web_app)
    yield client
    client.close()


def _person(api: TestClient, token: str, person: str) -> tuple[int, dict[str, object]]:
    answer = api.get(
        f"/api/v1/people/{quote(person)}", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code, answer.json()


def _case_b_only(web_world: World) -> str:
    """A person of case B's chat alone (by the whole database's merging)."""
    with web_world.database.session() as s:
        network = build_network(s)
    return next(p.id for p in network.people if p.devices == ["EV-B/1"])


def test_a_person_in_two_cases_shows_only_the_viewers_evidence(
    web_world: World, api: TestClient, token_for: Callable[[str], str]
) -> None:
    status, analyst = _person(api, token_for("analyst"), SHARED)
    assert status == 200
    assert analyst["devices"] == ["EV-A/1"]
    assert [g["titles"] for g in analyst["group_rows"]] == [["Ward 9 Market"]]  # type: ignore[index]
    status, supervisor = _person(api, token_for("supervisor"), SHARED)
    assert supervisor["devices"] == ["EV-A/1", "EV-B/1"]
    assert len(supervisor["group_rows"]) == 2  # type: ignore[arg-type]


def test_a_person_of_another_case_is_a_404_like_an_unknown_one(
    web_world: World,
    api: TestClient,
    token_for: Callable[[str], str],
    client_for: Callable[[str], TestClient],
) -> None:
    other = _case_b_only(web_world)
    token = token_for("investigator")
    assert _person(api, token, other) == _person(api, token, "phone:+910000000000")
    assert _person(api, token, other)[0] == 404
    assert _person(api, token_for("auditor"), other)[0] == 200
    client = client_for("investigator")
    page, unknown = client.get(f"/people/{quote(other)}"), client.get("/people/nobody:1")
    assert page.status_code == unknown.status_code == 404
    assert page.text == unknown.text


def test_the_ranked_list_is_scoped_paged_and_escaped(
    web_world: World,
    api: TestClient,
    token_for: Callable[[str], str],
    client_for: Callable[[str], TestClient],
) -> None:
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    people = api.get("/api/v1/people?per_page=500", headers=headers).json()
    assert people["total"] == len(people["items"]) > 0
    assert all(p["devices"] == ["EV-A/1"] for p in people["items"])
    scores = [p["score"] for p in people["items"]]
    assert scores == sorted(scores, reverse=True)
    first = api.get("/api/v1/people?per_page=1&page=2", headers=headers).json()
    assert first["items"][0]["person"] == people["items"][1]["person"]
    every = api.get("/api/v1/people?per_page=500", headers={
        "Authorization": f"Bearer {token_for('admin')}"}).json()  # fmt: skip
    assert every["total"] > people["total"]
    page = client_for("analyst").get("/people")
    assert page.status_code == 200
    assert HOSTILE_SENDER not in page.text
    assert html.escape(HOSTILE_SENDER) in page.text
    assert f'href="/people/{quote(SHARED, safe=":@")}"' in page.text


def test_a_persons_page_links_their_groups(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    page = client_for("analyst").get(f"/people/{quote(SHARED)}")
    assert page.status_code == 200
    assert f'href="/chats/{web_world.chat_a}"' in page.text
    assert f'href="/chats/{web_world.chat_b}"' not in page.text
    assert "Harbour Traders" not in page.text
