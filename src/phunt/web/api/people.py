"""People and their network in the JSON API, built from the caller's cases only.

A person is merged and ranked from the chats of the devices in the caller's cases
(:func:`phunt.analysis.browse.cached`), so a person also seen in another case shows only
this scope's evidence, and an id known only outside it is a 404 like an unknown one. The
network answers the top-ranked people with their groups and the known-bad files between
them: a state's 11,000 people are a table, not a picture.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.analysis import browse as analysis_browse
from phunt.analysis.graph import build_graph
from phunt.analysis.people import Network, Person, build_network
from phunt.errors import NotFoundError
from phunt.schema.db import Session
from phunt.web.deps import DbSession, api_viewer, viewer_scope
from phunt.web.paging import Paging, paging

router = APIRouter(prefix="/api/v1", tags=["people"])

PEOPLE_SORTS = ("rank", "name", "sent", "groups", "devices")
NETWORK_PEOPLE = 150
"""How many top-ranked people the network view draws unless asked for more."""
NETWORK_MOST = 1000


class MergeLink(BaseModel):
    by: str
    value: str
    participants: list[int]
    devices: list[str]


class PersonOut(BaseModel):
    person: str
    names: list[str]
    phones: list[str]
    usernames: list[str]
    platform_ids: list[str]
    devices: list[str]
    cases: list[str]
    owner_of: list[str]
    groups: list[str]
    admin_of: list[str]
    known_bad_sent: int
    bad_group_admin: int
    groups_in_common: int
    score: int
    participants: list[int]
    links: list[MergeLink]


class PeoplePage(BaseModel):
    items: list[PersonOut]
    total: int
    page: int
    per_page: int


class GroupOut(BaseModel):
    group: str
    platform: str
    platform_id: str
    kind: str
    titles: list[str]
    devices: list[str]
    cases: list[str]
    chats: list[int]
    known_bad: bool
    roles: list[str]
    """The person's roles in it (member, admin, creator...)."""


class PersonDetail(PersonOut):
    rank: int
    group_rows: list[GroupOut]


class Node(BaseModel):
    id: str
    kind: str
    label: str
    known_bad: bool
    score: int | None
    href: str | None


class Edge(BaseModel):
    id: str
    source: str
    target: str
    relation: str


class NetworkOut(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    people_total: int
    people_shown: int


def network_for(session: Session, viewer: Viewer) -> Network:
    """The people network of the viewer's cases (kept while the chats are unchanged)."""
    return analysis_browse.cached(session, viewer_scope(viewer), build_network)


def person_href(person_id: str) -> str:
    return "/people/" + quote(person_id, safe=":@")


def person_out(person: Person, network: Network) -> PersonOut:
    return PersonOut.model_validate(person.as_dict(network.groups))


def sorted_people(network: Network, at: Paging) -> list[Person]:
    """The people in the order asked (``rank``: the network's ranking)."""
    keys: dict[str, Any] = {
        "name": lambda p: (p.names[-1].casefold() if p.names else "\uffff", p.id),
        "sent": lambda p: (p.known_bad_sent, p.id),
        "groups": lambda p: (len(p.groups), p.id),
        "devices": lambda p: (len(p.devices), p.id),
    }
    people = list(network.people)
    if at.sort in keys:
        people.sort(key=keys[at.sort])
    return people[::-1] if at.desc else people


def find_person(network: Network, person_id: str) -> tuple[int, Person]:
    """A person's place in the ranking and the person; NotFoundError outside the scope."""
    for rank, person in enumerate(network.people, start=1):
        if person.id == person_id:
            return rank, person
    raise NotFoundError(f"no person {person_id}")


def person_detail(network: Network, person_id: str) -> PersonDetail:
    rank, person = find_person(network, person_id)
    rows = []
    for gid, roles in sorted(person.groups.items()):
        group = network.groups[gid]
        rows.append(
            GroupOut.model_validate(
                {**group.as_dict(), "chats": group.chat_ids, "roles": sorted(roles)}
            )
        )
    base = person_out(person, network).model_dump()
    return PersonDetail.model_validate({**base, "rank": rank, "group_rows": rows})


def network_json(network: Network, limit: int) -> NetworkOut:
    """The top ``limit`` people, the groups they are in and the known-bad files between
    them, as nodes and edges (ids are the graph's: ``person:``, ``group:``, ``media:``)."""
    top = network.people[:limit]
    gids = {gid for person in top for gid in person.groups}
    chosen = {person.id for person in top}
    media = {
        sha: m
        for sha, m in network.media.items()
        if m.known_bad and (chosen & set(m.senders) or gids & set(m.groups))
    }
    sub = Network(top, {g: network.groups[g] for g in sorted(gids)}, media, {})
    graph = build_graph(sub)
    graph.remove_nodes_from([n for n, data in graph.nodes(data=True) if "kind" not in data])
    scores = {f"person:{p.id}": p.score(network.groups) for p in top}
    nodes = [
        Node(
            id=node,
            kind=data["kind"],
            label=str(data["label"]),
            known_bad=bool(data.get("known_bad") or data.get("known_bad_sent")),
            score=scores.get(node),
            href=_href(network, node),
        )
        for node, data in graph.nodes(data=True)
    ]
    edges = [
        Edge(id=f"{source}>{target}>{key}", source=source, target=target, relation=key)
        for source, target, key in graph.edges(keys=True)
    ]
    return NetworkOut(
        nodes=nodes, edges=edges, people_total=len(network.people), people_shown=len(top)
    )


def _href(network: Network, node: str) -> str | None:
    kind, _, ident = node.partition(":")
    if kind == "person":
        return person_href(ident)
    if kind == "group" and network.groups[ident].chat_ids:
        return f"/chats/{network.groups[ident].chat_ids[0]}"
    return None


@router.get("/people", response_model=PeoplePage)
def list_people(
    session: DbSession,
    viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(PEOPLE_SORTS, "rank")],
) -> PeoplePage:
    """People of the caller's cases, ranked (known-bad files sent, admin of groups where
    they were shared, groups in common with flagged people), with the evidence."""
    network = network_for(session, viewer)
    people = sorted_people(network, at)[at.offset : at.offset + at.per_page]
    return PeoplePage(
        items=[person_out(p, network) for p in people],
        total=len(network.people),
        page=at.page,
        per_page=at.per_page,
    )


@router.get("/people/{person_id:path}", response_model=PersonDetail)
def get_person(
    person_id: str, session: DbSession, viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)]
) -> PersonDetail:
    """One person (``phone:+91...``, ``id:...``, ``username:...``) as the caller's cases
    show them: identifiers, devices, groups with roles, merge links, ranking."""
    return person_detail(network_for(session, viewer), person_id)


@router.get("/network", response_model=NetworkOut)
def get_network(
    session: DbSession,
    viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)],
    people: Annotated[int, Query(ge=1, le=NETWORK_MOST)] = NETWORK_PEOPLE,
) -> NetworkOut:
    """The network of the top ``people`` of the caller's cases, their groups and the
    known-bad files they sent or that were shared in those groups."""
    return network_json(network_for(session, viewer), people)
