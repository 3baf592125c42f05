"""Changes from the web, on both databases: case assignment (supervisors and admins),
custody events (admins, supervisors, investigators within their cases) and users
(admins), each as a page form and as an API route.

Each change works for a role allowed to make it and is audited with that user's name; a
role that may not gets 403 (audited); another case's objects answer 404; a page form
without the session's CSRF token changes nothing; bad input is a 400 saying why; text
typed into a form comes back escaped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.accounts import store as accounts
from phunt.accounts.passwords import MIN_LENGTH
from phunt.schema.audit import AuditRecord

from .conftest import World, login_client

Clients = Callable[[str], TestClient]
Tokens = Callable[[str], str]
MARKUP = '<script>alert("custody")</script>'
NEW_PASSWORD = "a-new-long-enough-password"


def audit(world: World, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(actor, object id, details) of every audit record of ``action``, oldest first."""
    with world.database.session() as s:
        query = select(AuditRecord).where(AuditRecord.action == action)
        return [
            (r.actor, r.object_id, r.details) for r in s.scalars(query.order_by(AuditRecord.seq))
        ]


def csrf(client: TestClient, page: str = "/dashboard") -> str:
    """The session's CSRF token, as the forms of ``page`` carry it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None, f"{page} carries the CSRF token"
    return found.group(1)


def post_form(client: TestClient, url: str, data: dict[str, str]) -> Any:
    """A form post with the session's token, not following the redirect."""
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assignees(world: World, case_id: int) -> list[str]:
    with world.database.session() as s:
        return [row["name"] for row in accounts.assignees(s, case_id)]


def test_a_supervisor_assigns_and_unassigns_on_the_case_page(
    web_world: World, client_for: Clients
) -> None:
    supervisor, analyst = client_for("supervisor"), client_for("analyst")
    case_b = f"/cases/{web_world.case_b}"
    assert analyst.get(case_b).status_code == 404
    page = supervisor.get(case_b).text
    assert f'action="{case_b}/assign"' in page
    assert '<option value="analyst">analyst (analyst)</option>' in page
    done = post_form(supervisor, f"{case_b}/assign", {"user": "analyst"})
    assert done.status_code == 303 and done.headers["location"] == f"{case_b}#assignees"
    assert assignees(web_world, web_world.case_b) == ["analyst"]
    assert analyst.get(case_b).status_code == 200  # the assignment is the analyst's scope
    assert audit(web_world, "user.assign")[-1] == (
        "supervisor",
        "analyst",
        {"case_id": web_world.case_b},
    )
    listed = supervisor.get(case_b).text
    assert re.search(r"<td>analyst</td>\s*<td>analyst</td>", listed)
    assert f'action="{case_b}/unassign"' in listed
    gone = post_form(supervisor, f"{case_b}/unassign", {"user": "analyst"})
    assert gone.status_code == 303
    assert assignees(web_world, web_world.case_b) == []
    assert analyst.get(case_b).status_code == 404
    assert audit(web_world, "user.unassign")[-1][:2] == ("supervisor", "analyst")


def test_the_case_page_lists_assignees_to_its_readers_and_the_forms_to_assigners(
    web_world: World, client_for: Clients
) -> None:
    page = client_for("analyst").get(f"/cases/{web_world.case_a}").text
    assert "Assigned users (2)" in page
    assert re.search(r"<td>investigator</td>\s*<td>investigator</td>", page)
    assert "/assign" not in page and "/unassign" not in page
    assert 'href="/users"' not in page  # the users area is in the admin's navigation only
    admin = client_for("admin").get(f"/cases/{web_world.case_a}").text
    assert 'href="/users"' in admin
    assert "Every active investigator and analyst is assigned already." in admin


