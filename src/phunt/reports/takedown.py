"""Takedown requests: the Telegram and WhatsApp groups found sharing listed files, as a
CSV for the platforms' law-enforcement portals and a PDF letter per platform.

For each group (one group however many devices hold it, merged as ``phunt people`` merges
them): platform, the platform's group id (none for a WhatsApp text export, which names a
group only by its title), title, invite links posted in the group's own messages (a link
is never guessed), the people seen in it, its admins, its first and last activity, and
the ids of the messages that shared a listed file, with the device that holds each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from phunt.accounts.profile import FIELDS, get_profile
from phunt.analysis import store as people_store
from phunt.analysis.people import ADMIN_ROLES, TITLE_ONLY
from phunt.errors import UsageError
from phunt.reports import takedown_facts as facts
from phunt.reports.facts import as_of
from phunt.reports.manifest import Built, digest
from phunt.reports.render import render_html
from phunt.schema.chats import ChatParticipant
from phunt.schema.db import Session

KIND = "takedown"
_OWNER_PLACEHOLDER = "device owner"
PLATFORM_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
#: Invite links as each platform writes them.
_LINKS = {
    "whatsapp": re.compile(r"https?://chat\.whatsapp\.com/[A-Za-z0-9]{10,40}"),
    "telegram": re.compile(
        r"https?://(?:t|telegram)\.me/(?:joinchat/[A-Za-z0-9_-]{10,40}|\+[A-Za-z0-9_-]{10,40})"
    ),
}


@dataclass
class Group:
    """One group to take down, with the evidence that it shared listed files."""

    platform: str
    group_id: str
    titles: list[str] = field(default_factory=list)
    invite_links: list[str] = field(default_factory=list)
    members_seen: int = 0
    admins: list[str] = field(default_factory=list)
    first_activity: datetime | None = None
    last_activity: datetime | None = None
    evidence: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)


def _network_key(chat: facts.GroupChat) -> str:
    key = f"{chat.platform}:{chat.platform_id}"
    return f"{key}#chat{chat.id}" if chat.platform_id.startswith(TITLE_ONLY) else key


@dataclass
class _Seen:
    """One person as the scope's own devices show them (never another case's rows)."""

    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    platform_ids: list[str] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)


def _who(person: _Seen) -> str:
    """A person as a platform can find them: name, phone, @username, platform id."""
    ids = [*person.phones, *(f"@{u}" for u in person.usernames), *person.platform_ids]
    name = person.names[0] if person.names else "(no name)"
    return f"{name} ({', '.join(ids)})" if ids else name


def _members(rows: list[ChatParticipant], roles: Mapping[int, set[str]]) -> list[_Seen]:
    """The people among ``rows`` (one group's chats on the scope's devices), merged as
    ``phunt people`` merges them (shared phone, platform id or username) but from these
    rows only, so no name, phone or role seen on a device outside the scope can leak in."""
    root = {p.id: p.id for p in rows}

    def find(item: int) -> int:
        while root[item] != item:
            item = root[item]
        return item

    first: dict[tuple[str, str], int] = {}
    for p in rows:
        keys = [("phone", p.phone), ("id", p.platform_user_id), ("user", p.username)]
        for kind, value in keys:
            if value:
                key = (kind, value.lower() if kind == "user" else value)
                other = first.setdefault(key, p.id)
                a, b = find(other), find(p.id)
                root[max(a, b)] = min(a, b)
    people: dict[int, _Seen] = {}
    for p in rows:
        seen = people.setdefault(find(p.id), _Seen())
        for value, values in ((p.phone, seen.phones), (p.username, seen.usernames),
                              (p.platform_user_id, seen.platform_ids)):  # fmt: skip
            if value and value not in values:
                values.append(value)
        for name in p.names:
            if name not in seen.names and not (p.is_owner and name == _OWNER_PLACEHOLDER):
                seen.names.append(name)
        seen.roles |= roles.get(p.id, set())
    return list(people.values())


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if (a or b) else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(x for x in (a, b) if x is not None) if (a or b) else None


def find_groups(session: Session, scope: facts.Scope) -> list[Group]:
    """The scope's groups that shared listed files, by platform, then group id and title.

    Everything in a group comes from the scope's own devices: the same group id on another
    case's device adds nothing (members, admins, dates and messages stay in their case).
    """
    chats = facts.bad_group_chats(session, scope.device_ids)
    ids = [c.id for c in chats]
    messages = facts.known_bad_messages(session, ids)
    links: dict[int, list[tuple[str, str]]] = {}
    platform_of = {c.id: c.platform for c in chats}
    for chat_id, message_id, text in facts.link_messages(session, ids):
        for link in _LINKS[platform_of[chat_id]].findall(text):
            links.setdefault(chat_id, []).append((link, message_id))
    chat_key = {c.id: _network_key(c) for c in chats if c.device_id in scope.device_ids}
    rows_of: dict[str, list[ChatParticipant]] = {}
    for row in people_store.participants(session):
        if row.chat_id in chat_key and row.device_id in scope.device_ids:
            rows_of.setdefault(chat_key[row.chat_id], []).append(row)
    roles = people_store.roles_by_participant(session)
    groups: dict[str, Group] = {}
    for chat in chats:
        if chat.id not in chat_key:
            continue
        key = chat_key[chat.id]
        group_id = "" if chat.platform_id.startswith(TITLE_ONLY) else chat.platform_id
        group = groups.setdefault(key, Group(chat.platform, group_id))
        if chat.title and chat.title not in group.titles:
            group.titles.append(chat.title)
        for link, message_id in links.get(chat.id, []):
            entry = f"{link} (message {message_id}, {chat.evidence_number})"
            if entry not in group.invite_links:
                group.invite_links.append(entry)
        group.first_activity = _earliest(group.first_activity, chat.first_time)
        group.last_activity = _latest(group.last_activity, chat.last_time)
        found = messages.get(chat.id, [])
        if found:
            group.evidence.append(f"{chat.evidence_number}: {', '.join(found)}")
        if chat.evidence_number not in group.devices:
            group.devices.append(chat.evidence_number)
    for key, group in groups.items():
        members = _members(rows_of.get(key, []), roles)
        group.members_seen = len(members)
        group.admins = sorted(_who(m) for m in members if m.roles & set(ADMIN_ROLES))
    return sorted(groups.values(), key=lambda g: (g.platform, g.group_id, g.titles))


def scope_of(session: Session, options: Mapping[str, Any]) -> facts.Scope:
    if options.get("case") is not None:
        return facts.case_scope(session, int(options["case"]))
    if options.get("operation") is not None:
        return facts.operation_scope(session, options["operation"])
    raise UsageError("a takedown request needs --operation or --case")


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The letter to one platform (``options["platform"]``) for the scope's groups."""
    platform = options["platform"]
    if platform not in PLATFORM_NAMES:
        raise UsageError(f"no takedown letter for {platform!r}")
    scope = scope_of(session, options)
    point = as_of(session, options.get("as_of"))
    groups = [g for g in find_groups(session, scope)
              if g.platform == platform]  # fmt: skip
    officer = options.get("officer")
    profile = get_profile(session, officer) if officer else None
    rows = [asdict(g) for g in groups]
    context = {
        "title": f"Takedown request to {PLATFORM_NAMES[platform]}: {scope.label}",
        "as_of": point,
        "platform": PLATFORM_NAMES[platform],
        "scope": scope.label,
        "statutes": list(scope.statutes),
        "groups": rows,
        "officer": {key: getattr(profile, key) if profile else "" for key in FIELDS},
    }
    inputs = {"groups": digest(rows), "audit": point.hash, "scope": digest(asdict(scope))}
    if profile is not None:
        inputs[f"profile:{profile.user}"] = digest(profile.as_dict())
    rebuilt = {
        "subject": f"{scope.label} {platform}", "platform": platform,
        "case": options.get("case"), "operation": options.get("operation"),
        "officer": officer or None, "as_of": point.seq,
    }  # fmt: skip
    return Built(render_html("takedown.html", context), inputs, {}, rebuilt)
