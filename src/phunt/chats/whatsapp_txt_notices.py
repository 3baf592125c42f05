"""People and notices in a WhatsApp text export: who a name is, and what a notice says.

A notice ("Asha added Ravi", "You're now an admin") is matched against the locales'
tables (:mod:`phunt.chats.notices`) and applied as role evidence citing its line; an
unknown one is kept as ``unrecognised-notice``, never as a person's message.
"""

from __future__ import annotations

import re
from datetime import datetime

from phunt.chats import notices, roles
from phunt.chats.model import Chat, Participant
from phunt.phones import clean, looks_like_phone, to_e164

OWNER_ID = "owner"
UNRECOGNISED = "unrecognised-notice"
#: Notice kinds (phunt.chats.notices) as the actions messages carry (Telegram's names where
#: Telegram has the same event).
ACTIONS = {
    "created": "create_group",
    "added": "add_members",
    "was_added": "added",
    "removed": "remove_members",
    "was_removed": "removed",
    "left": "left",
    "joined_link": "join_group_by_link",
    "admin_granted": "admin_granted",
    "admin_revoked": "admin_revoked",
    "subject_changed": "edit_group_title",
    "icon_changed": "edit_group_photo",
    "description_changed": "edit_description",
    "settings_changed": "settings",
    "security_code_changed": "security_code_changed",
    "number_changed": "number_change",
    "encryption": "encryption_notice",
}
NOT_GROUP = ("encryption", "number_changed", "security_code_changed")


class People:
    """A chat's people by the names the text gives them, and the notices about them."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.is_group = False
        self.people: dict[str, Participant] = {}

    def person(self, raw: str) -> Participant:
        found = self.people.get(raw)
        if found is None:
            found = self.people[raw] = self.new_person(clean(raw))
        return found

    def new_person(self, name: str) -> Participant:
        if name.casefold() in notices.YOU:  # "You", "Você", "Du", "Вы" ... (notices tables)
            return self.chat.participant(OWNER_ID)
        if looks_like_phone(name):
            phone = to_e164(name)
            person = self.chat.participant(phone or name)
            person.phone, person.phone_raw = phone, name
            return person
        return roles.by_name(self.chat, name)

    def chat_notice(
        self, author: str, body: str, time: datetime, evidence: str
    ) -> tuple[str | None, tuple[str, ...], Participant | None]:
        """A notice attributed to the chat itself (``Group: \u200eMessages and calls ...``).

        It names the chat: the title when the file name did not give one. A marked body
        that is no known notice is a notice only when its author is the chat's title
        (otherwise it is a person's message, e.g. an iOS location).
        """
        text = clean(body)
        if self.media_line(text):
            return None, (), None
        name = clean(author)
        found = notices.match_notice(text)
        if found is None and name != self.chat.title:
            return None, (), None
        if self.chat.title is None:
            self.chat.title = name
        return self.notice(text, time, evidence)

    @staticmethod
    def media_line(body: str) -> bool:
        return bool(notices.IOS_FILE.search(body) or notices.omitted(body) or notices.deleted(body))

    def notice(
        self, body: str, time: datetime, evidence: str, *, strict: bool = False
    ) -> tuple[str | None, tuple[str, ...], Participant | None]:
        """Apply a notice's role evidence. An unknown one is kept as ``unrecognised-notice``
        (never a person's message), unless ``strict`` (the line may be a message)."""
        found = notices.match_notice(body)
        if found is None:
            return (None if strict else UNRECOGNISED), (), None
        kind = found.kind
        actor = None
        if found.by_owner:
            actor = self.person("You")
        elif found.actor:
            actor = self.person(found.actor)
        names = ("You",) if found.to_owner else split_names(found.targets or "")
        if kind not in NOT_GROUP:
            self.is_group = True
        if actor is not None and kind != "number_changed":
            if actor.id != OWNER_ID:
                actor.see_name(clean(found.actor or ""))
            roles.member(actor, time, evidence)
        if found.subject is not None and kind in ("created", "subject_changed"):
            self.chat.title = found.subject
        if kind == "created" and actor is not None:
            actor.add_role("creator", time, evidence)
        elif kind in ("added", "was_added"):
            if actor is not None:
                actor.add_role("admin", time, evidence, inferred=True)
            for name in names:
                roles.member(self.person(name), time, evidence)
        elif kind in ("removed", "was_removed"):
            for name in names:
                roles.removal(actor, self.person(name), time, evidence)
        elif kind == "left" and actor is not None:
            actor.add_role("left", time, evidence)
        elif kind == "settings_changed" and actor is not None:
            actor.add_role("admin", time, evidence, inferred=True)
        elif kind == "admin_granted":
            for name in names:
                self.person(name).add_role("admin", time, evidence)
        return ACTIONS[kind], names, actor


def split_names(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    parts = re.split(r",\s+|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())
