"""Chats in the JSON API: a device's or case's chats, one chat with its admins, its members
and its messages, within the caller's cases (another case's chat is a 404 like no chat)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.chats import browse
from phunt.chats.browse import (
    CHAT_SORTS,
    MEMBER_SORTS,
    MESSAGE_SORTS,
    ChatDetail,
    ChatRow,
    MemberRow,
    MessageRow,
)
from phunt.web.deps import DbSession, api_viewer, viewer_scope
from phunt.web.paging import Paging, paging

router = APIRouter(prefix="/api/v1/chats", tags=["chats"])


class ChatPage(BaseModel):
    items: list[ChatRow]
    total: int
    page: int
    per_page: int


class ChatDetailOut(ChatDetail):
    admins: list[MemberRow]
    """Every creator and admin, each role with the message proving it."""


class MemberPage(BaseModel):
    items: list[MemberRow]
    total: int
    page: int
    per_page: int


class MessagePage(BaseModel):
    items: list[MessageRow]
    total: int
    page: int
    per_page: int


def _page(items: list[Any], total: int, at: Paging) -> dict[str, Any]:
    return {"items": items, "total": total, "page": at.page, "per_page": at.per_page}


@router.get("", response_model=ChatPage)
def list_chats(
    session: DbSession,
    viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(CHAT_SORTS, "flagged", desc=True)],
    device: int | None = None,
    case: int | None = None,
    groups: bool = True,
) -> ChatPage:
    """Chats within the caller's cases, of one device or case when asked; groups only
    unless ``groups=false``."""
    found = browse.list_chats(
        session, viewer_scope(viewer), at, device_id=device, case_id=case, groups_only=groups
    )
    return ChatPage.model_validate(_page(found.items, found.total, at))


@router.get("/{chat_id}", response_model=ChatDetailOut)
def get_chat(
    chat_id: int, session: DbSession, viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)]
) -> ChatDetailOut:
    """One chat: platform, title, device, case, the export it came from, and its admins
    with the message proving each role."""
    scope = viewer_scope(viewer)
    detail = browse.get_chat(session, scope, chat_id)
    admins = browse.list_admins(session, scope, chat_id)
    return ChatDetailOut(**dict(detail), admins=admins)


@router.get("/{chat_id}/members", response_model=MemberPage)
def list_members(
    chat_id: int,
    session: DbSession,
    viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(MEMBER_SORTS, "role")],
) -> MemberPage:
    """A chat's members, each with every role and the message proving it."""
    found = browse.list_members(session, viewer_scope(viewer), chat_id, at)
    return MemberPage.model_validate(_page(found.items, found.total, at))


@router.get("/{chat_id}/messages", response_model=MessagePage)
def list_messages(
    chat_id: int,
    session: DbSession,
    viewer: Annotated[Viewer, api_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(MESSAGE_SORTS, "time")],
    flagged: Annotated[
        bool, Query(description="only messages with a listed file or keyword")
    ] = False,
) -> MessagePage:
    """A chat's messages in time order, with attachments (tied to stored files) and matches."""
    found = browse.list_messages(session, viewer_scope(viewer), chat_id, at, flagged_only=flagged)
    return MessagePage.model_validate(_page(found.items, found.total, at))
