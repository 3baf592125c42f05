"""Lead and target pages and their API on both databases: the corroboration counts, the
access rules (case A's investigator sees case A's lead and target only, and only case A's
chats among the sightings), and the raid plan and outcome forms (CSRF, role, scope).

The leads are the web world's (:mod:`tests.web.leads_world`): lead A reports device A's
exact match by MD5, its near match by PDQ and a file on no device (2 of 3), lead B device
B's exact match (1 of 1).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from phunt.schema.audit import AuditRecord
from phunt.schema.leads import RaidPlan

from .conftest import World
from .leads_world import add_linked_lead
from .test_authz import csrf_token

Clients = Callable[[str], TestClient]
Tokens = Callable[[str], str]


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _plans(world: World) -> int:
    with world.database.session() as s:
        return s.scalar(select(func.count()).select_from(RaidPlan)) or 0


def test_the_lead_page_shows_what_was_found_and_where_its_phone_was_seen(
    web_world: World, client_for: Clients
) -> None:
    lead_a = web_world.extra["lead_a"]
    mine = _text(client_for("investigator").get(f"/leads/{lead_a}").text)
    assert "corroborated: 2 of 3 reported files found" in mine
    assert re.search(r"EV-A/1: \S.* \(by MD5\)", mine)
    assert re.search(r"\(by PDQ, distance \d+\)", mine)
    assert re.search(r"absent\.jpg MD5 \S+ not found", mine)
    assert "Ward 9 Market" in mine and "Harbour Traders" not in mine  # case B's chat
    everyone = _text(client_for("supervisor").get(f"/leads/{lead_a}").text)
    assert "Ward 9 Market" in everyone and "Harbour Traders" in everyone


def test_lists_and_pages_keep_to_the_viewers_cases(
    web_world: World, client_for: Clients, token_for: Tokens, web_app: FastAPI
) -> None:
    x = web_world.extra
    analyst = client_for("analyst")
    assert analyst.get(f"/leads/{x['lead_b']}").status_code == 404
    assert analyst.get(f"/targets/{x['target_b']}").status_code == 404
    listed = _text(analyst.get("/leads").text)
    assert "WEB-A-1" in listed and "WEB-B-1" not in listed
    targets = _text(analyst.get("/targets").text)
    assert "Target A" in targets and "Target B" not in targets
    assert "corroborated: 2 of 3 reported files found" in targets
    for page in (f"/cases/{web_world.case_a}", f"/cases/{web_world.case_a}/leads"):
        assert "corroborated: 2 of 3 reported files found" in _text(analyst.get(page).text)
    api = TestClient(web_app, headers={"Authorization": f"Bearer {token_for('analyst')}"})
    assert [lead["report_id"] for lead in api.get("/api/v1/leads").json()] == ["WEB-A-1"]
    assert api.get(f"/api/v1/leads/{x['lead_b']}").status_code == 404
    sup = TestClient(web_app, headers={"Authorization": f"Bearer {token_for('supervisor')}"})
    got = sup.get(f"/api/v1/targets/{x['target_b']}").json()["corroboration"]
    assert (got["found"], got["reported"]) == (1, 1)
    by_district = [t["district"] for t in sup.get("/api/v1/targets").json()]
    assert by_district == ["Ernakulam", "Kozhikode"]


def test_a_lead_links_only_the_leads_the_viewer_sees(
    web_world: World, client_for: Clients, token_for: Tokens, web_app: FastAPI, tmp_path: Path
) -> None:
    """Lead A and a lead of case B share a phone: case A's investigator is shown neither
    the link nor a count of it (as ``phunt --as`` shows), the supervisor the link."""
    lead_a = web_world.extra["lead_a"]
    linked = add_linked_lead(web_world.database, tmp_path, web_world.case_b)
    for role, links in (("investigator", []), ("supervisor", [(linked, "phone")])):
        api = TestClient(web_app, headers={"Authorization": f"Bearer {token_for(role)}"})
        got = api.get(f"/api/v1/leads/{lead_a}").json()["links"]
        assert [(k["lead_id"], k["reason"]) for k in got] == links
        page = client_for(role).get(f"/leads/{lead_a}").text
        assert f"Linked leads ({len(links)})" in _text(page)
        assert (f'href="/leads/{linked}"' in page) == bool(links)
    mine = _text(client_for("investigator").get(f"/leads/{lead_a}").text)
    assert "No other lead of your cases names the same" in mine and "WEB-B-2" not in mine


def test_a_persons_page_names_the_leads_that_report_their_phone(
    web_world: World, client_for: Clients
) -> None:
    page = _text(client_for("investigator").get("/people/phone:+919800000077").text)
    assert "Named in leads (1)" in page and "web-tips WEB-A-1" in page


def test_planning_a_raid_needs_the_sessions_token_and_a_role_that_edits_cases(
    web_world: World, client_for: Clients
) -> None:
    target = web_world.extra["target_a"]
    form = {"operation": str(web_world.operation_id), "team_lead": "SI Nine"}
    form |= {"planned_for": "2026-12-20T06:00", "location": "House A, Example Street"}
    investigator = client_for("investigator")
    before = _plans(web_world)
    for forged in ({}, {"csrf_token": "forged"}):
        refused = investigator.post(f"/targets/{target}/raid-plans", data=form | forged)
        assert refused.status_code == 403
    analyst = client_for("analyst")
    token = {"csrf_token": csrf_token(analyst)}
    assert analyst.post(f"/targets/{target}/raid-plans", data=form | token).status_code == 403
    assert _plans(web_world) == before
    token = {"csrf_token": csrf_token(investigator)}
    other = web_world.extra["target_b"]
    assert investigator.post(f"/targets/{other}/raid-plans", data=form | token).status_code == 404
    done = investigator.post(
        f"/targets/{target}/raid-plans", data=form | token, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/targets/{target}#plans"
    assert _plans(web_world) == before + 1
    page = _text(investigator.get(f"/targets/{target}").text)
    assert "Raid plans (2)" in page and "SI Nine" in page
    bad = investigator.post(
        f"/targets/{target}/raid-plans", data=form | token | {"planned_for": "soon"}
    )
    assert bad.status_code == 400 and "not a date and time: 'soon'" in _text(bad.text)
    with web_world.database.session() as s:
        actions = s.scalars(
            select(AuditRecord.actor).where(AuditRecord.action == "raid_plan.create")
        )
        assert "investigator" in list(actions)


def test_recording_an_outcome_through_the_form_and_the_api(
    web_world: World, client_for: Clients, token_for: Tokens, web_app: FastAPI
) -> None:
    x = web_world.extra
    investigator = client_for("investigator")
    token = {"csrf_token": csrf_token(investigator)}
    form = {"raided_at": "2026-12-12T06:00", "case_number": "CR 303/2026"}
    form |= {"station": "Cyber PS Ernakulam", "statutes": "IT Act s.67B", "target_arrested": "true"}
    form |= {"devices": "EV-A/9, mobile phone, Examplephone, X1\nnot a device line"}
    url = f"/raid-plans/{x['plan_a']}/outcome"
    bad = investigator.post(url, data=form | token)
    assert bad.status_code == 400 and "devices seized, line 2" in bad.text
    form["devices"] = "EV-A/9, mobile phone, Examplephone, X1"
    assert (
        investigator.post(f"/raid-plans/{x['plan_b']}/outcome", data=form | token).status_code
        == 404
    )
    done = investigator.post(url, data=form | token, follow_redirects=False)
    assert done.status_code == 303
    page = _text(investigator.get(f"/targets/{x['target_a']}").text)
    assert re.search(r"raid \d+ , case \d+", page)
    again = investigator.post(url, data=form | token)
    assert again.status_code == 400 and "recorded already" in again.text
    api = TestClient(web_app, headers={"Authorization": f"Bearer {token_for('supervisor')}"})
    answer = api.post(f"/api/v1/raid-plans/{x['plan_b']}/outcome", json={"raided_at": "now"})
    assert answer.status_code == 400 and "raided at" in answer.json()["detail"]
    body: dict[str, object] = {
        "raided_at": "2026-12-12T07:00",
        "devices": [{"evidence_number": "EV-B/9", "kind": "laptop"}],
    }
    answer = api.post(f"/api/v1/raid-plans/{x['plan_b']}/outcome", json=body)
    assert answer.status_code == 200 and answer.json()["raid_id"] is not None
    plans = api.get(f"/api/v1/targets/{x['target_b']}/raid-plans").json()
    assert [p["raid_id"] for p in plans] == [answer.json()["raid_id"]]
