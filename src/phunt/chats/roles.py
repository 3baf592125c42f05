"""Roles with evidence, and the identity fixes roles need.

Exports often name people without ids: Telegram's ``invite_members`` lists display names,
WhatsApp text system lines say "Asha added Ravi". Those become participants with id
``name:<display name>``; :func:`resolve_names` folds each into the single id'd participant
seen under that name in the same chat (a sender with a ``user…`` id, a phone number). When
two participants share the name nothing is merged: a wrong merge would attribute a role to
the wrong person, which is worse for evidence than an unresolved name.

Inferred roles come from actions that only holders of a role can normally take:
removing someone (admin on both platforms), changing group settings on WhatsApp, and
posting or editing a Telegram channel. They are marked ``inferred`` so a report can say so.
"""

from __future__ import annotations

from datetime import datetime

from phunt.chats.model import Chat, Participant

NAME_PREFIX = "name:"


def name_id(name: str) -> str:
    """Participant id for someone known only by display name."""
    return NAME_PREFIX + name


def by_name(chat: Chat, name: str) -> Participant:
    """The participant for a name-only reference, created on first use."""
    person = chat.participant(name_id(name))
    person.see_name(name)
    return person


def merge_into(chat: Chat, source_id: str, target_id: str) -> None:
    """Fold participant ``source_id`` into ``target_id`` (names, roles, counts)."""
    source = chat.participants.pop(source_id)
    target = chat.participant(target_id)
    for name in source.names:
        target.see_name(name)
    for role in source.roles.values():
        for when in (role.first_seen, role.last_seen):
            target.add_role(role.name, when, role.evidence, inferred=role.inferred)
    target.message_count += source.message_count
    target.phone = target.phone or source.phone
    target.phone_raw = target.phone_raw or source.phone_raw
    target.username = target.username or source.username


def resolve_names(chat: Chat) -> list[tuple[str, str]]:
    """Merge ``name:`` participants into their unique id'd namesake; return the merges."""
    holders: dict[str, list[str]] = {}
    for pid, person in chat.participants.items():
        if not pid.startswith(NAME_PREFIX):
            for name in person.names:
                holders.setdefault(name, []).append(pid)
    merges = []
    for pid in [p for p in chat.participants if p.startswith(NAME_PREFIX)]:
        candidates = holders.get(pid[len(NAME_PREFIX) :], [])
        if len(candidates) == 1:
            merge_into(chat, pid, candidates[0])
            merges.append((pid, candidates[0]))
    return merges


def member(person: Participant, when: datetime | None, evidence: str) -> None:
    """Evidence of membership (sent a message, was added, joined)."""
    person.add_role("member", when, evidence)


def removal(
    actor: Participant | None, target: Participant, when: datetime | None, evidence: str
) -> None:
    """``actor`` removed ``target``; a self-removal is leaving, removing others implies admin."""
    if actor is target:
        target.add_role("left", when, evidence)
        return
    target.add_role("removed", when, evidence)
    if actor is not None:
        actor.add_role("admin", when, evidence, inferred=True)
