"""Telegram Desktop JSON export (``result.json``), full-account or single-chat, streamed.

A full-account export can be several GB, so the file is never loaded whole: a small
incremental reader walks the top-level object and ``chats.list[*].messages[*]`` with
``json.JSONDecoder.raw_decode`` over a sliding buffer, decoding one message at a time
(:mod:`~phunt.chats.telegram_json_stream`).
Memory is bounded by one chat's aggregates plus one message (see bench/chats.py).
Field meanings follow ../shared/formats/telegram-desktop-export.md.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from phunt.chats import roles
from phunt.chats.attachments import MediaFinder, present
from phunt.chats.base import ChatParser, ParseContext, guess_mime, register
from phunt.chats.invites import note_links
from phunt.chats.model import Attachment, Chat, ChatKind, Message, Participant
from phunt.chats.telegram_json_stream import JsonStream
from phunt.errors import CorruptInput
from phunt.phones import to_e164

_KINDS: dict[str | None, ChatKind] = {
    "saved_messages": "private",
    "replies": "private",
    "personal_chat": "private",
    "bot_chat": "private",
    "private_group": "group",
    "private_supergroup": "supergroup",
    "public_supergroup": "supergroup",
    "private_channel": "channel",
    "public_channel": "channel",
}
# The typed-id prefix Telegram itself uses for each kind (chat ids collide across kinds).
_PREFIX: dict[ChatKind, str] = {
    "private": "user",
    "group": "chat",
    "supergroup": "channel",
    "channel": "channel",
    "broadcast": "channel",
}
_TOP_KEYS = [
    "about",
    "personal_information",
    "profile_pictures",
    "stories",
    "contacts",
    "frequent_contacts",
    "sessions",
    "web_sessions",
    "other_data",
    "chats",
    "left_chats",
    "name",
    "type",
    "id",
    "messages",
]
_NOT_EXPORTED = "(File", "(Photo"
_EPOCH = datetime(1970, 1, 1)
_NUMERIC_IDS = ("from_id", "actor_id")
_SECOND = timedelta(seconds=1)


@register
class TelegramJsonParser(ChatParser):
    """Telegram Desktop "Export chat history" / "Export Telegram data" in JSON."""

    name = "telegram-json"
    platform = "telegram"
    label = "Telegram JSON export (result.json)"
    main_names = ("result.json",)

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        head = stream.read(4096).decode("utf-8-sig", errors="replace").lstrip()
        if not head.startswith("{"):
            return False
        key = head[1:].lstrip().split(":", 1)[0].strip().strip('"')
        return key in _TOP_KEYS

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            _Run(context).walk(JsonStream(text, context.export.source))
        finally:
            text.detach()  # the caller owns and closes the binary stream


class _Run:
    """State of one parse: identities from the account sections, then chat by chat."""

    def __init__(self, context: ParseContext) -> None:
        self.export, self.source, self.tz = context.export, context.source, context.tz
        self.keep, self.sink = context.keep, context.sink
        self.media = MediaFinder(context.source, context.export)
        self.phones: dict[str, tuple[str | None, str]] = {}
        self.offsets: dict[int, timedelta] = {}

    def walk(self, stream: JsonStream) -> None:
        header: dict[str, Any] = {}
        chat: Chat | None = None
        for key in stream.keys("top level"):
            if key in ("chats", "left_chats"):
                for sub in stream.keys(key):
                    if sub != "list":
                        stream.value(f"{key}.{sub}")
                        continue
                    for index, _ in enumerate(stream.items(f"{key}.list")):
                        listed = self.chat(stream, f"{key}.list[{index}]")
                        if key == "left_chats" and self.export.owner is not None:
                            # The section itself is the evidence that the account left.
                            left = listed.participant(self.export.owner.id)
                            left.see_name(self.export.owner.display_name)
                            left.add_role("left", None, f"left_chats.list[{index}]")
            elif key == "messages":  # single-chat export: the root is the chat
                chat = self.new_chat(header)
                self.messages(stream, chat)
            else:
                value = stream.value(f"top-level {key!r}")
                header[key] = value
                if key == "personal_information" and isinstance(value, dict):
                    self.owner(value)
                elif key == "contacts" and isinstance(value, dict):
                    self.contacts(value)
        if stream.peek():
            raise stream.corrupt("data after the end of the export", "top level")
        if chat is not None:
            self.finish(chat)

    def owner(self, info: dict[str, Any]) -> None:
        names = " ".join(str(info.get(k) or "") for k in ("first_name", "last_name")).strip()
        person = Participant(f"user{info.get('user_id')}")
        person.see_name(names or None)
        person.phone_raw = _as_text(info.get("phone_number"))
        person.phone = to_e164(person.phone_raw) if person.phone_raw else None
        username = info.get("username")
        person.username = username.lstrip("@") if isinstance(username, str) else None
        self.export.owner = person
        self.phones[person.id] = (person.phone_raw, names)

    def contacts(self, section: dict[str, Any]) -> None:
        for entry in section.get("list") or []:
            if isinstance(entry, dict) and entry.get("user_id") and entry.get("phone_number"):
                name = f"{entry.get('first_name') or ''} {entry.get('last_name') or ''}".strip()
                self.phones[f"user{entry['user_id']}"] = (str(entry["phone_number"]), name)

    def new_chat(self, header: dict[str, Any]) -> Chat:
        raw_kind, title = _as_text(header.get("type")), _as_text(header.get("name"))
        kind = _KINDS.get(raw_kind, "group")
        chat = Chat("telegram", f"{_PREFIX[kind]}{header.get('id')}", title, kind)
        chat.raw_kind = raw_kind
        if raw_kind not in _KINDS:
            self.export.warn(f"chat {chat.platform_id}", f"unknown chat type {raw_kind!r}")
        if title != header.get("name"):
            self.export.warn(
                f"chat {chat.platform_id}", f"chat name is not text: read as {title!r}"
            )
        return chat

    def chat(self, stream: JsonStream, where: str) -> Chat:
        header: dict[str, Any] = {}
        chat: Chat | None = None
        for key in stream.keys(where):
            if key == "messages":
                chat = self.new_chat(header)
                self.messages(stream, chat)
            else:
                header[key] = stream.value(f"{where}.{key}")
        chat = chat if chat is not None else self.new_chat(header)
        self.finish(chat)
        return chat

    def messages(self, stream: JsonStream, chat: Chat) -> None:
        last: object = None
        where = f"chat {chat.platform_id}"
        unnumbered = 0
        for position, _ in enumerate(stream.items(f"{where} messages"), 1):
            try:
                raw = stream.value(where)
            except CorruptInput as exc:
                after = "the start" if last is None else f"id {last}"
                raise stream.corrupt(exc.message, f"{where}, message after {after}") from None
            if isinstance(raw, dict) and "id" not in raw and "type" in raw:
                # trimmed exports (hand-edited samples) drop ids: number by position, say so
                raw["id"] = f"#{position}"
                unnumbered += 1
            if not isinstance(raw, dict) or "id" not in raw:
                after = "the start" if last is None else f"id {last}"
                self.export.warn(f"{where}, message after {after}", "message without an id")
                continue
            last = raw["id"]
            try:
                message = self.message(chat, raw)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                # a field of an unexpected JSON type or range: this message only is lost
                self.export.warn(f"{where}, message id {last}", f"unreadable message: {exc!r}")
                continue
            if message is None:
                continue
            if self.keep:
                chat.messages.append(message)
            if self.sink is not None:
                self.sink(chat, message)
        if unnumbered:
            self.export.warn(
                where, f"{unnumbered} messages without an id: identified by position (#n)"
            )

    def when(self, raw: dict[str, Any]) -> tuple[datetime, timedelta | None, bool]:
        local = datetime.fromisoformat(raw["date"]) if "date" in raw else None
        if "date_unixtime" in raw:
            stamp = int(raw["date_unixtime"])
            try:
                time = datetime.fromtimestamp(stamp, UTC)
            except (OverflowError, OSError) as exc:  # OSError: beyond the C library's time_t
                raise ValueError(f"date_unixtime {stamp} is out of range") from exc
            if local is None:
                return time, None, False
            # local wall clock minus UTC, without building another datetime per message
            seconds = (local - _EPOCH) // _SECOND - stamp
            offset = self.offsets.get(seconds)
            if offset is None:
                offset = self.offsets[seconds] = timedelta(seconds=seconds)
            return time, offset, False
        if local is None:
            raise ValueError("message has neither date nor date_unixtime")
        aware = local.replace(tzinfo=self.tz)
        return aware.astimezone(UTC), aware.utcoffset(), True

    def message(self, chat: Chat, raw: dict[str, Any]) -> Message | None:
        kind = raw.get("type")
        if kind == "unsupported":
            chat.message_count += 1
            return None
        mid = str(raw["id"])
        time, offset, assumed = self.when(raw)
        evidence = f"message {mid}"
        service = kind == "service"
        sender_id = self.text_field(raw, "actor_id" if service else "from_id", evidence, chat)
        sender_name = self.text_field(raw, "actor" if service else "from", evidence, chat)
        chat.message_count += 1
        if chat.first_time is None or time < chat.first_time:
            chat.first_time = time
        if chat.last_time is None or time > chat.last_time:
            chat.last_time = time
        sender: Participant | None = None
        if sender_id and (sender_id != chat.platform_id or chat.kind == "private"):
            sender = chat.participant(sender_id)
            sender.see_name(sender_name)
        elif sender_id is None and sender_name:  # trimmed export: a name without an id
            sender = roles.by_name(chat, sender_name)
        if sender is not None:
            sender.message_count += 1
            roles.member(sender, time, evidence)
        action = raw.get("action") if service else None
        targets: tuple[str, ...] = ()
        if service:
            targets = self.service(chat, raw, sender, sender_name, time, evidence)
        elif chat.kind == "channel" and raw.get("author"):
            roles.by_name(chat, raw["author"]).add_role("admin", time, evidence, inferred=True)
        attachments = self.attachments(chat, mid, raw)
        chat.attachments.extend(attachments)
        text = _joined_text(raw.get("text", ""))
        note_links(chat, text, evidence)
        reply = raw.get("reply_to_message_id")
        forwarded = raw.get("forwarded_from")
        return Message(
            id=mid,
            chat_id=chat.platform_id,
            time=time,
            utc_offset=offset,
            offset_assumed=assumed,
            sender_id=sender_id,
            sender_name=sender_name,
            text=text,
            location=evidence,
            reply_to=None if reply is None else str(reply),
            forwarded="forwarded_from" in raw,
            forwarded_from=forwarded,
            action=action if service else None,
            action_targets=targets,
            attachments=attachments,
        )

    def text_field(self, raw: dict[str, Any], key: str, evidence: str, chat: Chat) -> str | None:
        """A field Telegram writes as a string (``from_id`` "user1001", ``from``), as text.

        A number or other scalar is kept as its text, with a warning, so a hand-edited or
        foreign export still attributes the message; a list or object is not an id at all.
        """
        value = raw.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (list, dict)):
            raise TypeError(f"{key} is a JSON {type(value).__name__}, not text")
        if key in _NUMERIC_IDS and isinstance(value, int) and not isinstance(value, bool):
            # Older Telegram Desktop exports write ids as bare numbers: a user's, or the
            # channel's own id for its posts.
            own = chat.platform_id == f"{_PREFIX[chat.kind]}{value}"
            return chat.platform_id if own else f"user{value}"
        text = json.dumps(value)
        self.export.warn(
            f"chat {chat.platform_id}, {evidence}",
            f"{key} is {text}, not text as Telegram writes it: read as {text!r}",
        )
        return text

    def service(
        self,
        chat: Chat,
        raw: dict[str, Any],
        actor: Participant | None,
        actor_name: str | None,
        time: datetime,
        evidence: str,
    ) -> tuple[str, ...]:
        action = raw.get("action")
        names = tuple(str(m) for m in raw.get("members") or () if m)
        if action in ("create_group", "create_channel") and actor is not None:
            actor.add_role("creator", time, evidence)
        elif chat.kind == "channel" and actor is not None:
            actor.add_role("admin", time, evidence, inferred=True)
        if action in ("create_group", "invite_members"):
            for name in names:
                roles.member(self.named(chat, name, actor, actor_name), time, evidence)
        elif action == "remove_members":
            for name in names:
                target = self.named(chat, name, actor, actor_name)
                roles.removal(actor, target, time, evidence)
        elif action in ("join_group_by_link", "join_group_by_request") and raw.get("inviter"):
            names = (str(raw["inviter"]),)
            roles.member(roles.by_name(chat, names[0]), time, evidence)
        return names

    @staticmethod
    def named(
        chat: Chat, name: str, actor: Participant | None, actor_name: str | None
    ) -> Participant:
        """The actor itself when the event names them (joined, left), else a name-only person."""
        if actor is not None and name == actor_name:
            return actor
        return roles.by_name(chat, name)

    def attachments(self, chat: Chat, mid: str, raw: dict[str, Any]) -> tuple[Attachment, ...]:
        key = "photo" if "photo" in raw else "file" if "file" in raw else None
        if key is None:
            return ()
        ref = raw[key]
        size = raw.get("photo_file_size" if key == "photo" else "file_size")
        name = raw.get("file_name")
        if not isinstance(ref, str) or ref.startswith(_NOT_EXPORTED):
            return (
                Attachment(mid, name, None, False, size=size, mime=raw.get("mime_type"), note=ref),
            )
        name = name or ref.rsplit("/", 1)[-1]
        mime = raw.get("mime_type") or guess_mime(name)
        found = self.media.find(ref, f"chat {chat.platform_id}, message id {mid}")
        if found is None:
            return (Attachment(mid, name, ref, True, size=size, mime=mime, note="file missing"),)
        return (present(mid, name, ref, mime, found.digest),)

    def finish(self, chat: Chat) -> None:
        roles.resolve_names(chat)
        for pid, person in chat.participants.items():
            known = self.phones.get(pid)
            if known is not None:
                person.phone_raw = known[0]
                person.phone = to_e164(known[0]) if known[0] else None
        self.export.chats.append(chat)


def _as_text(value: Any) -> str | None:
    """A header field Telegram writes as a string; any other JSON value as its JSON text."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def _joined_text(value: Any) -> str:
    """A message's text: a string, or Telegram's list of strings and ``{"text": ...}`` parts
    (anything else in the list carries no text)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise TypeError(f"text is a JSON {type(value).__name__}")
    parts = (p.get("text") if isinstance(p, dict) else p for p in value)
    return "".join(p for p in parts if isinstance(p, str))
