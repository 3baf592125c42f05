"""Read models of the chats for the web workspace: pages of chats, members and messages.

Every query takes the viewer's scope, the case ids they may see (``None``: every case, and
devices in none), and answers :class:`~phunt.errors.NotFoundError` for a chat outside it
exactly as for an unknown id, so a page cannot confirm that another case's chat exists.
Lists are paged and sorted in SQL: a supergroup's members or messages are never all loaded.
A role's proving message is the message stored at the record its evidence names. The
rows and pages answered are in :mod:`~phunt.chats.browse_models`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session

from phunt.chats.browse_models import (
    ADMIN_ROLES,
    CHAT_SORTS,
    MEMBER_SORTS,
    MESSAGE_SORTS,
    ROLE_ORDER,
    AttachmentRow,
    ChatDetail,
    ChatRow,
    InviteLink,
    MatchRow,
    MemberRow,
    MessageRow,
    Page,
    PageRequest,
    ProvingMessage,
    RoleRow,
    copy_row,
)
from phunt.chats.model import GROUP_KINDS
from phunt.errors import NotFoundError
from phunt.schema.cases import Case, Device
from phunt.schema.chats import (
    ChatAttachment,
    ChatImport,
    ChatKeywordHit,
    ChatMediaMatch,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)
from phunt.schema.scope import Scope, in_scope

__all__ = [
    "ADMIN_ROLES",
    "CHAT_SORTS",
    "GROUP_KINDS",
    "MEMBER_SORTS",
    "MESSAGE_SORTS",
    "ROLE_ORDER",
    "AttachmentRow",
    "ChatDetail",
    "ChatRow",
    "InviteLink",
    "MatchRow",
    "MemberRow",
    "MessageRow",
    "Page",
    "PageRequest",
    "ProvingMessage",
    "RoleRow",
    "get_chat",
    "invite_links",
    "list_admins",
    "list_chats",
    "list_members",
    "list_messages",
    "message_index",
]

Q = TypeVar("Q", bound=Select[Any])


def _order(page: PageRequest, columns: dict[str, SQLColumnExpression[Any]]) -> list[Any]:
    column = columns[page.sort] if page.sort in columns else next(iter(columns.values()))
    return [column.desc() if page.desc else column.asc()]


def _window(query: Q, page: PageRequest) -> Q:
    return query.offset((max(page.page, 1) - 1) * page.per_page).limit(page.per_page)


def _chat_columns() -> tuple[Any, ...]:
    members = (
        select(func.count())
        .where(ChatParticipant.chat_id == ChatRecord.id)
        .correlate(ChatRecord)
        .scalar_subquery()
    )
    flagged = (
        select(func.count())
        .where(ChatAttachment.chat_id == ChatRecord.id, ChatAttachment.known_bad)
        .correlate(ChatRecord)
        .scalar_subquery()
    )
    return ChatRecord, Device.evidence_number, Device.case_id, members, flagged


def _chat_row(chat: ChatRecord, device: str, case_id: int | None, n: int, bad: int) -> ChatRow:
    return copy_row(
        ChatRow,
        chat,
        device=device,
        case_id=case_id,
        members=n,
        messages=chat.message_count,
        flagged_media=bad,
    )


def list_chats(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    device_id: int | None = None,
    case_id: int | None = None,
    groups_only: bool = True,
) -> Page[ChatRow]:
    """A page of the chats in scope, of one device or case when given, groups only by default.

    A device or case outside the scope is NotFoundError, as an unknown one: an empty list
    would tell that it exists.
    """
    _check_parents(session, scope, device_id, case_id)
    columns = _chat_columns()
    members, flagged = columns[3], columns[4]
    conditions = [in_scope(Device.case_id, scope)]
    if device_id is not None:
        conditions.append(ChatRecord.device_id == device_id)
    if case_id is not None:
        conditions.append(Device.case_id == case_id)
    if groups_only:
        conditions.append(ChatRecord.kind.in_(GROUP_KINDS))
    base = select(*columns).join(Device, Device.id == ChatRecord.device_id).where(*conditions)
    sorts = {
        "title": func.lower(func.coalesce(ChatRecord.title, "")),
        "kind": ChatRecord.kind,
        "members": members,
        "messages": ChatRecord.message_count,
        "flagged": flagged,
        "device": Device.evidence_number,
        "last": ChatRecord.last_time,
    }
    query = _window(base.order_by(*_order(page, sorts), ChatRecord.id), page)
    total = session.scalar(
        select(func.count())
        .select_from(ChatRecord)
        .join(Device, Device.id == ChatRecord.device_id)
        .where(*conditions)
    )
    return Page([_chat_row(*row) for row in session.execute(query)], total or 0)


def _check_parents(
    session: Session, scope: Scope, device_id: int | None, case_id: int | None
) -> None:
    if device_id is not None:
        seen = select(Device.id).where(Device.id == device_id, in_scope(Device.case_id, scope))
        if session.scalar(seen) is None:
            raise NotFoundError(f"no device {device_id}")
    hidden = scope is not None and case_id not in scope
    if case_id is not None and (hidden or session.get(Case, case_id) is None):
        raise NotFoundError(f"no case {case_id}")


def get_chat(session: Session, scope: Scope, chat_id: int) -> ChatDetail:
    """One chat in scope with its device, case and source; NotFoundError otherwise."""
    query = (
        select(*_chat_columns(), Case.number, ChatImport)
        .join(Device, Device.id == ChatRecord.device_id)
        .join(ChatImport, ChatImport.id == ChatRecord.import_id)
        .outerjoin(Case, Case.id == Device.case_id)
        .where(ChatRecord.id == chat_id, in_scope(Device.case_id, scope))
    )
    found = session.execute(query).one_or_none()
    if found is None:
        raise NotFoundError(f"no chat {chat_id}")
    chat, device, case_id, n, bad, number, imp = list(found)
    return copy_row(
        ChatDetail,
        imp,
        chat=_chat_row(chat, device, case_id, n, bad),
        raw_kind=chat.raw_kind,
        first_time=chat.first_time,
        case_number=number,
        import_id=imp.id,
    )


def _role_rank() -> ColumnElement[int]:
    return case(
        *((ChatRole.role == name, n) for n, name in enumerate(ROLE_ORDER)), else_=len(ROLE_ORDER)
    )


def list_members(
    session: Session, scope: Scope, chat_id: int, page: PageRequest
) -> Page[MemberRow]:
    """A page of a chat's participants, each with every role and its proving message."""
    get_chat(session, scope, chat_id)
    rank = (
        select(func.min(_role_rank()))
        .where(ChatRole.participant_id == ChatParticipant.id)
        .correlate(ChatParticipant)
        .scalar_subquery()
    )
    sorts = {
        "role": func.coalesce(rank, len(ROLE_ORDER)),
        "phone": func.coalesce(ChatParticipant.phone, ChatParticipant.key),
        "messages": ChatParticipant.message_count,
        "flagged": ChatParticipant.known_bad_sent,
    }
    query = (
        select(ChatParticipant)
        .where(ChatParticipant.chat_id == chat_id)
        .order_by(*_order(page, sorts), ChatParticipant.id)
    )
    people = list(session.scalars(_window(query, page)))
    total = session.scalar(select(func.count()).where(ChatParticipant.chat_id == chat_id))
    return Page(_with_roles(session, chat_id, people), total or 0)