def test_assignment_refusals_are_400s_saying_why(web_world: World, client_for: Clients) -> None:
    admin = client_for("admin")
    url = f"/cases/{web_world.case_a}"
    for user, message in (
        ("analyst", "user &#39;analyst&#39; is already assigned to case"),
        ("ghost", "no user &#39;ghost&#39;"),
        (MARKUP, "no user &#39;&lt;script&gt;alert(&#34;custody&#34;)&lt;/script&gt;&#39;"),
    ):
        response = post_form(admin, f"{url}/assign", {"user": user})
        assert response.status_code == 400 and message in response.text, response.text
        assert "<script>" not in response.text
    unassigned = post_form(admin, f"{url}/unassign", {"user": "supervisor"})
    assert unassigned.status_code == 400
    assert "is not assigned to case" in unassigned.text
    assert post_form(admin, "/cases/987654/assign", {"user": "analyst"}).status_code == 404
    assert len(audit(web_world, "user.assign")) == 2  # the world's two only


def test_the_assignees_api(web_world: World, token_for: Tokens, client_for: Clients) -> None:
    client = client_for("analyst")  # any client: the API reads the token, not the cookie
    admin, analyst = bearer(token_for("admin")), bearer(token_for("analyst"))
    base_a = f"/api/v1/cases/{web_world.case_a}/assignees"
    base_b = f"/api/v1/cases/{web_world.case_b}/assignees"
    listed = client.get(base_a, headers=analyst)
    assert listed.status_code == 200
    assert [(u["name"], u["role"]) for u in listed.json()] == [
        ("analyst", "analyst"),
        ("investigator", "investigator"),
    ]
    assert listed.json()[0]["assigned_at"].endswith("+05:30")
    assert client.get(base_b, headers=analyst).json() == {"detail": "not found"}
    added = client.post(base_b, json={"user": "investigator"}, headers=admin)
    assert added.status_code == 201 and [u["name"] for u in added.json()] == ["investigator"]
    assert audit(web_world, "user.assign")[-1][:2] == ("admin", "investigator")
    again = client.post(base_b, json={"user": "investigator"}, headers=admin)
    assert again.status_code == 400 and "already assigned" in again.json()["detail"]
    ghost = client.delete(f"{base_b}/ghost", headers=admin)
    assert ghost.status_code == 400 and ghost.json() == {"detail": "no user 'ghost'"}
    removed = client.delete(f"{base_b}/investigator", headers=admin)
    assert removed.status_code == 200 and removed.json() == []
    assert audit(web_world, "user.unassign")[-1][:2] == ("admin", "investigator")
    unknown = client.get("/api/v1/cases/987654/assignees", headers=admin)
    assert unknown.status_code == 404 and unknown.json() == {"detail": "not found"}


def test_roles_that_may_not_assign_are_refused_and_recorded(
    web_world: World, client_for: Clients, token_for: Tokens
) -> None:
    investigator = client_for("investigator")
    url = f"/cases/{web_world.case_a}/assign"
    assert post_form(investigator, url, {"user": "auditor"}).status_code == 403
    api = f"/api/v1/cases/{web_world.case_a}/assignees"
    for role in ("investigator", "analyst", "auditor"):
        headers = bearer(token_for(role))
        assert investigator.post(api, json={"user": "auditor"}, headers=headers).status_code == 403
        assert investigator.delete(f"{api}/analyst", headers=headers).status_code == 403
    assert assignees(web_world, web_world.case_a) == ["analyst", "investigator"]
    denied = [(actor, path) for actor, path, _ in audit(web_world, "access.denied")]
    assert ("investigator", url) in denied
    assert ("auditor", f"{api}/analyst") in denied


