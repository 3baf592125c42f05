"""Read model of a device report's chat findings: the groups found on the device, the
roles the suspect held in them with the message proving each, and the flagged messages.

The groups and messages come from the chats' own read models (``chats.browse``), walked
page by page; the suspect's participants (the device's owner, or a phone the case records
for the suspect) and their roles are the one query added here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from phunt.chats import browse
from phunt.phones import to_e164
from phunt.schema.chats import ChatMessage, ChatParticipant, ChatRole

T = TypeVar("T")
PAGE = 500


@dataclass(frozen=True)
class _Page:
    page: int
    per_page: int = PAGE
    sort: str = "title"
    desc: bool = False


@dataclass(frozen=True)
class GroupFacts:
    id: int
    platform: str
    platform_id: str
    title: str | None
    kind: str
    members: int
    messages: int
    flagged_media: int
    first_time: datetime | None
    last_time: datetime | None
    export_path: str
    export_sha256: str | None


@dataclass(frozen=True)
class RoleFacts:
    """A role the suspect held in a group, with the stored message that proves it."""

    chat_id: int
    chat: str | None
    who: str
    role: str
    first_seen: datetime | None
    last_seen: datetime | None
    inferred: bool
    evidence: str
    message_id: int | None
    platform_message_id: str | None


@dataclass(frozen=True)
class FlaggedFacts:
    chat_id: int
    id: int
    platform_message_id: str
    time: datetime
    sender: str | None
    text: str
    known_bad: bool
    keywords: list[str]
    attachments: list[str]


@dataclass(frozen=True)
class ChatFindings:
    groups: list[GroupFacts]
    roles: list[RoleFacts]
    flagged: list[FlaggedFacts]


def _pages(fetch: Callable[[_Page], browse.Page[T]]) -> Iterator[T]:
    page = 1
    while True:
        got = fetch(_Page(page))
        yield from got.items
        if page * PAGE >= got.total:
            return
        page += 1


def chat_findings(session: Session, device_id: int, phones: list[str]) -> ChatFindings:
    """The device's groups, the suspect's roles in them and their flagged messages."""
    groups, flagged = [], []
    chats = list(_pages(lambda p: browse.list_chats(session, None, p, device_id=device_id)))
    for chat in chats:
        detail = browse.get_chat(session, None, chat.id)
        groups.append(
            GroupFacts(
                chat.id,
                chat.platform,
                chat.platform_id,
                chat.title,
                chat.kind,
                chat.members,
                chat.messages,
                chat.flagged_media,
                detail.first_time,
                chat.last_time,
                detail.source_path,
                detail.source_sha256,
            )
        )
        flagged += [_flagged(chat.id, m) for m in _flagged_messages(session, chat.id)]
    roles = _suspect_roles(session, {c.id: c.title for c in chats}, phones)
    return ChatFindings(groups, roles, flagged)


def _flagged_messages(session: Session, chat_id: int) -> Iterator[browse.MessageRow]:
    def fetch(page: _Page) -> browse.Page[browse.MessageRow]:
        return browse.list_messages(session, None, chat_id, page, flagged_only=True)

    return _pages(fetch)


def _flagged(chat_id: int, m: browse.MessageRow) -> FlaggedFacts:
    attachments = []
    for a in m.attachments:
        lists = ", ".join(f"{x.hash_set} v{x.version} {x.kind}" for x in a.matches)
        said = f"{a.file_name or a.path or 'attachment'} sha256 {a.sha256 or 'not present'}"
        attachments.append(f"{said}; matched {lists}" if lists else said)
    return FlaggedFacts(
        chat_id, m.id, m.platform_message_id, m.time, m.sender_name or m.sender_key, m.text,
        m.known_bad, list(m.keywords), attachments,
    )  # fmt: skip


def _suspect_roles(
    session: Session, chats: dict[int, str | None], phones: list[str]
) -> list[RoleFacts]:
    """Roles of the device's owner, or of a participant with one of the suspect's phones."""
    wanted = sorted({to_e164(p) or p for p in phones})
    who = or_(ChatParticipant.is_owner, ChatParticipant.phone.in_(wanted))
    query = (
        select(ChatRole, ChatParticipant, ChatMessage.id, ChatMessage.platform_message_id)
        .join(ChatParticipant, ChatParticipant.id == ChatRole.participant_id)
        .outerjoin(
            ChatMessage,
            (ChatMessage.chat_id == ChatParticipant.chat_id)
            & (ChatMessage.location == ChatRole.evidence),
        )
        .where(ChatParticipant.chat_id.in_(sorted(chats)), who)
        .order_by(ChatParticipant.chat_id, ChatRole.id, ChatMessage.id)
    )
    out: dict[int, RoleFacts] = {}
    for role, person, mid, pmid in session.execute(query):
        name = person.names[-1] if person.names else None
        label = " ".join(x for x in (name, person.phone or person.key) if x)
        out.setdefault(
            role.id,
            RoleFacts(
                person.chat_id,
                chats[person.chat_id],
                label,
                role.role,
                role.first_seen,
                role.last_seen,
                role.inferred,
                role.evidence,
                mid,
                pmid,
            ),
        )
    return list(out.values())
