"""Chat pages: the groups of the viewer's cases, one group with its admins and members
(each role with the message that proves it) and its flagged media, and its messages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from phunt.accounts.access import Action, Viewer
from phunt.chats import browse
from phunt.chats.browse import CHAT_SORTS, MEMBER_SORTS, MESSAGE_SORTS
from phunt.web.deps import DbSession, page_viewer, render, viewer_scope
from phunt.web.paging import Paging, paging

router = APIRouter()

FLAGGED_SHOWN = 20
"""Flagged messages shown on a chat's page (all of them are on its messages page)."""


class _First:
    """The first page of a chat's flagged messages, oldest first."""

    page = 1
    per_page = FLAGGED_SHOWN
    sort = "time"
    desc = False


@router.get("/chats", response_class=HTMLResponse)
def chats(
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(CHAT_SORTS, "flagged", desc=True)],
    device: int | None = None,
    case: int | None = None,
    every: Annotated[bool, Query(alias="all")] = False,
) -> HTMLResponse:
    found = browse.list_chats(
        session, viewer_scope(viewer), at, device_id=device, case_id=case, groups_only=not every
    )
    kept = [(k, v) for k, v in at.params if k != "all"]
    toggle = "?" + urlencode(kept if every else [*kept, ("all", "true")])
    return render(
        request,
        "chats/list.html",
        viewer,
        paging=at,
        chats=found.items,
        total=found.total,
        device=device,
        case=case,
        every=every,
        toggle=toggle,
    )


@router.get("/chats/{chat_id}", response_class=HTMLResponse)
def chat(
    chat_id: int,
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(MEMBER_SORTS, "role")],
) -> HTMLResponse:
    scope = viewer_scope(viewer)
    detail = browse.get_chat(session, scope, chat_id)
    members = browse.list_members(session, scope, chat_id, at)
    flagged = browse.list_messages(session, scope, chat_id, _First(), flagged_only=True)
    return render(
        request,
        "chats/chat.html",
        viewer,
        paging=at,
        detail=detail,
        chat=detail.chat,
        admins=browse.list_admins(session, scope, chat_id),
        invites=browse.invite_links(session, detail),
        members=members.items,
        total=members.total,
        flagged=flagged.items,
        flagged_total=flagged.total,
    )


@router.get("/chats/{chat_id}/messages", response_model=None)
def messages(
    chat_id: int,
    request: Request,
    session: DbSession,
    viewer: Annotated[Viewer, page_viewer(Action.VIEW_CASES)],
    at: Annotated[Paging, paging(MESSAGE_SORTS, "time")],
    flagged: bool = False,
    message: int | None = None,
) -> Response:
    """A page of a chat's messages; ``?message=ID`` opens the page that holds that one
    (a role's proving message in its conversation)."""
    scope = viewer_scope(viewer)
    if message is not None:
        page = browse.message_index(session, scope, chat_id, message) // at.per_page + 1
        target = f"/chats/{chat_id}/messages?page={page}&per_page={at.per_page}"
        return RedirectResponse(f"{target}#message-{message}", status_code=303)
    detail = browse.get_chat(session, scope, chat_id)
    found = browse.list_messages(session, scope, chat_id, at, flagged_only=flagged)
    return render(
        request,
        "chats/messages.html",
        viewer,
        paging=at,
        chat=detail.chat,
        messages=found.items,
        total=found.total,
        flagged=flagged,
    )
