"""The audit-log page and API on both databases: figures equal the database's, filters,
the chain's status (intact, then broken by an edit made behind phunt's back), escaped
details, who may read it, and an auditor who reads everything and changes nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from phunt.accounts.access import may
from phunt.audit.store import append
from phunt.schema.audit import AuditRecord
from phunt.web.app import web_routes

from .conftest import World

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: Routes anyone may post to: the login form, and logging out of one's own session.
OPEN_POSTS = {"/login", "/logout"}


def _seqs(page: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'<tr(?: class="flag")?>\s*<td class="num">(\d+)</td>', page)
    ]


def _count(world: World, *where: object) -> int:
    with world.database.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRecord).where(*where)) or 0)


def test_the_log_is_newest_first_with_the_databases_figures(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    client = client_for("auditor")
    page = client.get("/audit?per_page=5")
    assert page.status_code == 200
    with web_world.database.session() as s:
        newest = list(s.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq.desc())))
    total = len(newest)
    assert _seqs(page.text) == newest[:5]
    assert f"({total} in all)" in page.text
    assert f"Chain intact: all {total} records verify." in page.text
    oldest = client.get("/audit?per_page=2&desc=0")
    assert _seqs(oldest.text) == sorted(newest)[:2]


def test_filters_select_what_the_database_holds(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    with web_world.database.session() as s:
        append(s, "case.note", "case", web_world.case_b, {"note": "x"}, actor="asha")
        append(s, "case.note", "case", web_world.case_a, {"note": "y"}, actor="asha")
    client = client_for("supervisor")
    by_actor = client.get("/audit?actor=asha")
    by_action = client.get("/audit?action=hashset")
    by_object = client.get(f"/audit?object_type=case&object_id={web_world.case_b}")
    assert len(_seqs(by_actor.text)) == _count(web_world, AuditRecord.actor == "asha") == 2
    hashset_actions = AuditRecord.action.like("hashset.%")
    assert len(_seqs(by_action.text)) == _count(web_world, hashset_actions) >= 1
    on_case_b = (AuditRecord.object_type == "case", AuditRecord.object_id == str(web_world.case_b))
    assert len(_seqs(by_object.text)) == _count(web_world, *on_case_b) >= 2
    assert '<option value="asha" selected>asha</option>' in by_actor.text
    assert client.get("/audit?actor=nobody").text.count("No record matches.") == 1


def test_a_tampered_log_shows_where_its_chain_breaks(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    with web_world.database.session() as s:
        s.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(actor="mallory"))
    page = client_for("admin").get("/audit?desc=0&per_page=3")
    assert "Chain BROKEN at record 2: altered" in page.text
    assert re.search(r'<tr class="flag">\s*<td class="num">2</td>', page.text)
    api = TestClient(_app(client_for), headers=_bearer(token_for))
    chain = api.get("/api/v1/audit").json()["chain"]
    assert (chain["ok"], chain["first_bad"], chain["problem"]) == (False, 2, "altered")


def _app(client_for: Callable[[str], TestClient]) -> FastAPI:
    app = client_for("auditor").app
    assert isinstance(app, FastAPI)
    return app


def _bearer(token_for: Callable[[str], str], role: str = "auditor") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(role)}"}


def test_details_from_evidence_are_shown_as_text(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    hostile = "<img src=x onerror=alert(1)>.jpg"
    with web_world.database.session() as s:
        append(s, "file.note", "file", 1, {"name": hostile}, actor="<b>someone</b>")
    page = client_for("auditor").get("/audit?action=file.note").text
    assert hostile not in page and "<b>someone</b>" not in page
    assert hostile in html.unescape(page) and "<b>someone</b>" in html.unescape(page)


def test_the_api_gives_the_page_and_the_chain(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    api = TestClient(_app(client_for), headers=_bearer(token_for, "supervisor"))
    body = api.get("/api/v1/audit?per_page=3").json()
    with web_world.database.session() as s:
        stored = list(s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(3)))
    assert body["chain"]["ok"] and body["total"] == body["chain"]["records"] >= 3
    assert [(r["seq"], r["hash"], r["actor"]) for r in body["items"]] == [
        (r.seq, r.hash, r.actor) for r in stored
    ]
    assert body["items"][0]["at"].endswith("+05:30")
    only = api.get("/api/v1/audit?action=login&desc=false").json()
    assert {r["action"] for r in only["items"]} <= {"login"} and only["total"] >= 1


def test_an_analyst_and_an_investigator_get_403(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    for role in ("analyst", "investigator"):
        client = client_for(role)
        api = TestClient(client.app, headers=_bearer(token_for, role))
        before = _count(web_world)
        page = client.get("/audit")
        assert page.status_code == 403 and "Audit log" not in page.text
        assert "/audit" not in re.sub(r"<main>.*", "", page.text, flags=re.S)  # no nav link
        assert api.get("/api/v1/audit").status_code == 403
        assert _count(web_world) == before + 2  # both refusals are in the log
    assert TestClient(_app(client_for)).get("/api/v1/audit").status_code == 401


def test_an_auditor_reads_everything_and_changes_nothing(
    web_world: World, client_for: Callable[[str], TestClient], token_for: Callable[[str], str]
) -> None:
    client = client_for("auditor")
    page = client.get("/audit")
    assert page.status_code == 200
    forms = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', page.text)
    assert forms == ["/logout"]  # the log offers nothing to change
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    api = TestClient(client.app, headers=_bearer(token_for))
    changes = [r for r in web_routes(client.app) if r.methods & UNSAFE and r.path not in OPEN_POSTS]
    for route in changes:
        assert not all(may("auditor", action) for action in route.actions), route.path
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods & UNSAFE):
            if route.api:
                response = api.request(method, path, json={})
            else:
                response = client.request(method, path, data={"csrf_token": token.group(1)})
            assert response.status_code == 403, (method, route.path)
