"""What the service actions of a ``cache4.db`` message state about the people in a chat.

``messageService`` rows carry a ``MessageAction``; those that say who created a group,
who was added, who joined and who was removed become roles with the row as evidence,
named as Telegram Desktop's JSON export names the same actions (so both sources read
alike in a report). Other actions are kept by those names, or their TL name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from phunt.chats import roles
from phunt.chats.model import Chat, Participant
from phunt.chats.tl import TLObject

ACTIONS = {
    "messageActionChatCreate": "create_group",
    "messageActionChannelCreate": "create_channel",
    "messageActionChatAddUser": "invite_members",
    "messageActionChatDeleteUser": "remove_members",
    "messageActionChatJoinedByLink": "join_group_by_link",
    "messageActionChatJoinedByRequest": "join_group_by_request",
    "messageActionChatEditTitle": "edit_group_title",
    "messageActionChatEditPhoto": "edit_group_photo",
    "messageActionChatDeletePhoto": "delete_group_photo",
    "messageActionPinMessage": "pin_message",
    "messageActionChatMigrateTo": "migrate_to_supergroup",
    "messageActionChannelMigrateFrom": "migrate_from_group",
    "messageActionHistoryClear": "clear_history",
    "messageActionScreenshotTaken": "take_screenshot",
    "messageActionContactSignUp": "joined_telegram",
}
"""TL action constructor -> the action name Telegram's own export uses for it."""


class People(Protocol):
    """What an action needs of the parse: the participant for a user id."""

    def person(self, chat: Chat, user_id: int) -> Participant: ...


def apply_action(
    people: People,
    chat: Chat,
    action: TLObject,
    actor: Participant | None,
    time: datetime,
    evidence: str,
) -> tuple[str, ...]:
    """Record the roles ``action`` states; return the ids of the people it names."""
    kind = action["_"]
    if kind in ("messageActionChatCreate", "messageActionChannelCreate") and actor is not None:
        actor.add_role("creator", time, evidence)
        roles.member(actor, time, evidence)
    if kind in ("messageActionChatCreate", "messageActionChatAddUser"):
        added = [people.person(chat, uid) for uid in action["users"]]
        for person in added:
            roles.member(person, time, evidence)
        return tuple(p.id for p in added)
    if kind == "messageActionChatDeleteUser":
        target = people.person(chat, action["user_id"])
        roles.removal(actor, target, time, evidence)
        return (target.id,)
    if kind in ("messageActionChatJoinedByLink", "messageActionChatJoinedByRequest"):
        if actor is not None:
            roles.member(actor, time, evidence)
        return ()
    if kind == "messageActionChatEditTitle" and chat.title is None:
        chat.title = action["title"]
    return ()
