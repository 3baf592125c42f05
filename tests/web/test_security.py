"""Safe by default, on both databases: headers on every route, evidence shown as text,
login and logout, cookie flags, session rotation, login CSRF, ``next=`` and throttling.

The walks go over every route the app has, so each area added later is covered by them
with the world's ids filled in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import select
from starlette.routing import Mount
from starlette.testclient import TestClient

from phunt.accounts.access import Action, Viewer
from phunt.schema.audit import AuditRecord
from phunt.schema.chats import ChatMessage
from phunt.schema.ingest import EvidenceFile
from phunt.web.app import create_app, web_routes
from phunt.web.deps import DbSession, page_viewer, render

from .conftest import HOSTILE_FILE, HOSTILE_SENDER, HOSTILE_TEXT, World, login_client

PARAMS = {
    "operation_id": "operation_id",
    "raid_id": "raid_ids",
    "district_id": "district_ids",
    "case_id": "case_a",
    "suspect_id": "suspect_a",
    "device_id": "device_a",
    "file_id": "hostile_file_a",
    "chat_id": "chat_a",
    "name": "hash_set",
}


def _value(world: World, param: str) -> str:
    value = getattr(world, PARAMS.get(param, ""), None)
    if isinstance(value, list):
        value = value[0]
    return "1" if value is None else str(value)


def get_paths(app: FastAPI, world: World) -> Iterator[str]:
    """Every GET route of the app with the world's ids (device A, case A, its chat and the
    file with the hostile name) in its path parameters."""
    for route in web_routes(app):
        if "GET" in route.methods:
            yield re.sub(r"{(\w+)(:\w+)?}", lambda m: _value(world, m.group(1)), route.path)


def _hostile_probe(app: FastAPI) -> None:
    """A page showing the stored hostile file name and chat text through the templates."""
    router = APIRouter()

    @router.get("/probe/hostile")
    def hostile(
        request: Request, session: DbSession, viewer: Viewer = page_viewer(Action.VIEW_CASES)
    ) -> Any:
        path = session.scalars(
            select(EvidenceFile.path).where(EvidenceFile.path.endswith(HOSTILE_FILE))
        ).one()
        text = session.scalars(
            select(ChatMessage.text).where(ChatMessage.text.contains("<img"))
        ).one()
        return render(request, "error.html", viewer, title=path, text=text)

    app.include_router(router)


def _assert_headers(response: Any, path: str) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, path
    assert "frame-ancestors 'none'" in policy, path
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] == "no-referrer", path
    expected = "no-cache" if path.startswith("/static/") else "no-store"
    assert headers["cache-control"] == expected, path


def test_every_route_answers_with_the_security_headers(
    web_app: FastAPI, web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    anonymous = TestClient(web_app)
    admin = client_for("admin")
    paths = [*get_paths(web_app, web_world), "/no/such/page", "/api/v1/no/such", "/login"]
    mounts = [r.path for r in web_app.routes if isinstance(r, Mount)]
    assert mounts == ["/static"]
    paths += ["/static/css/phunt.css", "/static/vendor/htmx.org/htmx.min.js", "/static/none"]
    for client in (anonymous, admin):
        for path in paths:
            _assert_headers(client.get(path, follow_redirects=False), path)
    _assert_headers(anonymous.post("/login", data={}), "/login")
    _assert_headers(admin.post("/logout", data={}), "/logout")


def test_even_a_crash_answers_with_the_headers(web_app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/probe/crash")
    def crash() -> None:
        raise RuntimeError("a bug")

    web_app.include_router(router)
    response = TestClient(web_app, raise_server_exceptions=False).get("/probe/crash")
    assert response.status_code == 500 and response.text == "Internal Server Error"
    _assert_headers(response, "/probe/crash")


def test_an_idle_session_ends(web_world: World) -> None:
    app = create_app(web_world.settings, idle_timeout=timedelta(0))
    try:
        client = TestClient(app)
        assert login_client(client, "admin", web_world.passwords["admin"]).status_code == 303
        assert client.get("/login", follow_redirects=False).status_code == 200  # logged out
    finally:
        app.state.database.close()


def test_evidence_text_is_shown_escaped_on_every_page(
    web_app: FastAPI, web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    _hostile_probe(web_app)
    admin = client_for("admin")
    probe = admin.get("/probe/hostile")
    assert "&lt;svg onload=alert(&#34;file&#34;)&gt;.txt" in probe.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in probe.text
    raw = [HOSTILE_FILE.removesuffix(".txt"), "<img src=x", HOSTILE_SENDER]
    for path in [*get_paths(web_app, web_world), "/probe/hostile"]:
        response = admin.get(path)
        if response.headers.get("content-type", "").startswith("text/html"):
            for text in raw:
                assert text not in response.text, (path, text)
    with web_world.database.session() as s:  # the world really holds them, as they were
        messages = s.scalars(select(ChatMessage.text)).all()
        assert HOSTILE_TEXT in messages


def _cookies(response: Any) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_it(
    web_app: FastAPI, web_world: World
) -> None:
    client = TestClient(web_app)
    form = client.get("/login")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    login_cookie = _cookies(form)["phunt_login"]["phunt_login"]
    assert login_cookie["httponly"] and login_cookie["samesite"] == "strict"
    response = login_client(client, "analyst", web_world.passwords["analyst"])
    assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
    morsel = _cookies(response)["phunt_session"]["phunt_session"]
    assert morsel["httponly"] and morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/" and not morsel["secure"] and not morsel["max-age"]
    token = morsel.value
    assert client.get("/login", follow_redirects=False).status_code == 303  # logged in
    page = client.get("/nowhere")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    assert client.post("/logout", data={}).status_code == 403  # no token: refused
    out = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    _plant(client, token)  # the old cookie is worth nothing now
    assert client.get("/login", follow_redirects=False).status_code == 200
    with web_world.database.session() as s:
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions[-3:] == ["login", "access.denied", "logout"]


def test_tls_marks_the_cookie_secure(web_world: World) -> None:
    app = create_app(web_world.settings, secure_cookies=True)
    try:
        client = TestClient(app, base_url="https://testserver")
        response = login_client(client, "auditor", web_world.passwords["auditor"])
        assert _cookies(response)["phunt_session"]["phunt_session"]["secure"]
    finally:
        app.state.database.close()


def test_a_wrong_password_shows_one_message_and_sets_no_session(
    web_app: FastAPI, web_world: World
) -> None:
    client = TestClient(web_app)
    for name, password in (("analyst", "wrong-password"), ("nobody", "whatever-it-is")):
        response = login_client(client, name, password)
        assert response.status_code == 401
        assert "Wrong name or password" in response.text and "phunt_session" not in client.cookies
    with web_world.database.session() as s:
        failed = s.scalars(select(AuditRecord).where(AuditRecord.action == "login.failed")).all()
    assert len(failed) == 2


def _plant(client: TestClient, token: str) -> None:
    """Give ``client`` this session cookie and no other."""
    client.cookies.clear()
    client.cookies.set("phunt_session", token, domain="testserver.local")


def test_login_rotates_the_session_and_ignores_a_planted_one(
    web_app: FastAPI, web_world: World
) -> None:
    first = TestClient(web_app)
    login_client(first, "investigator", web_world.passwords["investigator"])
    old = first.cookies["phunt_session"]
    _plant(first, "planted-by-someone-else")
    login_client(first, "investigator", web_world.passwords["investigator"])
    assert first.cookies["phunt_session"] not in (old, "planted-by-someone-else")
    second = TestClient(web_app)
    _plant(second, old)  # the earlier session still stands on its own
    login_client(second, "investigator", web_world.passwords["investigator"])
    fresh = second.cookies["phunt_session"]
    assert fresh != old
    third = TestClient(web_app)
    _plant(third, old)  # ended by the login that brought it along
    assert third.get("/login", follow_redirects=False).status_code == 200
    _plant(third, fresh)
    assert third.get("/login", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_token(web_app: FastAPI, web_world: World) -> None:
    client = TestClient(web_app)
    client.get("/login")
    form = {"name": "admin", "password": web_world.passwords["admin"], "next": "/"}
    assert client.post("/login", data=form).status_code == 403
    assert client.post("/login", data=form | {"csrf_token": "forged"}).status_code == 403
    assert "phunt_session" not in client.cookies


@pytest.mark.parametrize(
    ("given", "goes_to"),
    [
        ("/cases/3?tab=devices", "/cases/3?tab=devices"),
        ("//evil.example/x", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
        ("/ok\r\nSet-Cookie: x=1", "/dashboard"),
        ("", "/dashboard"),
    ],
)
def test_next_leads_only_to_paths_of_this_site(given: str, goes_to: str) -> None:
    from phunt.web.pages.login import safe_next

    assert safe_next(given) == goes_to


def test_throttled_logins_say_how_long_to_wait(web_app: FastAPI, web_world: World) -> None:
    client = TestClient(web_app)
    for _ in range(50):
        response = login_client(client, "supervisor", "not-the-password")
        if response.status_code != 401:
            break
    assert response.status_code == 429
    wait = int(response.headers["retry-after"])
    assert wait > 0 and f"Try again in {wait} seconds" in response.text
    right = login_client(client, "supervisor", web_world.passwords["supervisor"])
    assert right.status_code == 429  # throttled before the password is looked at
