"""The takedown requests' reads: the groups of a case's or an operation's devices where a
listed file was shared, the messages that shared one, and invite links posted in them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from phunt.cases.case_files import get_case
from phunt.cases.operations import get_operation
from phunt.chats.model import GROUP_KINDS
from phunt.schema.cases import Case, Device, Raid
from phunt.schema.chats import ChatMessage, ChatRecord

PLATFORMS = ("telegram", "whatsapp")
#: Text an invite link contains; the exact link is cut out by the caller's pattern.
_LINK_MARKS = ("%chat.whatsapp.com/%", "%t.me/%", "%telegram.me/%")


@dataclass(frozen=True)
class Scope:
    """Whose devices: one case's, or one operation's (by case, else by raid)."""

    label: str
    device_ids: frozenset[int]
    statutes: tuple[str, ...]


def case_scope(session: Session, case_id: int) -> Scope:
    case = get_case(session, case_id)
    ids = session.scalars(select(Device.id).where(Device.case_id == case.id))
    return Scope(f"case {case.number} ({case.station})", frozenset(ids), tuple(case.statutes))


def operation_scope(session: Session, operation: int | str) -> Scope:
    op = get_operation(session, operation)
    ids = session.scalars(
        select(Device.id)
        .outerjoin(Case, Device.case_id == Case.id)
        .outerjoin(Raid, Device.raid_id == Raid.id)
        .where(func.coalesce(Case.operation_id, Raid.operation_id) == op.id)
    )
    statutes = sorted(
        {s for row in session.scalars(select(Case.statutes).where(Case.operation_id == op.id))
         for s in row}
    )  # fmt: skip
    return Scope(f"operation {op.name}", frozenset(ids), tuple(statutes))


@dataclass(frozen=True)
class GroupChat:
    """One device's copy of a group where a listed file was shared."""

    id: int
    device_id: int
    evidence_number: str
    platform: str
    platform_id: str
    title: str
    first_time: datetime | None
    last_time: datetime | None


def bad_group_chats(session: Session, device_ids: frozenset[int]) -> list[GroupChat]:
    """Telegram and WhatsApp groups (and channels) flagged known-bad, in chat id order."""
    if not device_ids:
        return []
    query = (
        select(ChatRecord, Device.evidence_number)
        .join(Device, Device.id == ChatRecord.device_id)
        .where(
            ChatRecord.device_id.in_(sorted(device_ids)),
            ChatRecord.known_bad.is_(True),
            ChatRecord.kind.in_(GROUP_KINDS),
            ChatRecord.platform.in_(PLATFORMS),
        )
        .order_by(ChatRecord.id)
    )
    return [
        GroupChat(
            c.id,
            c.device_id,
            number,
            c.platform,
            c.platform_id,
            c.title or "",
            c.first_time,
            c.last_time,
        )
        for c, number in session.execute(query)
    ]


def known_bad_messages(session: Session, chat_ids: list[int]) -> dict[int, list[str]]:
    """The platform's ids of the messages that shared a listed file, per chat, in time order."""
    query = (
        select(ChatMessage.chat_id, ChatMessage.platform_message_id)
        .where(ChatMessage.chat_id.in_(chat_ids), ChatMessage.known_bad.is_(True))
        .order_by(ChatMessage.chat_id, ChatMessage.sent_at, ChatMessage.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for chat_id, message_id in session.execute(query):
        found[chat_id].append(message_id)
    return found


def link_messages(session: Session, chat_ids: list[int]) -> list[tuple[int, str, str]]:
    """``(chat id, message id, text)`` of messages that may hold an invite link."""
    query = (
        select(ChatMessage.chat_id, ChatMessage.platform_message_id, ChatMessage.text)
        .where(
            ChatMessage.chat_id.in_(chat_ids),
            or_(*(ChatMessage.text.like(mark) for mark in _LINK_MARKS)),
        )
        .order_by(ChatMessage.chat_id, ChatMessage.sent_at, ChatMessage.id)
    )
    return [(c, m, t) for c, m, t in session.execute(query)]