def test_an_investigator_logs_custody_on_a_device_of_their_case(
    web_world: World, client_for: Clients
) -> None:
    investigator = client_for("investigator")
    device = f"/devices/{web_world.device_a}"
    page = investigator.get(device).text
    assert f'action="{device}/custody"' in page and '<option value="imaged">' in page
    form = {"action": "imaged", "by": MARKUP, "note": MARKUP, "at": "2026-11-29T09:15"}
    logged = len(audit(web_world, "custody.log"))
    done = post_form(investigator, f"{device}/custody", form)
    assert done.status_code == 303 and done.headers["location"] == f"{device}#custody"
    shown = investigator.get(device).text
    assert "29/11/2026 09:15:00 IST" in shown  # read in the unit's zone
    assert MARKUP not in shown and "&lt;script&gt;alert(&#34;custody&#34;)&lt;/script&gt;" in shown
    case_page = investigator.get(f"/cases/{web_world.case_a}").text
    assert MARKUP not in case_page and "&lt;script&gt;" in case_page
    actor, object_id, details = audit(web_world, "custody.log")[-1]
    assert (actor, object_id) == ("investigator", str(web_world.device_a))
    assert details["action"] == "imaged" and details["by"] == MARKUP
    assert details["at"] == "2026-11-29T09:15:00+05:30"
    other = post_form(investigator, f"/devices/{web_world.device_b}/custody", form)
    unknown = post_form(investigator, "/devices/987654/custody", form)
    assert other.status_code == unknown.status_code == 404 and other.text == unknown.text
    assert len(audit(web_world, "custody.log")) == logged + 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("at", "yesterday", "not a date and time: &#39;yesterday&#39;"),
        ("at", "2999-01-01T00:00", "a custody event cannot be in the future"),
        ("action", "lost", "unknown custody action &#39;lost&#39;"),
        ("by", "  ", "a custody event needs the name of who handled the device"),
    ],
)
def test_bad_custody_input_is_a_400_saying_why(
    web_world: World, client_for: Clients, token_for: Tokens, field: str, value: str, message: str
) -> None:
    form = {"action": "examined", "by": "Examiner One", "note": "", "at": "2026-11-29T09:15"}
    form[field] = value
    logged = len(audit(web_world, "custody.log"))
    admin = client_for("admin")
    response = post_form(admin, f"/devices/{web_world.device_a}/custody", form)
    assert response.status_code == 400 and message in response.text
    api = admin.post(
        f"/api/v1/devices/{web_world.device_a}/custody",
        json=form,
        headers=bearer(token_for("supervisor")),
    )
    assert api.status_code == 400
    assert message.replace("&#39;", "'") in api.json()["detail"]
    assert len(audit(web_world, "custody.log")) == logged


def test_the_custody_api(web_world: World, client_for: Clients, token_for: Tokens) -> None:
    client = client_for("analyst")
    url = f"/api/v1/devices/{web_world.device_b}/custody"
    event = {"action": "transferred", "by": "HC Three", "note": "to the lab", "at": None}
    made = client.post(
        url, json={**event, "at": "2026-11-30T06:00"}, headers=bearer(token_for("supervisor"))
    )
    assert made.status_code == 201
    body = made.json()
    assert body["device_id"] == web_world.device_b and body["by"] == "HC Three"
    assert body["at"] == "2026-11-30T06:00:00+05:30"
    now = client.post(url, json=event, headers=bearer(token_for("admin")))
    assert now.status_code == 201 and now.json()["at"].endswith("+05:30")  # none given: now
    custody = client.get(
        f"/api/v1/devices/{web_world.device_b}", headers=bearer(token_for("admin"))
    )
    assert [e["action"] for e in custody.json()["custody"]][-2:] == ["transferred", "transferred"]
    actors = [(a, d["by"]) for a, _o, d in audit(web_world, "custody.log")[-2:]]
    assert actors == [("supervisor", "HC Three"), ("admin", "HC Three")]
    investigator = bearer(token_for("investigator"))
    hidden = client.post(url, json=event, headers=investigator)
    assert hidden.status_code == 404 and hidden.json() == {"detail": "not found"}
    mine = f"/api/v1/devices/{web_world.device_a}/custody"
    assert client.post(mine, json=event, headers=investigator).status_code == 201
    for role in ("analyst", "auditor"):
        assert client.post(mine, json=event, headers=bearer(token_for(role))).status_code == 403
    form = {"action": "examined", "by": "HC Three", "note": "", "at": ""}
    assert post_form(client, f"/devices/{web_world.device_a}/custody", form).status_code == 403
    denied = [actor for actor, _path, _ in audit(web_world, "access.denied")]
    assert denied[-3:] == ["analyst", "auditor", "analyst"]


