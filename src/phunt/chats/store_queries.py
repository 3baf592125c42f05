"""The chats store's queries: a device's chats, a chat's members and its messages."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.cases.devices import get_device
from phunt.chats.model import GROUP_KINDS
from phunt.errors import NotFoundError
from phunt.schema.cases import Device
from phunt.schema.chats import (
    ChatAttachment,
    ChatKeywordHit,
    ChatMediaMatch,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)


def get_chat(session: Session, chat_id: int) -> ChatRecord:
    chat = session.get(ChatRecord, chat_id)
    if chat is None:
        raise NotFoundError(f"no chat {chat_id}")
    return chat


def list_chats(
    session: Session, *, device_ref: int | str | None = None, groups_only: bool = True
) -> list[dict[str, Any]]:
    """Chats per device with their member counts, groups only unless asked otherwise."""
    members = (
        select(ChatParticipant.chat_id, func.count().label("n"))
        .group_by(ChatParticipant.chat_id)
        .subquery()
    )
    query = (
        select(ChatRecord, Device.evidence_number, func.coalesce(members.c.n, 0))
        .join(Device, Device.id == ChatRecord.device_id)
        .outerjoin(members, members.c.chat_id == ChatRecord.id)
        .order_by(ChatRecord.id)
    )
    if groups_only:
        query = query.where(ChatRecord.kind.in_(GROUP_KINDS))
    if device_ref is not None:
        query = query.where(ChatRecord.device_id == get_device(session, device_ref).id)
    return [
        {
            "id": chat.id,
            "device": evidence,
            "platform": chat.platform,
            "platform_id": chat.platform_id,
            "title": chat.title,
            "kind": chat.kind,
            "members": n,
            "messages": chat.message_count,
            "known_bad": chat.known_bad,
        }
        for chat, evidence, n in session.execute(query)
    ]


def list_members(session: Session, chat_id: int) -> list[dict[str, Any]]:
    """A chat's participants with every role and the record that proves it."""
    get_chat(session, chat_id)
    people = session.scalars(
        select(ChatParticipant)
        .where(ChatParticipant.chat_id == chat_id)
        .order_by(ChatParticipant.id)
    ).all()
    roles: dict[int, list[dict[str, Any]]] = defaultdict(list)
    role_rows = session.scalars(
        select(ChatRole)
        .where(ChatRole.participant_id.in_([p.id for p in people]))
        .order_by(ChatRole.id)
    )
    for r in role_rows:
        roles[r.participant_id].append(
            {
                "role": r.role,
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
                "evidence": r.evidence,
                "inferred": r.inferred,
            }
        )
    return [
        {
            "id": p.id,
            "key": p.key,
            "name": p.names[-1] if p.names else None,
            "contact_name": p.contact_name,
            "phone": p.phone,
            "username": p.username,
            "owner": p.is_owner,
            "messages": p.message_count,
            "known_bad_sent": p.known_bad_sent,
            "roles": roles.get(p.id, []),
        }
        for p in people
    ]


def list_messages(
    session: Session, chat_id: int, *, flagged_only: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """A chat's messages in time order, with attachments, matches and keyword hits."""
    get_chat(session, chat_id)
    query = select(ChatMessage).where(ChatMessage.chat_id == chat_id)
    if flagged_only:
        query = query.where(ChatMessage.known_bad | ChatMessage.keyword_flagged)
    query = query.order_by(ChatMessage.sent_at, ChatMessage.id)
    if limit is not None:
        query = query.limit(limit)
    messages = session.scalars(query).all()
    ids = [m.id for m in messages]
    atts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    matches: dict[int, list[dict[str, Any]]] = defaultdict(list)
    att_rows = session.scalars(
        select(ChatAttachment).where(ChatAttachment.message_id.in_(ids)).order_by(ChatAttachment.id)
    ).all()
    for hit in session.scalars(
        select(ChatMediaMatch).where(ChatMediaMatch.attachment_id.in_([a.id for a in att_rows]))
    ):
        matches[hit.attachment_id].append(
            {"hashset": hit.hash_set, "version": hit.version, "entry": hit.entry}
            | {"kind": hit.kind, "source": hit.hash_source, "distance": hit.distance}
        )
    for a in att_rows:
        atts[a.message_id].append(
            {
                "file": a.path or a.file_name,
                "included": a.included,
                "present": a.present,
                "sha256": a.sha256 or a.platform_sha256,
                "known_bad": a.known_bad,
                "matches": matches.get(a.id, []),
            }
        )
    words: dict[int, list[str]] = defaultdict(list)
    for kw in session.scalars(select(ChatKeywordHit).where(ChatKeywordHit.message_id.in_(ids))):
        words[kw.message_id].append(kw.term)
    return [
        {
            "id": m.id,
            "message": m.platform_message_id,
            "time": m.sent_at,
            "sender": m.sender_key,
            "text": m.text,
            "action": m.action,
            "reply_to": m.reply_to,
            "forwarded": m.forwarded,
            "deleted": m.deleted,
            "known_bad": m.known_bad,
            "keywords": words.get(m.id, []),
            "attachments": atts.get(m.id, []),
            "location": m.location,
        }
        for m in messages
    ]
