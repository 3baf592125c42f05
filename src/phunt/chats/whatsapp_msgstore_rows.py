"""One msgstore parse's state, and the steps both schema readers share: identities,
chats, member rows, attachments and emitting a message row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from phunt.chats import roles
from phunt.chats.attachments import MediaFinder
from phunt.chats.base import MessageSink
from phunt.chats.model import Attachment, Chat, ChatExport, Message, Participant
from phunt.chats.paths import MediaRoot
from phunt.chats.source import ChatSource
from phunt.chats.whatsapp_jids import OWNER_ID, chat_kind, jid_participant
from phunt.chats.whatsapp_msgstore_roles import action_name, ranked, system

SYSTEM_TYPE = 7
_DELETED_TYPES = (15, 64)


class Rows:
    """One parse: chats keyed by row id (current) or JID (legacy), messages streamed."""

    def __init__(
        self,
        export: ChatExport,
        source: ChatSource,
        keep: bool,
        sink: MessageSink | None,
        roots: Sequence[MediaRoot],
    ) -> None:
        self.export, self.source, self.keep, self.sink = export, source, keep, sink
        self.media = MediaFinder(source, export, roots)
        self.chats: dict[Any, Chat] = {}
        self.by_jid: dict[str, Chat] = {}
        self.last_row: str | None = None
        self.seen_keys: set[tuple[str, Any]] | None = None
        """(chat JID, key_id) of messages read from ``message``, when ``messages`` follows."""

    def person(self, chat: Chat, jid: str | None, from_me: bool) -> Participant | None:
        if from_me:
            owner = chat.participant(OWNER_ID)
            owner.see_name("device owner")
            return owner
        return jid_participant(chat, jid) if jid else None

    def chat_for(self, key: Any, jid: str, subject: str | None) -> Chat:
        chat = self.chats.get(key)
        if chat is None and jid in self.by_jid:  # same chat, keyed by the other schema
            chat = self.by_jid[jid]
            chat.title = chat.title or subject
        if chat is None:
            chat = self.chats[key] = Chat(
                "whatsapp", jid, subject, chat_kind(jid), raw_kind=jid.rpartition("@")[2]
            )
            self.by_jid[jid] = chat
        return chat

    def member_row(self, chat: Chat | None, jid: str | None, level: Any, evidence: str) -> None:
        if chat is None:
            self.export.warn(evidence, "group not found")
            return
        person = self.person(chat, jid, from_me=not jid)
        if person is None:
            return
        ranked(person, level, evidence)

    def emit(
        self,
        chat: Chat,
        rid: int,
        table: str,
        stamp: Any,
        from_me: bool,
        sender_jid: str | None,
        text: str | None,
        mtype: int | None,
        attachment: Attachment | None,
        reply: str | None,
        forwarded: bool,
        code: Any,
        targets: list[str],
    ) -> None:
        evidence = f"row {rid} of {table}"
        if not isinstance(stamp, int) or stamp <= 0:
            self.export.warn(evidence, f"message without a usable timestamp ({stamp!r}); skipped")
            return
        time = datetime.fromtimestamp(stamp / 1000, UTC)
        chat.message_count += 1
        if chat.first_time is None or time < chat.first_time:
            chat.first_time = time
        if chat.last_time is None or time > chat.last_time:
            chat.last_time = time
        sender = self.person(chat, sender_jid, from_me)
        action = None
        if code is not None:
            action = action_name(code)
            system(action, sender, [self.person(chat, j, False) for j in targets], time, evidence)
        elif sender is not None:
            sender.message_count += 1
            roles.member(sender, time, evidence)
        attachments = (attachment,) if attachment is not None else ()
        chat.attachments.extend(attachments)
        both = self.seen_keys is not None and table == "messages"
        message = Message(
            id=f"messages/{rid}" if both else str(rid),  # row ids of two tables can collide
            chat_id=chat.platform_id,
            time=time,
            utc_offset=None,
            offset_assumed=False,
            sender_id=None if sender is None else sender.id,
            sender_name=None,
            text=text or "",
            location=evidence,
            reply_to=reply,
            forwarded=forwarded,
            action=action,
            action_targets=tuple(targets),
            attachments=attachments,
            deleted=mtype in _DELETED_TYPES,
        )
        if self.keep:
            chat.messages.append(message)
        if self.sink is not None:
            self.sink(chat, message)
