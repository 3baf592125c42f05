"""The authorisation walk, on both databases: every route the app has, for every role and
for no one, against the one table in :mod:`phunt.accounts.access`; another case's ids in
every route and API (IDOR); CSRF; session fixation; login throttling per account and per
address; a disabled user; the idle timeout.

The walk is generic: it reads the routes off the app (each viewer dependency carries the
``phunt_action`` it checks) and fills path and query parameters from the world by their
names, so a page or API added later is walked without editing this file; a parameter the
walk cannot fill, or a route that checks no action and is not one of the open ones, fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import product
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select, update
from starlette.testclient import TestClient

from phunt.accounts import passwords
from phunt.accounts import store as accounts
from phunt.accounts.access import ROLES, Action, may
from phunt.analysis.people import build_network
from phunt.audit.store import acting_as
from phunt.schema.accounts import WebSession
from phunt.schema.audit import AuditRecord
from phunt.schema.types import utcnow
from phunt.web.app import CSRF_MESSAGE, create_app, web_routes
from phunt.web.csrf import UNSAFE

from .conftest import World, login_client

#: Routes open to anyone: the front door, logging in and out, the API's description.
OPEN = {
    ("/", "GET"),
    ("/login", "GET"),
    ("/login", "POST"),
    ("/logout", "POST"),
    ("/api/v1/openapi.json", "GET"),
}
#: Kinds of object that belong to a case: another case's are answered like unknown ones.
SCOPED = ("case", "suspect", "device", "file", "chat", "person", "lead", "target", "plan")
#: What case B's pages would show: none of it may reach a viewer of case A only.
CASE_B_MARKERS = ("CR 202/2026", "EV-B/1", "Bindu Sample", "Harbour Traders", "Chitra Test")
#: Parameter names that are not "<kind>_id" or "<kind>".
ALIASES = {"name": "hashset", "hash_set": "hashset", "set_name": "hashset", "people": "person"}
#: A read under a path segment named here checks that action; any other read a plain one.
READS = {
    "audit": Action.VIEW_AUDIT,
    "hashsets": Action.VIEW_HASHSETS,
    "dashboard": Action.VIEW_STATS,
    "stats": Action.VIEW_STATS,
    "users": Action.MANAGE_USERS,
    "review": Action.REVIEW,  # thumbnails: a read, but only for the roles that review
}
VIEWS = frozenset({Action.VIEW_STATS, Action.VIEW_CASES, Action.VIEW_HASHSETS})
UNKNOWN = "987654"
LEADS = ("lead", "target", "plan")  # of the leads the world adds (tests/web/leads_world.py)
ASSIGNED = ("investigator", "analyst")  # assigned to case A only
#: The issue's stable URLs and API resources: the walk must find each of them.
RESOURCES = ("operations", "raids", "cases", "suspects", "devices", "files", "chats", "people")
PAGES = ("operations", "cases", "devices", "files", "chats", "people", "hashsets")
STABLE = {
    "/login",
    "/audit",
    *(f"/{area}/{{}}" for area in PAGES),
    *(f"/api/v1/{plural}/{{}}" for plural in (*RESOURCES, "hashsets")),
}


@dataclass(frozen=True)
class Ids:
    """A kind's values: those every role sees, case B's (for a scoped kind), an unknown one."""

    visible: tuple[str, ...]
    other: str | None = None
    unknown: str = UNKNOWN


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    actions: frozenset[Action]
    api: bool
    path_params: tuple[str, ...]
    query_params: tuple[tuple[str, bool], ...]  # (name, required)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _people(world: World) -> tuple[str, str]:
    """A person seen only on case A's device, and one seen only on case B's."""
    with world.database.session() as s:
        people = build_network(s).people
    only = {d: next(p.id for p in people if p.devices == [d]) for d in ("EV-A/1", "EV-B/1")}
    return only["EV-A/1"], only["EV-B/1"]


def world_ids(world: World) -> dict[str, Ids]:
    person_a, person_b = _people(world)
    return {
        "operation": Ids((str(world.operation_id),)),
        "raid": Ids(tuple(map(str, world.raid_ids))),
        "district": Ids(tuple(map(str, world.district_ids))),
        "hashset": Ids((world.hash_set,), unknown="no-such-set"),
        "version": Ids(("1",)),  # of the hash set
        "case": Ids((str(world.case_a),), str(world.case_b)),
        "suspect": Ids((str(world.suspect_a),), str(world.suspect_b)),
        "device": Ids((str(world.device_a),), str(world.device_b)),
        "file": Ids((str(world.matched_file_a),), str(world.matched_file_b)),
        "chat": Ids((str(world.chat_a),), str(world.chat_b)),
        "person": Ids((person_a,), person_b, "phone:+910000000000"),
        # A user no one is: the walk's changes (disable, unassign) then change nothing (400).
        "user": Ids(("no-such-user",), unknown="no-such-user-either"),
        **{k: Ids((str(world.extra[f"{k}_a"]),), str(world.extra[f"{k}_b"])) for k in LEADS},
    }


def kind_of(param: str) -> str:
    """The kind of object a parameter names: ``device_id`` and ``device`` name a device."""
    return ALIASES.get(param, param.removesuffix("_id"))


def _query_params(dependant: Any) -> list[tuple[str, bool]]:
    found, todo = [], [dependant]
    while todo:
        dep = todo.pop()
        found += [(p.alias, p.field_info.is_required()) for p in getattr(dep, "query_params", [])]
        todo += getattr(dep, "dependencies", [])
    return found


def app_routes(app: FastAPI) -> list[Route]:
    """Every (path, method) of the app, with what its viewer checks and its parameters."""
    dependants = {
        (r.path, frozenset(r.methods or ())): r.dependant
        for r in iter_route_contexts(app.routes)
        if r.endpoint is not None and hasattr(r, "dependant")
    }
    routes = []
    for web in web_routes(app):
        dependant = dependants.get((web.path, web.methods))  # None: Starlette's own
        path_params = tuple(re.findall(r"{(\w+)(?::\w+)?}", web.path))
        query = tuple(_query_params(dependant))
        for method in sorted(web.methods - {"HEAD", "OPTIONS"}):
            routes.append(Route(web.path, method, web.actions, web.api, path_params, query))
    return routes


class Walker:
    """Builds each route's URL from chosen values, and sends it as a role or as no one."""

    def __init__(self, app: FastAPI, world: World, tokens: dict[str, str]) -> None:
        self.app, self.world, self.tokens = app, world, tokens
        self.ids = world_ids(world)
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str] = {}

    def client(self, role: str | None) -> TestClient:
        """A logged-in client of ``role`` (None: anonymous), made once."""
        key = role or ""
        if key not in self.clients:
            client = TestClient(self.app)
            if role is not None:
                assert login_client(client, role, self.world.passwords[role]).status_code == 303
                self.csrf[role] = csrf_token(client)
            self.clients[key] = client
        return self.clients[key]

    def value(self, route: Route, param: str, choice: dict[str, str]) -> str:
        kind = kind_of(param)
        if kind not in self.ids:
            pytest.fail(f"{route}: the walk has no value for parameter {param!r}: add it to Ids")
        return choice.get(kind, self.ids[kind].visible[0])

    def url(self, route: Route, choice: dict[str, str], query_kinds: tuple[str, ...] = ()) -> str:
        """The route's URL with ``choice`` (kind -> value; others: the first visible one);
        query parameters when required or when their kind is in ``query_kinds``."""

        def fill(m: re.Match[str]) -> str:
            return quote(self.value(route, m.group(1), choice), safe="")

        path = re.sub(r"{(\w+)(?::\w+)?}", fill, route.path)
        query = {}
        for name, required in route.query_params:
            if required or kind_of(name) in query_kinds:
                query[name] = self.value(route, name, choice)
        return path + ("?" + urlencode(query) if query else "")

    def send(self, route: Route, role: str | None, url: str) -> Any:
        client = self.client(role)
        headers = {}
        if route.api and role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        if not route.api and role is not None and route.method in UNSAFE:
            headers["X-CSRF-Token"] = self.csrf[role]
        return client.request(route.method, url, headers=headers, follow_redirects=False)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def csrf_token(client: TestClient) -> str:
    """The session's CSRF token, read off the logout form every page carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/no-such-page").text)
    assert found is not None, "a logged-in page carries the session's CSRF token"
    return found.group(1)


@pytest.fixture
def walker(web_world: World, web_app: FastAPI, token_for: Callable[[str], str]) -> Iterator[Walker]:
    walk = Walker(web_app, web_world, {role: token_for(role) for role in ROLES})
    try:
        yield walk
    finally:
        walk.close()


def _guarded(app: FastAPI) -> list[Route]:
    return [r for r in app_routes(app) if (r.path, r.method) not in OPEN]


def test_every_route_checks_an_action_or_is_open(web_app: FastAPI) -> None:
    """A route that forgot its viewer dependency would be open to anyone: none is."""
    unchecked = [str(r) for r in _guarded(web_app) if not r.actions]
    assert unchecked == []
    assert {(r.path, r.method) for r in app_routes(web_app)} >= OPEN


def test_every_route_checks_the_action_it_performs(web_app: FastAPI) -> None:
    """Reads of the audit log, hash sets and statewide figures check theirs, other reads a
    plain read action, and a change (an unsafe method) never only a read action."""
    wrong = []
    for route in _guarded(web_app):
        segments = set(route.path.split("/"))
        if route.method in UNSAFE:
            if route.actions <= VIEWS | {Action.VIEW_AUDIT}:
                wrong.append(f"{route} changes something but checks only {set(route.actions)}")
            continue
        named = {READS[s] for s in segments if s in READS}
        if named and not named <= route.actions:
            wrong.append(f"{route} checks {set(route.actions)}, not {named}")
        if not named and not route.actions <= VIEWS:
            wrong.append(f"{route} checks {set(route.actions)}, not a plain read")
    assert wrong == [], "\n".join(wrong)


def test_every_route_for_every_role_follows_the_table(
    walker: Walker, web_app: FastAPI, web_world: World
) -> None:
    """Allowed: answered (200 for a read); refused: 403, recorded in the audit log with
    the user's name and the address asked for; no one: the login page or 401."""
    wrong, refused = [], []
    for route, role in product(_guarded(web_app), (*ROLES, None)):
        response = walker.send(route, role, walker.url(route, {}))
        status = response.status_code
        if role is None:
            if not route.api and route.method in UNSAFE:
                # A change from no session carries no CSRF token: refused before anything,
                # and the refusal is recorded like any other.
                refused.append(("anonymous", response.url.path))
                if status != 403 or CSRF_MESSAGE not in response.text:
                    wrong.append(f"{route} anonymous: {status}")
                continue
            expected_anonymous = 401 if route.api else 303
            if status != expected_anonymous or (
                not route.api and not response.headers["location"].startswith("/login?next=")
            ):
                wrong.append(f"{route} anonymous: {status}")
            continue
        allowed = all(may(role, action) for action in route.actions)
        if not allowed:
            refused.append((role, response.url.path))
        if not allowed and status != 403:
            wrong.append(f"{route} as {role}: {status}, the table says 403")
        if allowed and (status in (401, 403, 404) or status >= 500):
            wrong.append(f"{route} as {role}: {status}, the table allows it")
        if allowed and route.method == "GET" and status != 200:
            wrong.append(f"{route} as {role}: {status} for a read it may make")
    assert wrong == [], "\n".join(wrong)
    with web_world.database.session() as s:
        denied = s.scalars(select(AuditRecord).where(AuditRecord.action == "access.denied"))
        recorded = sorted((r.actor, r.object_id) for r in denied)
    assert refused and recorded == sorted(refused)


