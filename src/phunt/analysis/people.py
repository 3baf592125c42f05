"""People and groups merged across devices and cases, and people ranked for an examiner.

Merging is computed on demand from the per-device rows (``chat_participant``, ``chat``),
so it always agrees with the stored evidence. Two participant rows are the same person
when they share a phone number (E.164), a platform user id (Telegram ``user123``, a
WhatsApp JID) or a username, or are the owner rows of chats read from one chat database
(one import: one account); two group rows are the same group when they share platform
and platform id (a WhatsApp text export names its group only by title, which is not an
identity, so such groups stay apart). Union-find joins chains of such links; every link
is kept, naming the rows and devices that justify it, so a defence expert can check each
merge. Display names never merge anyone: two people may share one, and one may use many.

Ranking orders people by what an investigation weighs (see :data:`WEIGHTS`): distinct
known-bad files sent, admin or creator roles in groups where known-bad files were shared,
and groups in common with other flagged people. The components are reported beside the
score so the ranking explains itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from phunt.analysis import store
from phunt.chats.model import GROUP_KINDS
from phunt.schema.chats import ChatParticipant, ChatRecord

if TYPE_CHECKING:
    from phunt.schema.db import Session

ADMIN_ROLES = ("creator", "admin")
TITLE_ONLY = "title:"
"""Prefix of the id a WhatsApp text export gives its chat: it carries no group id."""
WEIGHTS = {"known_bad_sent": 10, "bad_group_admin": 5, "groups_in_common": 1}
"""Score = sum of weight x component; a file sent outweighs any number of memberships."""
_OWNER_PLACEHOLDER = "device owner"


@dataclass
class Group:
    """One group however many devices hold it."""

    id: str
    platform: str
    platform_id: str
    kind: str
    titles: list[str] = field(default_factory=list)
    chat_ids: list[int] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    known_bad: bool = False
    members: dict[str, set[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.id,
            "platform": self.platform,
            "platform_id": self.platform_id,
            "kind": self.kind,
            "titles": self.titles,
            "devices": sorted(self.devices),
            "cases": sorted(self.cases),
            "chats": self.chat_ids,
            "known_bad": self.known_bad,
            "members": {who: sorted(roles) for who, roles in sorted(self.members.items())},
            "links": [
                {"by": "platform id", "value": self.platform_id, "chats": self.chat_ids}
                | {"devices": sorted(self.devices)}
            ]
            if len(self.chat_ids) > 1
            else [],
        }


@dataclass
class Media:
    """A file (by SHA-256) sent in chats: who sent it and in which groups."""

    sha256: str
    known_bad: bool = False
    senders: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)


@dataclass
class Person:
    """One merged identity with the evidence of every link and the ranking components."""

    id: str
    participant_ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    platform_ids: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    owner_of: list[str] = field(default_factory=list)
    groups: dict[str, set[str]] = field(default_factory=dict)
    known_bad_media: set[str] = field(default_factory=set)
    links: list[dict[str, Any]] = field(default_factory=list)
    groups_in_common: int = 0

    @property
    def admin_of(self) -> list[str]:
        return sorted(g for g, roles in self.groups.items() if roles & set(ADMIN_ROLES))

    @property
    def known_bad_sent(self) -> int:
        return len(self.known_bad_media)

    def bad_group_admin(self, groups: dict[str, Group]) -> int:
        return sum(1 for g in self.admin_of if groups[g].known_bad)

    def score(self, groups: dict[str, Group]) -> int:
        return (
            WEIGHTS["known_bad_sent"] * self.known_bad_sent
            + WEIGHTS["bad_group_admin"] * self.bad_group_admin(groups)
            + WEIGHTS["groups_in_common"] * self.groups_in_common
        )

    def flagged(self, groups: dict[str, Group]) -> bool:
        return self.known_bad_sent > 0 or self.bad_group_admin(groups) > 0

    def as_dict(self, groups: dict[str, Group]) -> dict[str, Any]:
        """The ``phunt people --json`` line."""
        return {
            "person": self.id,
            "names": self.names,
            "phones": self.phones,
            "usernames": self.usernames,
            "platform_ids": self.platform_ids,
            "devices": sorted(self.devices),
            "cases": sorted(self.cases),
            "owner_of": sorted(self.owner_of),
            "groups": sorted(self.groups),
            "admin_of": self.admin_of,
            "known_bad_sent": self.known_bad_sent,
            "bad_group_admin": self.bad_group_admin(groups),
            "groups_in_common": self.groups_in_common,
            "score": self.score(groups),
            "participants": self.participant_ids,
            "links": self.links,
        }


@dataclass
class Network:
    """People (ranked), groups and media of the whole database."""

    people: list[Person]
    groups: dict[str, Group]
    media: dict[str, Media]
    person_of: dict[int, str]

    def people_json(self) -> list[dict[str, Any]]:
        return [p.as_dict(self.groups) for p in self.people]

    def groups_json(self) -> list[dict[str, Any]]:
        return [g.as_dict() for g in self.groups.values()]


class _UnionFind:
    def __init__(self, items: list[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _identity_keys(p: ChatParticipant, chat: ChatRecord) -> list[tuple[str, str]]:
    """What may link this row to another: (kind of key, value), strongest first.

    The owner rows of the chats read from one chat database (one import) are the one
    account that database belongs to, even when the owner's number is not known: each
    chat has its own row, which would otherwise stand as a person of its own. Imports
    are not joined so: one phone often holds two accounts of an app (WhatsApp and
    WhatsApp Business, a cloned app)."""
    keys = []
    if p.phone:
        keys.append(("phone", p.phone))
    if p.platform_user_id:
        keys.append((f"{chat.platform} id", p.platform_user_id))
    if p.username:
        keys.append((f"{chat.platform} username", p.username.lower()))
    if p.is_owner:
        keys.append(("owner", f"chat import {chat.import_id}"))
    return keys


def _add(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def build_network(session: Session) -> Network:
    """Merge every participant and group row in the database and rank the people."""
    devices, case_of = store.device_labels(session)
    chats = store.chats_by_id(session)
    rows = store.participants(session)
    roles = store.roles_by_participant(session)

    groups: dict[str, Group] = {}
    group_of: dict[int, str] = {}
    for chat in chats.values():
        if chat.kind not in GROUP_KINDS:
            continue
        gid = f"{chat.platform}:{chat.platform_id}"
        if chat.platform_id.startswith(TITLE_ONLY):
            gid = f"{gid}#chat{chat.id}"  # a title is not an identity: never merged
        group = groups.setdefault(gid, Group(gid, chat.platform, chat.platform_id, chat.kind))
        _add(group.titles, chat.title)
        group.chat_ids.append(chat.id)
        _add(group.devices, devices[chat.device_id])
        _add(group.cases, case_of[chat.device_id])
        group.known_bad |= chat.known_bad
        group_of[chat.id] = gid

    uf = _UnionFind([p.id for p in rows])
    holders: dict[tuple[str, str], list[ChatParticipant]] = defaultdict(list)
    for p in rows:
        for key in _identity_keys(p, chats[p.chat_id]):
            holders[key].append(p)
    for same in holders.values():
        for other in same[1:]:
            uf.union(same[0].id, other.id)

    people: dict[int, Person] = {}
    for p in rows:
        root = uf.find(p.id)
        person = people.get(root)
        if person is None:
            person = people[root] = Person(id=f"participant:{root}")
        person.participant_ids.append(p.id)
        device = devices[p.device_id]
        for name in p.names:
            if not (p.is_owner and name == _OWNER_PLACEHOLDER):
                _add(person.names, name)
        _add(person.phones, p.phone)
        _add(person.usernames, p.username)
        _add(person.platform_ids, p.platform_user_id)
        _add(person.devices, device)
        _add(person.cases, case_of[p.device_id])
        if p.is_owner:
            _add(person.owner_of, device)
        in_group = group_of.get(p.chat_id)
        if in_group is not None:
            person.groups.setdefault(in_group, set()).update(roles.get(p.id, set()))
    for (kind, value), same in sorted(holders.items()):
        if len(same) > 1:
            people[uf.find(same[0].id)].links.append(
                {
                    "by": kind,
                    "value": value,
                    "participants": [p.id for p in same],
                    "devices": sorted({devices[p.device_id] for p in same}),
                }
            )
    person_of: dict[int, str] = {}
    for person in people.values():
        person.id = _person_id(person)
        for pid in person.participant_ids:
            person_of[pid] = person.id
        for gid, held in person.groups.items():
            groups[gid].members.setdefault(person.id, set()).update(held)

    media = _media(session, chats, rows, person_of, group_of)
    by_id = {p.id: p for p in people.values()}
    for item in media.values():
        if item.known_bad:
            for sender in item.senders:
                by_id[sender].known_bad_media.add(item.sha256)
    _groups_in_common(list(by_id.values()), groups)
    ranked = sorted(by_id.values(), key=lambda p: (-p.score(groups), -p.known_bad_sent, p.id))
    return Network(ranked, groups, media, person_of)


def _person_id(person: Person) -> str:
    """A readable, stable name for a merged identity: its strongest identifier."""
    if person.phones:
        return f"phone:{min(person.phones)}"
    if person.platform_ids:
        return f"id:{min(person.platform_ids)}"
    if person.usernames:
        return f"username:{min(u.lower() for u in person.usernames)}"
    return person.id


def _media(
    session: Session,
    chats: dict[int, ChatRecord],
    rows: list[ChatParticipant],
    person_of: dict[int, str],
    group_of: dict[int, str],
) -> dict[str, Media]:
    """Every attachment with a SHA-256 (its bytes' or the app's), by sender and group."""
    participant = {(p.chat_id, p.key): p.id for p in rows}
    media: dict[str, Media] = {}
    for sha, platform_sha, bad, chat_id, sender in store.attachment_senders(session):
        key: str | None = sha or platform_sha
        if key is None or chat_id not in chats:
            continue
        item = media.setdefault(key, Media(key))
        item.known_bad |= bad
        pid = participant.get((chat_id, sender or ""))
        if pid is not None:
            who = person_of[pid]
            item.senders[who] = item.senders.get(who, 0) + 1
        gid = group_of.get(chat_id)
        if gid is not None:
            item.groups[gid] = item.groups.get(gid, 0) + 1
    return media


def _groups_in_common(people: list[Person], groups: dict[str, Group]) -> None:
    """For each person, the groups shared with at least one other flagged person."""
    flagged_in: dict[str, set[str]] = defaultdict(set)
    for person in people:
        if person.flagged(groups):
            for gid in person.groups:
                flagged_in[gid].add(person.id)
    for person in people:
        person.groups_in_common = sum(1 for gid in person.groups if flagged_in[gid] - {person.id})


def rank_people(session: Session) -> list[dict[str, Any]]:
    """The ``phunt people`` rows, highest score first."""
    return build_network(session).people_json()
