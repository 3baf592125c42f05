"""The OpenAPI document lists the whole API, and every documented read answers each role
as the table of who may do what says, on both databases.

Generic on purpose: the routes come from the app itself, so a route added later is
checked without editing this file, unless it takes a parameter no sample here names, and
then the test fails saying which to add. Each GET is asked without a token (401), and
with each role's token for an object of case A and one of case B: a role the route's
action is not granted to gets 403; the investigator and the analyst (case A only) get
404 for case B's objects, exactly as for an unknown id; everyone else gets 200.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from phunt.accounts.access import ROLES, SEES_ALL, may
from phunt.web.app import API_PREFIX, WebRoute, web_routes

from .conftest import World

DOCUMENT = f"{API_PREFIX}/openapi.json"
PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


@dataclass(frozen=True)
class Sample:
    """A parameter's value for an object of case A, and for one of case B; ``scoped``
    when case B's value must be hidden from those assigned to case A only."""

    inside: Any
    outside: Any
    scoped: bool


def _static_samples(world: World) -> dict[str, Sample]:
    by_case = {
        "case": (world.case_a, world.case_b),
        "suspect": (world.suspect_a, world.suspect_b),
        "device": (world.device_a, world.device_b),
        "file": (world.matched_file_a, world.matched_file_b),
        "chat": (world.chat_a, world.chat_b),
    }
    samples = {}
    by_case |= {k: (world.extra[f"{k}_a"], world.extra[f"{k}_b"]) for k in ("lead", "target")}
    for noun, (a, b) in by_case.items():
        samples[noun] = samples[f"{noun}_id"] = Sample(a, b, scoped=True)
    # Operations and raids are seen by every role (their cases filtered); lists by all.
    operation = Sample(world.operation_id, world.operation_id, scoped=False)
    samples["operation"] = samples["operation_id"] = operation
    samples["raid"] = samples["raid_id"] = Sample(*world.raid_ids[:2], scoped=False)
    district = Sample(*world.district_ids[:2], scoped=False)  # statewide figures
    samples["district"] = samples["district_id"] = district
    samples["name"] = Sample(world.hash_set, world.hash_set, scoped=False)
    samples["version"] = Sample(1, 1, scoped=False)
    samples["by"] = Sample("district", "district", scoped=False)
    return samples


def _people_sample(api: dict[str, TestClient]) -> Sample | None:
    """A person the analyst sees (case A) and one only case B knows, from the listings."""

    def people(role: str) -> list[str]:
        response = api[role].get(f"{API_PREFIX}/people?per_page=500")
        assert response.status_code == 200, response.text
        return [item["person"] for item in response.json()["items"]]

    everyone, mine = people("admin"), people("analyst")
    others = [p for p in everyone if p not in mine]
    if not mine or not others:
        return None
    return Sample(mine[0], others[0], scoped=True)


def _document(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get(DOCUMENT)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    }


def _api_routes(app: FastAPI) -> list[WebRoute]:
    return [r for r in web_routes(app) if r.api]


def test_the_document_lists_every_api_route_and_nothing_else(web_app: FastAPI) -> None:
    document = _document(web_app)
    routes = _api_routes(web_app)
    served = {(PARAM.sub(r"{\1}", r.path), m) for r in routes for m in r.methods - {"HEAD"}}
    assert served, "the app has API routes"
    assert _documented(document) == served
    assert all(path.startswith(API_PREFIX + "/") for path in document["paths"])
    pages = {r.path for r in web_routes(web_app) if not r.api}
    assert not pages & set(document["paths"]), "no page is in the API's document"
    for route in routes:  # a route without a viewer would answer without a token
        assert route.actions, f"{route.path} checks no action"


def _query(operation: dict[str, Any]) -> list[str]:
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]


def _expected(route: WebRoute, role: str, outside: bool) -> int:
    if not all(may(role, action) for action in route.actions):
        return 403
    if outside and role not in SEES_ALL:
        return 404
    return 200


def test_every_documented_read_answers_each_role_as_the_table_says(
    web_world: World,
    web_app: FastAPI,
    token_for: Callable[[str], str],
) -> None:
    document = _document(web_app)
    api = {
        role: TestClient(web_app, headers={"Authorization": f"Bearer {token_for(role)}"})
        for role in ROLES
    }
    anonymous = TestClient(web_app)
    samples = _static_samples(web_world)
    routes = {PARAM.sub(r"{\1}", r.path): r for r in _api_routes(web_app) if "GET" in r.methods}
    if any("{person_id}" in path for path in routes):
        person = _people_sample(api)
        assert person is not None, "the world has a person in case A and one only in case B"
        samples["person_id"] = person
    checked = 0
    for path, route in sorted(routes.items()):
        names = PARAM.findall(path) + _query(document["paths"][path]["get"])
        missing = [n for n in names if n not in samples]
        assert not missing, f"no sample value for {missing} of GET {path}: add one above"
        scoped = any(samples[n].scoped for n in names)
        for outside in (False, True) if scoped else (False,):

            def value(n: str, outside: bool = outside) -> str:
                return str(samples[n].outside if outside else samples[n].inside)

            url = PARAM.sub(lambda m: value(m.group(1)), path)
            query = [f"{n}={value(n)}" for n in _query(document["paths"][path]["get"])]
            url += "?" + "&".join(query) if query else ""
            assert anonymous.get(url).status_code == 401, url
            for role in ROLES:
                response = api[role].get(url)
                expected = _expected(route, role, outside)
                assert response.status_code == expected, (role, url, response.text[:200])
                if expected == 404:
                    assert response.json() == {"detail": "not found"}, (role, url)
                checked += 1
    assert checked >= len(routes) * len(ROLES)
