"""The web core on both databases: discovery, the viewer dependencies, errors, paging,
rendering and the vendored files.

Probe routes built on :mod:`phunt.web.deps` stand for an area's routes, so the core's
rules are tested whichever areas exist; the authorisation walk over the real routes is
``test_authz.py``'s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.accounts.access import Action, Viewer
from phunt.audit.store import append
from phunt.cases.case_files import get_case
from phunt.schema.audit import AuditRecord
from phunt.web import app as web_app_module
from phunt.web.app import web_routes
from phunt.web.csrf import check_csrf
from phunt.web.deps import DbSession, api_viewer, check_case, page_viewer, render
from phunt.web.paging import Paging, paging
from phunt.web.render import hexshort, localtime, templates

from .conftest import TZ, World

STATIC = Path(web_app_module.__file__).parent / "static"


def _probes() -> tuple[APIRouter, APIRouter]:
    """A page and an API route of each kind the areas write."""
    pages, api = APIRouter(), APIRouter(prefix="/api/v1/probe")

    @pages.get("/probe/cases/{case_id}")
    def case_page(
        request: Request,
        case_id: int,
        session: DbSession,
        viewer: Viewer = page_viewer(Action.VIEW_CASES),
    ) -> Any:
        check_case(viewer, case_id)
        case = get_case(session, case_id)
        return render(request, "error.html", viewer, title="Case", text=case.number)

    @pages.get("/probe/audit")
    def audit_page(request: Request, viewer: Viewer = page_viewer(Action.VIEW_AUDIT)) -> Any:
        return render(request, "error.html", viewer, title="Audit", text="allowed")

    @pages.post("/probe/note")
    def note(session: DbSession, viewer: Viewer = page_viewer(Action.VIEW_CASES)) -> Any:
        append(session, "probe.note", "probe", 1, {})
        return {"by": viewer.name}

    @pages.get("/probe/list")
    def listing(p: Paging = paging(("name", "opened"), "opened")) -> Any:
        return {"page": p.page, "per_page": p.per_page, "sort": p.sort, "desc": p.desc,
                "next": p.link(page=p.page + 1), "offset": p.offset}  # fmt: skip

    @api.get("/cases/{case_id}")
    def case_api(
        case_id: int, session: DbSession, viewer: Viewer = api_viewer(Action.VIEW_CASES)
    ) -> Any:
        check_case(viewer, case_id)
        return {"number": get_case(session, case_id).number}

    @api.get("/audit")
    def audit_api(viewer: Viewer = api_viewer(Action.VIEW_AUDIT)) -> Any:
        return {"ok": True}

    return pages, api


@pytest.fixture
def probed(web_app: FastAPI) -> FastAPI:
    pages, api = _probes()
    web_app.include_router(pages, include_in_schema=False, dependencies=[Depends(check_csrf)])
    web_app.include_router(api)
    return web_app


@pytest.fixture
def client_of(
    probed: FastAPI, client_for: Callable[[str], TestClient]
) -> Callable[[str], TestClient]:
    return client_for


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, read off the logout form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/nowhere").text)
    assert found is not None
    return found.group(1)


def test_core_routes_are_found_and_pages_stay_out_of_the_openapi_document(
    web_app: FastAPI, web_world: World
) -> None:
    paths = {(route.path, method) for route in web_routes(web_app) for method in route.methods}
    assert {("/", "GET"), ("/login", "GET"), ("/login", "POST"), ("/logout", "POST")} <= paths
    client = TestClient(web_app)
    document = client.get("/api/v1/openapi.json").json()
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    assert client.get("/docs").status_code == 404  # no documentation page that needs a CDN
    first = client.get("/", follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (303, "/dashboard")


def test_an_api_router_outside_the_prefix_is_refused(
    monkeypatch: pytest.MonkeyPatch, web_world: World
) -> None:
    stray = APIRouter(prefix="/cases")
    stray.get("/x")(lambda: {})
    monkeypatch.setattr(web_app_module, "_routers", lambda package: [stray])
    with pytest.raises(RuntimeError, match="not under /api/v1/"):
        web_app_module.create_app(web_world.settings)


def test_anonymous_pages_go_to_login_and_anonymous_api_gets_401(
    probed: FastAPI, web_world: World
) -> None:
    client = TestClient(probed)
    page = client.get(f"/probe/cases/{web_world.case_a}?x=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/probe/cases/{web_world.case_a}%3Fx%3D1"
    api = client.get(f"/api/v1/probe/cases/{web_world.case_a}")
    assert (api.status_code, api.json()) == (401, {"detail": "not authenticated"})
    assert api.headers["www-authenticate"] == "Bearer"
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get(f"/api/v1/probe/cases/{web_world.case_a}", headers=bad).status_code == 401


def test_out_of_scope_and_unknown_ids_answer_the_same_404(
    client_of: Callable[[str], TestClient],
    token_for: Callable[[str], str],
    web_world: World,
) -> None:
    analyst = client_of("analyst")
    own = analyst.get(f"/probe/cases/{web_world.case_a}")
    assert own.status_code == 200 and "CR 101/2026" in own.text
    other = analyst.get(f"/probe/cases/{web_world.case_b}")
    unknown = analyst.get("/probe/cases/999999")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text and "CR 202/2026" not in other.text
    assert client_of("supervisor").get(f"/probe/cases/{web_world.case_b}").status_code == 200
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    api_other = analyst.get(f"/api/v1/probe/cases/{web_world.case_b}", headers=headers)
    api_unknown = analyst.get("/api/v1/probe/cases/999999", headers=headers)
    assert api_other.status_code == api_unknown.status_code == 404
    assert api_other.json() == api_unknown.json() == {"detail": "not found"}
    mine = analyst.get(f"/api/v1/probe/cases/{web_world.case_a}", headers=headers)
    assert mine.json() == {"number": "CR 101/2026"}


def test_a_role_without_the_action_gets_403_and_the_refusal_is_audited(
    client_of: Callable[[str], TestClient], token_for: Callable[[str], str], web_world: World
) -> None:
    assert client_of("auditor").get("/probe/audit").status_code == 200
    refused = client_of("analyst").get("/probe/audit")
    assert refused.status_code == 403 and "refusal has been recorded" in refused.text
    headers = {"Authorization": f"Bearer {token_for('investigator')}"}
    api = TestClient(client_of("admin").app).get("/api/v1/probe/audit", headers=headers)
    assert (api.status_code, api.json()) == (403, {"detail": "not allowed"})
    with web_world.database.session() as s:
        denied = s.scalars(select(AuditRecord).where(AuditRecord.action == "access.denied")).all()
    assert {(r.actor, r.object_id) for r in denied} == {
        ("analyst", "/probe/audit"),
        ("investigator", "/api/v1/probe/audit"),
    }


def test_the_api_never_takes_the_session_cookie(client_of: Callable[[str], TestClient]) -> None:
    admin = client_of("admin")
    assert admin.get("/probe/audit").status_code == 200
    assert admin.get("/api/v1/probe/audit").status_code == 401


def test_the_viewer_is_the_actor_of_what_the_request_audits(
    client_of: Callable[[str], TestClient], web_world: World
) -> None:
    client = client_of("investigator")
    response = client.post("/probe/note", data={"csrf_token": csrf_of(client)})
    assert response.json() == {"by": "investigator"}
    with web_world.database.session() as s:
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "probe.note")).one()
    assert record.actor == "investigator"


def test_unsafe_page_requests_need_the_sessions_csrf_token(
    client_of: Callable[[str], TestClient], web_world: World
) -> None:
    client = client_of("investigator")
    token = csrf_of(client)
    missing = client.post("/probe/note", data={})
    wrong = client.post("/probe/note", data={"csrf_token": token[:-2] + "xx"})
    assert missing.status_code == wrong.status_code == 403
    assert "did not come from phunt" in wrong.text
    assert client.post("/probe/note", headers={"X-CSRF-Token": token}).status_code == 200
    other = client_of("admin")  # another session's token is not this one's
    assert other.post("/probe/note", data={"csrf_token": token}).status_code == 403
    with web_world.database.session() as s:
        notes = s.scalars(select(AuditRecord).where(AuditRecord.action == "probe.note")).all()
    assert len(notes) == 1


def test_paging_is_validated_and_links_keep_the_filters(
    client_of: Callable[[str], TestClient],
) -> None:
    client = client_of("analyst")
    got = client.get("/probe/list?device=7&page=2&per_page=10&sort=name&desc=1").json()
    assert got == {
        "page": 2,
        "per_page": 10,
        "sort": "name",
        "desc": True,
        "next": "?device=7&page=3&per_page=10&sort=name&desc=1",
        "offset": 10,
    }
    assert client.get("/probe/list").json()["sort"] == "opened"
    for bad in ("page=0", "per_page=501", "sort=password", "desc=maybe", "page=-1"):
        assert client.get(f"/probe/list?{bad}").status_code == 400, bad
    assert Paging(1, 50, "name", False).pages(0) == 1
    assert Paging(1, 50, "name", False).pages(101) == 3


def test_unknown_addresses_are_404_pages_or_json(client_of: Callable[[str], TestClient]) -> None:
    client = client_of("analyst")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "analyst (analyst)" in page.text  # the nav stays
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no/such/thing")
    assert (api.status_code, api.json()) == (404, {"detail": "not found"})
    bad_id = client.get("/probe/cases/not-a-number")
    assert bad_id.status_code == 400 and bad_id.headers["content-type"].startswith("text/html")


def test_times_show_in_the_configured_zone_and_hashes_short() -> None:
    at = datetime(2026, 11, 28, 0, 30, 5, tzinfo=UTC)
    assert localtime(at, TZ) == "28/11/2026 06:00:05 IST"
    assert localtime(at.replace(tzinfo=None), TZ) == "28/11/2026 06:00:05 IST"
    assert localtime(None, TZ) == ""
    assert hexshort("0123456789abcdef0123") == "0123456789ab…"
    assert hexshort(bytes.fromhex("00ff")) == "00ff"
    assert hexshort(None) == ""


def test_every_route_declares_the_action_it_checks(probed: FastAPI) -> None:
    """The authorisation walk reads ``phunt_action`` off each route's viewer dependency."""
    by_path = {(r.path, *sorted(r.methods)): r for r in web_routes(probed)}
    assert by_path["/probe/audit", "GET"].actions == {Action.VIEW_AUDIT}
    assert not by_path["/probe/audit", "GET"].api
    api = by_path["/api/v1/probe/cases/{case_id}", "GET"]
    assert api.actions == {Action.VIEW_CASES} and api.api
    assert by_path["/login", "GET"].actions == set()
    assert by_path["/probe/note", "POST"].actions == {Action.VIEW_CASES}