def test_the_users_page_adds_and_disables_users(
    web_world: World, client_for: Clients, token_for: Tokens
) -> None:
    token = token_for("analyst")
    admin = client_for("admin")
    page = admin.get("/users")
    assert page.status_code == 200
    assert re.search(r"<td>analyst</td>\s*<td>analyst</td>\s*<td>active</td>", page.text)
    assert f'<a href="/cases/{web_world.case_a}">{web_world.case_a}</a>' in page.text
    assert "argon2" not in page.text and token not in page.text
    assert hashlib.sha256(token.encode()).hexdigest() not in page.text
    assert f"at least {MIN_LENGTH} characters" in page.text
    form = {"name": "examiner.two", "role": "investigator"}
    form |= {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert post_form(admin, "/users", form).headers["location"] == "/users"
    assert audit(web_world, "user.add")[-1][:2] == ("admin", "examiner.two")
    assert re.search(r"<td>examiner\.two</td>\s*<td>investigator</td>", admin.get("/users").text)
    newcomer = TestClient(admin.app)
    assert login_client(newcomer, "examiner.two", NEW_PASSWORD).status_code == 303
    assert newcomer.get("/cases").status_code == 200
    disabled = post_form(admin, "/users/examiner.two/disable", {})
    assert disabled.status_code == 303 and disabled.headers["location"] == "/users"
    assert audit(web_world, "user.disable")[-1][:2] == ("admin", "examiner.two")
    assert newcomer.get("/cases", follow_redirects=False).status_code == 303  # session ended
    newcomer.close()
    assert re.search(
        r"<td>examiner\.two</td>\s*<td>investigator</td>\s*<td><span class=\"muted\">disabled",
        admin.get("/users").text,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password_again": "something-else-entirely"}, "the two passwords differ"),
        ({"password": "short", "password_again": "short"}, f"at least {MIN_LENGTH} characters"),
        ({"role": "chief"}, "no role &#39;chief&#39;"),
        ({"name": "Analyst"}, "user &#39;analyst&#39; already exists"),
        ({"name": MARKUP}, "not &#39;&lt;script&gt;alert(&#34;custody&#34;)&lt;/script&gt;&#39;"),
    ],
)
def test_bad_user_input_is_a_400_saying_why(
    web_world: World, client_for: Clients, change: dict[str, str], message: str
) -> None:
    form = {"name": "examiner.two", "role": "analyst"}
    form |= {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD} | change
    response = post_form(client_for("admin"), "/users", form)
    assert response.status_code == 400 and message in response.text, response.text
    assert "<script>" not in response.text
    assert len(audit(web_world, "user.add")) == 5  # the world's users only


def test_disabling_refusals(web_world: World, client_for: Clients, token_for: Tokens) -> None:
    admin = client_for("admin")
    for name, message in (
        ("admin", "you cannot disable your own account"),
        ("ghost", "no user &#39;ghost&#39;"),
    ):
        response = post_form(admin, f"/users/{name}/disable", {})
        assert response.status_code == 400 and message in response.text
    headers = bearer(token_for("admin"))
    assert admin.post("/api/v1/users/auditor/disable", headers=headers).json()["disabled"] is True
    again = admin.post("/api/v1/users/auditor/disable", headers=headers)
    assert again.status_code == 400 and again.json() == {
        "detail": "user 'auditor' is already disabled"
    }