def _scoped_variants(
    walker: Walker, route: Route
) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """For each parameter naming an object of a case: (what, URL with case B's object,
    URL with an unknown one, the two values when a query may echo them), the other
    parameters at case A's objects."""
    named = [(p, False) for p in route.path_params]
    named += [(name, True) for name, _required in route.query_params]
    for param, in_query in named:
        kind = kind_of(param)
        if kind not in SCOPED:
            continue
        ids = walker.ids[kind]
        assert ids.other is not None
        query = (kind,) if in_query else ()
        yield (
            f"{route} with ?{param}=" if in_query else f"{route} with {param}",
            walker.url(route, {kind: ids.other}, query),
            walker.url(route, {kind: ids.unknown}, query),
            (ids.other, ids.unknown) if in_query else (),
        )


def _echo_free(text: str, *values: str) -> str:
    """``text`` with each of ``values`` standing alone replaced: a listing filtered by a
    parent may repeat the id it was given (in its links), which confirms nothing."""
    for value in values:
        text = re.sub(rf"(?<![\w%+:-]){re.escape(quote(value, safe=''))}(?![\w%])", "ID", text)
        text = re.sub(rf"(?<![\w%+:-]){re.escape(value)}(?![\w%])", "ID", text)
    return text


def test_another_cases_ids_answer_like_unknown_ones(walker: Walker, web_app: FastAPI) -> None:
    """IDOR: for the investigator and the analyst (case A only), case B's object in any
    route or API answers exactly as an id that does not exist (a 404 for a read; a
    listing filtered by it may repeat the id given), and the roles that see all get it."""
    wrong, walked = [], 0
    for route in _guarded(web_app):
        for what, other, unknown, values in _scoped_variants(walker, route):
            walked += 1
            for role in ASSIGNED:
                got, none = walker.send(route, role, other), walker.send(route, role, unknown)
                texts = (got.text, none.text)
                if values:
                    texts = (_echo_free(got.text, *values), _echo_free(none.text, *values))
                if got.status_code != none.status_code or texts[0] != texts[1]:
                    wrong.append(
                        f"{what} as {role}: {got.status_code}, unknown gave {none.status_code}"
                    )
                if route.method == "GET" and got.status_code != 404 and "?" not in what:
                    wrong.append(f"{what} as {role}: {got.status_code}, not 404")
            if route.method == "GET" and "?" not in what:
                for role in ("supervisor", "auditor"):
                    status = walker.send(route, role, other).status_code
                    if status != 200 and all(may(role, a) for a in route.actions):
                        wrong.append(f"{what} as {role} (sees all): {status}")
    assert wrong == [], "\n".join(wrong)
    if any(r.path_params for r in _guarded(web_app)):
        assert walked > 0


