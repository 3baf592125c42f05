"""Optimistic checks from the web, on both databases: the categorisation forms and the
custody form send what their user saw, and when someone else changed it since, the post
is a 409 that names who changed what and records nothing (pages and the API alike)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from starlette.testclient import TestClient

from phunt.schema.audit import AuditRecord
from phunt.schema.cases import CustodyEvent
from phunt.schema.review import ReviewDecision

from .conftest import World
from .test_review_pages import csrf, item_values, queue_items


def _seen(page: str) -> list[str]:
    return re.findall(r'name="seen" value="([^"]*)"', page)


def _decisions(world: World) -> list[tuple[int, int | None, str, int | None]]:
    with world.database.session() as s:
        rows = s.scalars(select(ReviewDecision).order_by(ReviewDecision.id))
        return [(r.file_id, r.category_code, r.decided_by, r.superseded_by_id) for r in rows]


def _count(world: World, action: str) -> int:
    with world.database.session() as s:
        query = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action)
        return int(s.scalar(query) or 0)


def test_the_second_categorisation_of_a_queue_item_is_refused(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst, supervisor = client_for("analyst"), client_for("supervisor")
    base = f"/review/devices/{web_world.device_a}"
    first_page, second_page = analyst.get(base).text, supervisor.get(base).text
    item = queue_items(first_page)[0]
    value = item_values(first_page)[item]
    members = [int(m) for m in value.partition(":")[2].split(",")]
    assert set(_seen(second_page)) >= {f"{m}:" for m in members}  # none decided, as shown

    def post(client: TestClient, page: str, choice: str) -> object:
        form = {"item": [value], "choice": choice, "back": base, "seen": _seen(page),
                "csrf_token": csrf(client)}  # fmt: skip
        return client.post("/review/decide", data=form, follow_redirects=False)

    assert post(analyst, first_page, "2").status_code == 303  # type: ignore[attr-defined]
    before = _decisions(web_world)
    assert {f: (c, who) for f, c, who, _ in before} == {m: (2, "analyst") for m in members}
    audited = _count(web_world, "review.decide")
    refused = post(supervisor, second_page, "1")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "Changed meanwhile" in text and f"file {item}: analyst decided it at" in text
    decision_id = _decision_of(web_world, item)
    assert f"(decision {decision_id}) since you read it" in text
    assert _decisions(web_world) == before  # nothing of the second post recorded
    assert _count(web_world, "review.decide") == audited


def _decision_of(world: World, file_id: int) -> int:
    with world.database.session() as s:
        query = select(ReviewDecision.id).where(
            ReviewDecision.file_id == file_id, ReviewDecision.superseded_by_id.is_(None)
        )
        return int(s.scalars(query).one())


def test_the_item_page_sends_its_current_decision(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst, supervisor = client_for("analyst"), client_for("supervisor")
    file_id = web_world.near_file_a
    page = f"/review/files/{file_id}"
    one = analyst.get(page).text
    assert _seen(one) == [f"{file_id}:"]
    form = {"item": [f"{file_id}:{file_id}"], "choice": "3", "back": page, "seen": _seen(one),
            "csrf_token": csrf(analyst)}  # fmt: skip
    assert analyst.post("/review/decide", data=form, follow_redirects=False).status_code == 303
    first = _decision_of(web_world, file_id)
    two = supervisor.get(page).text  # read after the analyst's decision: it says so
    assert _seen(two) == [f"{file_id}:{first}"]
    again = form | {"choice": "0", "seen": _seen(two), "csrf_token": csrf(supervisor)}
    assert supervisor.post("/review/decide", data=again, follow_redirects=False).status_code == 303
    second = _decision_of(web_world, file_id)
    assert second != first
    stale = form | {"choice": "1", "seen": _seen(one)}  # the analyst's old page: none seen
    refused = analyst.post("/review/decide", data=stale, follow_redirects=False)
    assert refused.status_code == 409
    assert f"file {file_id}: supervisor decided it at" in refused.text
    assert f"(decision {second})" in refused.text
    assert _decision_of(web_world, file_id) == second


def _custody(world: World, device: int) -> list[tuple[str, str]]:
    with world.database.session() as s:
        query = select(CustodyEvent).where(CustodyEvent.device_id == device)
        return [(e.action, e.actor) for e in s.scalars(query.order_by(CustodyEvent.id))]


def test_a_custody_event_logged_meanwhile_is_named(
    web_world: World,
    client_for: Callable[[str], TestClient],
    token_for: Callable[[str], str],
) -> None:
    investigator, supervisor = client_for("investigator"), client_for("supervisor")
    page = f"/devices/{web_world.device_a}"
    one, two = investigator.get(page).text, supervisor.get(page).text
    (seen,) = _seen(one)
    assert _seen(two) == [seen] and int(seen) > 0  # the world's device was seized
    before = _custody(web_world, web_world.device_a)

    def log(client: TestClient, action: str, by: str) -> object:
        form = {"action": action, "by": by, "note": "", "at": "2026-01-10T10:00",
                "seen": seen, "csrf_token": csrf(client)}  # fmt: skip
        return client.post(f"{page}/custody", data=form, follow_redirects=False)

    assert log(investigator, "examined", "Inspector Rao").status_code == 303  # type: ignore[attr-defined]
    refused = log(supervisor, "returned", "Sergeant Iyer")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    newest = _newest(web_world, web_world.device_a)
    assert (
        f"Inspector Rao logged &#39;examined&#39; (event {newest}) since you read its custody"
        in refused.text  # type: ignore[attr-defined]
    )
    after = _custody(web_world, web_world.device_a)
    assert after == [*before, ("examined", "Inspector Rao")]
    api = TestClient(investigator.app)
    headers = {"Authorization": f"Bearer {token_for('supervisor')}"}
    body = {"action": "returned", "by": "Sergeant Iyer", "seen": int(seen)}
    stale = api.post(f"/api/v1/devices/{web_world.device_a}/custody", json=body, headers=headers)
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": f"device EV-A/1: Inspector Rao logged 'examined' (event {newest}) since you "
        "read its custody; reload it and log again"
    }
    fresh = api.post(f"/api/v1/devices/{web_world.device_a}/custody",
                     json=body | {"seen": newest}, headers=headers)  # fmt: skip
    assert fresh.status_code == 201
    assert _custody(web_world, web_world.device_a)[-1] == ("returned", "Sergeant Iyer")


def _newest(world: World, device: int) -> int:
    with world.database.session() as s:
        query = select(func.max(CustodyEvent.id)).where(CustodyEvent.device_id == device)
        return int(s.scalar(query) or 0)