def test_static_files_and_the_vendored_htmx(web_app: FastAPI, web_world: World) -> None:
    client = TestClient(web_app)
    css = client.get("/static/css/phunt.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    htmx = client.get("/static/vendor/htmx.org/htmx.min.js")
    assert htmx.status_code == 200
    readme = (STATIC / "vendor" / "htmx.org" / "README.md").read_text()
    assert hashlib.sha256(htmx.content).hexdigest() in readme
    assert "version 2." in readme and (STATIC / "vendor" / "htmx.org" / "LICENSE").is_file()
    assert client.get("/static/../app.py").status_code == 404


def test_the_macros_page_sort_and_escape() -> None:
    template = templates(TZ).env.from_string(
        '{% import "macros.html" as m %}{{ m.pager(p, 120) }}|{{ m.sort_th(p, "name", "Name") }}'
        '|{{ m.sort_th(p, "opened", "Opened") }}|{{ m.kv([("File", "<b>x</b>"), ("Size", none)]) }}'
    )
    paging = Paging(2, 50, "name", False, (("device", "7"),))
    pager, by_name, by_opened, kv = template.render(p=paging).split("|")
    assert 'href="?device=7&amp;page=1&amp;per_page=50&amp;sort=name&amp;desc=0">Previous' in pager
    assert 'href="?device=7&amp;page=3&amp;per_page=50&amp;sort=name&amp;desc=0">Next' in pager
    assert "Page 2 of 3 (120 in all)" in pager
    assert 'aria-sort="ascending"' in by_name and "desc=1" in by_name and "page=1" in by_name
    assert "aria-sort" not in by_opened and "sort=opened" in by_opened
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in kv and "<td>—</td>" in kv