def test_the_users_api(web_world: World, client_for: Clients, token_for: Tokens) -> None:
    client = client_for("analyst")
    token = token_for("analyst")
    admin = bearer(token_for("admin"))
    listed = client.get("/api/v1/users", headers=admin)
    assert listed.status_code == 200
    rows = {row["name"]: row for row in listed.json()}
    assert set(rows) == {"admin", "supervisor", "investigator", "analyst", "auditor"}
    assert rows["analyst"]["cases"] == [web_world.case_a] and rows["analyst"]["tokens"] == 1
    assert set(rows["analyst"]) == {
        "id",
        "name",
        "role",
        "disabled",
        "created_at",
        "cases",
        "tokens",
    }
    assert token not in listed.text and "argon2" not in listed.text
    body = {"name": "liaison.one", "role": "auditor", "password": NEW_PASSWORD}
    made = client.post("/api/v1/users", json=body, headers=admin)
    assert made.status_code == 201 and made.json()["role"] == "auditor"
    assert "password" not in made.text
    assert audit(web_world, "user.add")[-1][:2] == ("admin", "liaison.one")
    duplicate = client.post("/api/v1/users", json=body, headers=admin)
    assert duplicate.status_code == 400 and "already exists" in duplicate.json()["detail"]
    short = client.post(
        "/api/v1/users", json=body | {"name": "x2", "password": "short"}, headers=admin
    )
    assert short.json() == {"detail": f"a password needs at least {MIN_LENGTH} characters"}
    off = client.post("/api/v1/users/liaison.one/disable", headers=admin)
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert audit(web_world, "user.disable")[-1][:2] == ("admin", "liaison.one")
    for role in ("supervisor", "investigator", "analyst", "auditor"):
        headers = bearer(token_for(role))
        assert client.get("/api/v1/users", headers=headers).status_code == 403
        assert client.post("/api/v1/users", json=body, headers=headers).status_code == 403
        assert client.post("/api/v1/users/analyst/disable", headers=headers).status_code == 403
    assert client.get("/api/v1/users").status_code == 401


def test_only_admins_reach_the_users_page(web_world: World, client_for: Clients) -> None:
    supervisor = client_for("supervisor")
    assert supervisor.get("/users").status_code == 403
    form = {"name": "examiner.two", "role": "analyst", "password": NEW_PASSWORD}
    assert (
        post_form(supervisor, "/users", form | {"password_again": NEW_PASSWORD}).status_code == 403
    )
    assert post_form(supervisor, "/users/analyst/disable", {}).status_code == 403
    denied = [(a, p) for a, p, _ in audit(web_world, "access.denied")]
    assert denied[-3:] == [("supervisor", "/users")] * 2 + [
        ("supervisor", "/users/analyst/disable")
    ]
    assert len(audit(web_world, "user.add")) == 5


def _change_routes(world: World) -> list[tuple[str, dict[str, str], str]]:
    """Each page form's URL, a valid form, and the audit action it would write."""
    custody = {"action": "examined", "by": "Examiner One", "note": "", "at": "2026-11-29T09:15"}
    password = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    return [
        (f"/cases/{world.case_b}/assign", {"user": "analyst"}, "user.assign"),
        (f"/cases/{world.case_a}/unassign", {"user": "analyst"}, "user.unassign"),
        (f"/devices/{world.device_a}/custody", custody, "custody.log"),
        ("/users", {"name": "examiner.two", "role": "analyst"} | password, "user.add"),
        ("/users/analyst/disable", {}, "user.disable"),
    ]


def test_page_forms_without_the_right_csrf_token_change_nothing(
    web_world: World, client_for: Clients
) -> None:
    admin = client_for("admin")
    token = csrf(admin)
    for url, form, action in _change_routes(web_world):
        before = audit(web_world, action)
        for given in ({}, {"csrf_token": token[:-3] + "xyz"}, {"csrf_token": ""}):
            response = admin.post(url, data=form | given, follow_redirects=False)
            assert response.status_code == 403, (url, given)
            assert "The form had expired or did not come from phunt" in response.text
        assert audit(web_world, action) == before, url
        assert (
            admin.post(url, data=form | {"csrf_token": token}, follow_redirects=False).status_code
            == 303
        )
        assert len(audit(web_world, action)) == len(before) + 1, url
    reasons = [d["reason"] for _a, _p, d in audit(web_world, "access.denied")]
    assert reasons.count("CSRF token missing or wrong") == 3 * 5
