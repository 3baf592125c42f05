"""WhatsApp JIDs as chats and people, shared by the Android and iOS database parsers.

A JID's server says what kind of chat it names; a phone JID's user part is the number,
which keys the participant (E.164) so the same person matches across chats and devices.
"""

from __future__ import annotations

from phunt.chats.model import Chat, ChatKind, Participant
from phunt.phones import from_jid_user

OWNER_ID = "owner"


def chat_kind(jid: str) -> ChatKind:
    """The kind of chat a WhatsApp JID names, by its server (shared with the iOS parser)."""
    server = jid.rpartition("@")[2]
    if server == "g.us":
        return "group"
    if server == "newsletter":
        return "channel"
    if server == "broadcast":
        return "broadcast"
    return "private"


def jid_participant(chat: Chat, jid: str) -> Participant:
    """The participant a JID names: keyed by E.164 number for a phone JID, else the JID."""
    user, _, server = jid.partition("@")
    phone = from_jid_user(user) if server == "s.whatsapp.net" else None
    person = chat.participant(phone or jid)
    person.phone, person.phone_raw = phone, jid
    return person
