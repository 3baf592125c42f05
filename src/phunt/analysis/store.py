"""The analysis store: the rows the people-and-groups network is merged from.

Only reads; the merging, ranking and graph drawing in ``people.py`` and ``graph.py`` take
these rows and never build a query themselves.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.schema.cases import Case, Device
from phunt.schema.chats import (
    ChatAttachment,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)


def device_labels(session: Session) -> tuple[dict[int, str], dict[int, str | None]]:
    """Each device's evidence number, and its case as ``number (station)`` when it has one."""
    devices: dict[int, str] = {}
    case_of: dict[int, str | None] = {}
    device_rows = select(Device.id, Device.evidence_number, Case.station, Case.number).outerjoin(
        Case, Case.id == Device.case_id
    )
    for device_id, evidence, station, number in session.execute(device_rows):
        devices[device_id] = evidence
        case_of[device_id] = f"{number} ({station})" if number else None
    return devices, case_of


def chats_by_id(session: Session) -> dict[int, ChatRecord]:
    """Every stored chat, by id."""
    return {c.id: c for c in session.scalars(select(ChatRecord).order_by(ChatRecord.id))}


def participants(session: Session) -> list[ChatParticipant]:
    """Every participant row of every chat, in id order."""
    return list(session.scalars(select(ChatParticipant).order_by(ChatParticipant.id)))


def roles_by_participant(session: Session) -> dict[int, set[str]]:
    """The roles (admin, creator, ...) each participant row holds."""
    roles: dict[int, set[str]] = defaultdict(set)
    for pid, role in session.execute(select(ChatRole.participant_id, ChatRole.role)):
        roles[pid].add(role)
    return roles


def attachment_senders(
    session: Session,
) -> list[tuple[str | None, str | None, bool, int, str | None]]:
    """``(sha256, platform_sha256, known_bad, chat_id, sender_key)`` of every attachment."""
    query = select(
        ChatAttachment.sha256,
        ChatAttachment.platform_sha256,
        ChatAttachment.known_bad,
        ChatAttachment.chat_id,
        ChatMessage.sender_key,
    ).join(ChatMessage, ChatMessage.id == ChatAttachment.message_id)
    return [
        (sha, psha, bad, chat_id, who) for sha, psha, bad, chat_id, who in session.execute(query)
    ]
