"""Operation and raid pages and API: visible to every role, case lists filtered by scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from phunt.cases.case_files import open_case
from phunt.cases.operations import create_operation

from .conftest import World


def test_operations_list_sorts_and_pages(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    with web_world.database.session() as s:
        for n in range(3):
            create_operation(s, f"Drive {n} <b>bold</b>")
    client = client_for("analyst")
    first = client.get("/operations?sort=name&desc=0&per_page=2")
    assert first.status_code == 200
    assert "Drive 0 &lt;b&gt;bold&lt;/b&gt;" in first.text and "<b>bold</b>" not in first.text
    assert "Page 1 of 2 (4 in all)" in first.text
    assert "P-Hunt (web tests)" not in first.text
    second = client.get("/operations?sort=name&desc=0&per_page=2&page=2")
    assert "P-Hunt (web tests)" in second.text
    by_raids = client.get("/operations?sort=raids&desc=1&per_page=1")
    assert f'href="/operations/{web_world.operation_id}"' in by_raids.text
    assert client.get("/operations?sort=secret").status_code == 400


def test_operation_page_lists_its_raids_sorted_and_paged(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("investigator")
    url = f"/operations/{web_world.operation_id}"
    page = client.get(f"{url}?sort=raided_at&desc=0&per_page=2")
    assert page.status_code == 200
    assert "P-Hunt (web tests)" in page.text and "synthetic data only" in page.text
    assert "Page 1 of 2 (3 in all)" in page.text
    assert page.text.index("Kakkanad, flat 4B") < page.text.index("Mavoor Road, shop 3")
    assert "28/11/2026 06:00:00 IST" in page.text  # 00:30 UTC in the configured zone
    latest = client.get(f"{url}?sort=raided_at&desc=1&per_page=1")
    assert "Beach Road, house 9" in latest.text and "Kakkanad" not in latest.text
    assert f"/cases?operation={web_world.operation_id}" in page.text
    assert client.get("/operations/999999").status_code == 404


def test_raid_page_lists_only_the_cases_in_scope(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    raid_a, raid_b = web_world.raid_ids
    analyst = client_for("analyst")
    own = analyst.get(f"/raids/{raid_a}")
    assert own.status_code == 200
    assert f'href="/cases/{web_world.case_a}"' in own.text and "CR 101/2026" in own.text
    other = analyst.get(f"/raids/{raid_b}")
    assert other.status_code == 200  # raids are visible to every role
    assert "Mavoor Road, shop 3" in other.text
    assert "CR 202/2026" not in other.text and f"/cases/{web_world.case_b}" not in other.text
    assert "1 case of this raid is not assigned to you" in other.text
    supervisor = client_for("supervisor").get(f"/raids/{raid_b}")
    assert "CR 202/2026" in supervisor.text and "not assigned" not in supervisor.text
    assert analyst.get("/raids/999999").status_code == 404


def _api(client: TestClient, token: str, url: str) -> Any:
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_api_operations_and_raids(
    web_world: World, web_app: Any, token_for: Callable[[str], str]
) -> None:
    raid_a, raid_b = web_world.raid_ids
    token = token_for("analyst")
    with TestClient(web_app) as client:
        listing = _api(client, token, "/api/v1/operations").json()
        [op] = listing["items"]
        assert (listing["total"], listing["page"], listing["per_page"]) == (1, 1, 50)
        assert (op["id"], op["raids"], op["cases"], op["devices"]) == (
            web_world.operation_id,
            3,
            2,
            2,
        )
        one = _api(client, token, f"/api/v1/operations/{web_world.operation_id}").json()
        assert one == op
        assert one["created_at"].endswith("+05:30")
        raids = _api(
            client,
            token,
            f"/api/v1/raids?operation={web_world.operation_id}&sort=raided_at&desc=true",
        ).json()
        assert [r["location"] for r in raids["items"]] == [
            "Beach Road, house 9",
            "Mavoor Road, shop 3",
            "Kakkanad, flat 4B",
        ]
        assert raids["items"][-1]["raided_at"] == "2026-11-28T06:00:00+05:30"
        own = _api(client, token, f"/api/v1/raids/{raid_a}").json()
        assert [c["id"] for c in own["cases"]] == [web_world.case_a]
        other = _api(client, token, f"/api/v1/raids/{raid_b}").json()
        assert other["cases"] == [] and other["raid"]["cases"] == 1
        assert _api(client, token, "/api/v1/raids/999999").json() == {"detail": "not found"}
        assert _api(client, token, "/api/v1/raids?operation=999999").status_code == 404
        assert _api(client, token, "/api/v1/raids?sort=secret").status_code == 400
        assert _api(client, token, "/api/v1/operations?per_page=0").status_code == 422
        assert client.get("/api/v1/operations").status_code == 401


def test_a_raid_lists_every_case_in_scope_for_those_who_see_all(
    web_world: World, web_app: Any, token_for: Callable[[str], str]
) -> None:
    raid_a = web_world.raid_ids[0]
    with web_world.database.session() as s:
        extra = open_case(s, "CR 303/2026", "Town PS", "Ernakulam", [], raid_id=raid_a).id
    with TestClient(web_app) as client:
        every = _api(client, token_for("auditor"), f"/api/v1/raids/{raid_a}").json()
        assert [c["id"] for c in every["cases"]] == [web_world.case_a, extra]
        mine = _api(client, token_for("investigator"), f"/api/v1/raids/{raid_a}").json()
        assert [c["id"] for c in mine["cases"]] == [web_world.case_a]
        assert mine["raid"]["cases"] == 2


def test_openapi_describes_the_responses(web_app: Any) -> None:
    with TestClient(web_app) as client:
        document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("OperationRow", "RaidRow", "RaidDetail", "CaseRow", "StatsOut", "DistrictFigures"):
        assert name in schemas
    assert set(schemas["RaidDetail"]["properties"]) == {"raid", "cases"}
    assert schemas["RaidRow"]["properties"]["raided_at"]["format"] == "date-time"
    stats = document["paths"]["/api/v1/operations/{operation_id}/stats"]["get"]
    answer = stats["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/StatsOut")
    assert set(schemas["StatsOut"]["properties"]) == {"by", "rows", "total"}