def list_admins(session: Session, scope: Scope, chat_id: int) -> list[MemberRow]:
    """Every creator and admin of a chat (few, so never paged), with the proving messages."""
    get_chat(session, scope, chat_id)
    held = select(ChatRole.participant_id).where(ChatRole.role.in_(ADMIN_ROLES))
    people = session.scalars(
        select(ChatParticipant)
        .where(ChatParticipant.chat_id == chat_id, ChatParticipant.id.in_(held))
        .order_by(ChatParticipant.id)
    )
    return _with_roles(session, chat_id, list(people))


def _with_roles(
    session: Session, chat_id: int, people: Sequence[ChatParticipant]
) -> list[MemberRow]:
    role_rows = list(
        session.scalars(
            select(ChatRole)
            .where(ChatRole.participant_id.in_([p.id for p in people]))
            .order_by(ChatRole.id)
        )
    )
    proofs = _proving_messages(session, chat_id, {r.evidence for r in role_rows})
    roles: dict[int, list[RoleRow]] = defaultdict(list)
    for r in role_rows:
        roles[r.participant_id].append(copy_row(RoleRow, r, message=proofs.get(r.evidence)))
    for held in roles.values():
        held.sort(key=lambda r: ROLE_ORDER.index(r.role) if r.role in ROLE_ORDER else 99)
    return [
        copy_row(
            MemberRow,
            p,
            name=p.names[-1] if p.names else None,
            names=list(p.names),
            owner=p.is_owner,
            messages=p.message_count,
            roles=roles.get(p.id, []),
        )
        for p in people
    ]