def test_nothing_of_case_b_reaches_a_viewer_of_case_a(walker: Walker, web_app: FastAPI) -> None:
    """Every read the investigator and analyst may make, with every object they may see
    in its path and its filters (both raids, both districts: raids are visible to all,
    their case lists filtered), shows nothing of case B."""
    leaks = []
    for route in _guarded(web_app):
        if route.method != "GET" or not all(may("analyst", a) for a in route.actions):
            continue
        kinds = [kind_of(p) for p in route.path_params]
        filters = tuple(
            kind_of(name)
            for name, _required in route.query_params
            if kind_of(name) in walker.ids and kind_of(name) not in kinds
        )
        for values in product(*(walker.ids[k].visible for k in (*kinds, *filters))):
            url = walker.url(route, dict(zip((*kinds, *filters), values, strict=True)), filters)
            for role in ASSIGNED:
                text = walker.send(route, role, url).text
                leaks += [f"{url} as {role}: {m!r}" for m in CASE_B_MARKERS if m in text]
    assert leaks == [], "\n".join(leaks)


def test_unsafe_page_requests_without_the_right_csrf_token_are_refused(
    walker: Walker, web_app: FastAPI, web_world: World
) -> None:
    """Every unsafe page route (login and logout included), as the admin who may do
    anything: no token and a wrong token are refused (403) and recorded."""
    unsafe = [r for r in app_routes(web_app) if not r.api and r.method in UNSAFE]
    assert {(r.path, r.method) for r in unsafe} >= {("/login", "POST"), ("/logout", "POST")}
    admin = walker.client("admin")
    wrong = []
    for route in unsafe:
        url = walker.url(route, {})
        token = walker.csrf["admin"]
        for label, data in (("missing", {}), ("wrong", {"csrf_token": token[:-3] + "xyz"})):
            response = admin.request(route.method, url, data=data, follow_redirects=False)
            if response.status_code != 403 or CSRF_MESSAGE not in response.text:
                wrong.append(f"{route} token {label}: {response.status_code}")
        forged = admin.request(
            route.method, url, headers={"X-CSRF-Token": "forged"}, follow_redirects=False
        )
        if forged.status_code != 403:
            wrong.append(f"{route} forged header: {forged.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert csrf_token(admin) == walker.csrf["admin"]  # still logged in: logout was refused
    with web_world.database.session() as s:
        denials = s.scalars(select(AuditRecord).where(AuditRecord.action == "access.denied"))
        reasons = [r.details["reason"] for r in denials]
    assert reasons.count("CSRF token missing or wrong") == 3 * len(unsafe)


def test_a_session_planted_before_login_is_not_the_one_after(
    web_app: FastAPI, web_world: World
) -> None:
    """Fixation: an attacker's own session cookie put in the victim's browser is replaced
    at the victim's login, and never becomes the victim's session."""
    attacker = TestClient(web_app)
    login_client(attacker, "analyst", web_world.passwords["analyst"])
    planted = attacker.cookies["phunt_session"]
    victim = TestClient(web_app)
    victim.cookies.set("phunt_session", planted, domain="testserver.local")
    before = dict(victim.cookies)
    assert login_client(victim, "supervisor", web_world.passwords["supervisor"]).status_code == 303
    after = victim.cookies["phunt_session"]
    assert after not in (planted, *before.values())
    assert "phunt_login" not in victim.cookies  # the login form's token went with the login
    attacker.cookies.clear()
    attacker.cookies.set("phunt_session", planted, domain="testserver.local")
    assert attacker.get("/login", follow_redirects=False).status_code == 200  # not logged in
    victim_page = victim.get("/no-such-page")
    assert "supervisor (supervisor)" in victim_page.text
    attacker.close()
    victim.close()


def _try(app: FastAPI, name: str, password: str, address: str) -> int:
    """A login through the form from ``address``; its status."""
    client = TestClient(app, client=(address, 50000))
    try:
        return int(login_client(client, name, password).status_code)
    finally:
        client.close()


def test_login_is_throttled_per_account(web_app: FastAPI, web_world: World) -> None:
    """Five wrong passwords for one account, from five addresses: the right password is
    refused then (429) from a sixth, while another account signs in from it."""
    for i in range(accounts.ACCOUNT_FAILURES):
        assert _try(web_app, "auditor", "wrong password here", f"10.1.0.{i}") == 401
    assert _try(web_app, "auditor", web_world.passwords["auditor"], "10.1.0.99") == 429
    assert _try(web_app, "analyst", web_world.passwords["analyst"], "10.1.0.99") == 303


def test_login_is_throttled_per_address(
    web_app: FastAPI, web_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty failures from one address, over as many names: any login from it is refused
    (429), while the same account signs in from another address."""
    # Unknown names are checked against a throw-away hash of the current cost: make it cheap.
    monkeypatch.setattr(
        passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    for i in range(accounts.ADDRESS_FAILURES):
        assert _try(web_app, f"guess{i}", "wrong password here", "10.2.0.1") == 401
    assert _try(web_app, "admin", web_world.passwords["admin"], "10.2.0.1") == 429
    assert _try(web_app, "admin", web_world.passwords["admin"], "10.2.0.2") == 303
    with web_world.database.session() as s:
        failed = s.scalars(select(AuditRecord).where(AuditRecord.action == "login.failed"))
        reasons = [r.details["reason"] for r in failed]
    assert reasons.count("throttled") == 1


def test_a_disabled_users_session_and_token_stop_working(walker: Walker, web_world: World) -> None:
    client = walker.client("investigator")
    token = walker.tokens["investigator"]
    assert _logged_in(client)
    openapi = client.get("/api/v1/openapi.json").json()
    api_paths = [p for p in openapi["paths"] if "{" not in p and "get" in openapi["paths"][p]]
    with web_world.database.session() as s, acting_as("admin"):
        accounts.disable(s, "investigator")
    assert not _logged_in(client)
    for url in _pages(walker.app, walker):
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), url
    for path in api_paths:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, path
    again = login_client(
        TestClient(walker.app), "investigator", web_world.passwords["investigator"]
    )
    assert again.status_code == 401 and "Wrong name or password" in again.text


def _idle(world: World, minutes: float) -> None:
    """Make every session's last use ``minutes`` ago."""
    with world.database.session() as s:
        s.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))