def _proving_messages(
    session: Session, chat_id: int, evidence: set[str]
) -> dict[str, ProvingMessage]:
    """The chat's messages stored at the records the evidence names (parsers use one text)."""
    if not evidence:
        return {}
    query = select(
        ChatMessage.location,
        ChatMessage.id,
        ChatMessage.sent_at,
        ChatMessage.sender_name,
        ChatMessage.sender_key,
        ChatMessage.text,
        ChatMessage.action,
    ).where(ChatMessage.chat_id == chat_id, ChatMessage.location.in_(sorted(evidence)))
    found: dict[str, ProvingMessage] = {}
    for where, mid, at, name, key, text, action in session.execute(query):
        found.setdefault(
            where, ProvingMessage(id=mid, time=at, sender=name or key, text=text, action=action)
        )
    return found


def invite_links(session: Session, detail: ChatDetail) -> list[InviteLink]:
    """The invite links of a chat the viewer sees (``detail``: :func:`get_chat`'s answer),
    in the order of the messages that named them."""
    chat_id = detail.chat.id
    stored = session.scalar(select(ChatRecord.invite_links).where(ChatRecord.id == chat_id))
    named: dict[str, str] = {str(k): str(v) for k, v in (stored or {}).items()}
    proofs = _proving_messages(session, chat_id, set(named.values()))
    links = [InviteLink(link=k, evidence=v, message=proofs.get(v)) for k, v in named.items()]
    return sorted(links, key=lambda x: (x.message is None, x.message.id if x.message else 0,
                                        x.link))  # fmt: skip


def message_index(session: Session, scope: Scope, chat_id: int, message_id: int) -> int:
    """How many of the chat's messages come before ``message_id`` in time order (to open
    the page that holds it); NotFoundError when the chat holds no such message."""
    get_chat(session, scope, chat_id)
    target = session.execute(
        select(ChatMessage.sent_at).where(
            ChatMessage.id == message_id, ChatMessage.chat_id == chat_id
        )
    ).one_or_none()
    if target is None:
        raise NotFoundError(f"no message {message_id} in chat {chat_id}")
    earlier = (ChatMessage.sent_at < target.sent_at) | (
        (ChatMessage.sent_at == target.sent_at) & (ChatMessage.id < message_id)
    )
    before = session.scalar(select(func.count()).where(ChatMessage.chat_id == chat_id, earlier))
    return before or 0


def list_messages(
    session: Session, scope: Scope, chat_id: int, page: PageRequest, *, flagged_only: bool = False
) -> Page[MessageRow]:
    """A page of a chat's messages in time order, with attachments, matches and keyword hits."""
    get_chat(session, scope, chat_id)
    conditions: list[ColumnElement[bool]] = [ChatMessage.chat_id == chat_id]
    if flagged_only:
        conditions.append(ChatMessage.known_bad | ChatMessage.keyword_flagged)
    direction = (ChatMessage.sent_at.desc(), ChatMessage.id.desc())
    order = direction if page.desc else (ChatMessage.sent_at.asc(), ChatMessage.id.asc())
    query = select(ChatMessage).where(*conditions).order_by(*order)
    messages = list(session.scalars(_window(query, page)))
    total = session.scalar(select(func.count()).select_from(ChatMessage).where(*conditions))
    ids = [m.id for m in messages]
    attachments = _attachments(session, ids)
    words: dict[int, list[str]] = defaultdict(list)
    for mid, term in session.execute(
        select(ChatKeywordHit.message_id, ChatKeywordHit.term)
        .where(ChatKeywordHit.message_id.in_(ids))
        .order_by(ChatKeywordHit.id)
    ):
        words[mid].append(term)
    rows = [
        copy_row(
            MessageRow,
            m,
            time=m.sent_at,
            action_targets=list(m.action_targets),
            keywords=words.get(m.id, []),
            attachments=attachments.get(m.id, []),
        )
        for m in messages
    ]
    return Page(rows, total or 0)


def _attachments(session: Session, message_ids: list[int]) -> dict[int, list[AttachmentRow]]:
    rows = list(
        session.scalars(
            select(ChatAttachment)
            .where(ChatAttachment.message_id.in_(message_ids))
            .order_by(ChatAttachment.id)
        )
    )
    matches: dict[int, list[MatchRow]] = defaultdict(list)
    for hit in session.scalars(
        select(ChatMediaMatch)
        .where(ChatMediaMatch.attachment_id.in_([a.id for a in rows]))
        .order_by(ChatMediaMatch.id)
    ):
        matches[hit.attachment_id].append(copy_row(MatchRow, hit, source=hit.hash_source))
    found: dict[int, list[AttachmentRow]] = defaultdict(list)
    for a in rows:
        found[a.message_id].append(copy_row(AttachmentRow, a, matches=matches.get(a.id, [])))
    return found