def _logged_in(client: TestClient) -> bool:
    """Whether the client's session stands (the login page sends a logged-in user on)."""
    return client.get("/login", follow_redirects=False).status_code == 303


def _pages(app: FastAPI, walker: Walker) -> list[str]:
    """The URL of every page any role may read, with case A's objects."""
    return [
        walker.url(r, {})
        for r in _guarded(app)
        if not r.api and r.method == "GET" and all(may("analyst", a) for a in r.actions)
    ]


@pytest.mark.parametrize("idle", [timedelta(minutes=5), None])
def test_an_idle_session_ends(
    web_world: World, token_for: Callable[[str], str], idle: timedelta | None
) -> None:
    """A session unused past the idle timeout (30 minutes unless the app is told) ends;
    one used within it goes on, and each use starts the timeout again."""
    app = create_app(web_world.settings, **({"idle_timeout": idle} if idle else {}))
    limit = (idle or timedelta(minutes=30)) / timedelta(minutes=1)
    walker = Walker(app, web_world, {})
    try:
        client = walker.client("analyst")
        _idle(web_world, limit - 1)
        assert _logged_in(client)
        _idle(web_world, limit - 1)  # the use just now renewed it; set back again
        assert _logged_in(client)
        _idle(web_world, limit + 1)
        assert not _logged_in(client)
        for url in _pages(app, walker):
            page = client.get(url, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/login")
    finally:
        walker.close()
        app.state.database.close()


def test_the_walk_covers_the_issues_stable_urls(web_app: FastAPI) -> None:
    """The walk reads the routes off the app: this keeps it from walking too few."""
    walked = {re.sub(r"{[^}]*}", "{}", r.path) for r in app_routes(web_app)}
    assert STABLE - walked == set()
