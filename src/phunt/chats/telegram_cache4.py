"""Telegram for Android: ``cache4.db``, the app's local copy of the account's chats.

In a full-file-system extraction it is ``/data/data/org.telegram.messenger/files/cache4.db``:
the only record of a seized Android phone's Telegram groups unless someone made an export.
Its tables keep Telegram's own objects as TL-serialised blobs, read with
:mod:`phunt.chats.tl` from the published schema (:mod:`phunt.chats.tl_schema`):

- ``users.data``: ``User`` (``user``, ``userEmpty``); the account's own user carries the
  ``self`` flag and becomes the export's owner (else the app's preferences name it:
  :mod:`phunt.chats.telegram_cache4_prefs`).
- ``chats.data``: ``Chat`` (``chat``, ``chatForbidden``, ``channel``, ``channelForbidden``);
  the ``creator``/``admin_rights``/``left`` flags are the owner's own standing there.
- ``chat_settings_v2.info``: ``ChatFull`` (``chatFull``) of a basic group, whose
  ``chatParticipants`` list every member as ``chatParticipant``, ``chatParticipantAdmin`` or
  ``chatParticipantCreator`` (a creator is recorded as admin too: Telegram gives the
  creator every admin right, and ``channelParticipantCreator`` states them).
- ``channel_users_v2.data``: ``ChannelParticipant`` of supergroups and channels
  (plain, self, creator, admin, banned, left).
- ``messages_v2.data`` (``messages`` in older builds): ``Message`` (``message``,
  ``messageService``, ``messageEmpty``) with ``peer``, forward and reply headers, photo and
  document media, and the service actions that state creation, joining, adding, removing,
  titles and migration. Trailing bytes after a message are the Android client's own
  additions; one that reads as a TL string holding a path is taken as the file's local path.

Covered: the constructors of layers 189 and 216 (a row keeps the ids of the layer that
wrote it, and both are read), and the channel-participant constructors of the layers
before 186 and of 186 to 216, as listed in :mod:`phunt.chats.tl_schema`. A blob that does not decode
(truncated, an unknown constructor, a newer layer's layout) is a recorded warning naming
the table and row, and the row is skipped: never a crash. A database without the tables is
not this format; one named ``cache4.db`` that lacks them is damaged and says which is missing.
Not read: ``dialogs`` and ``media_v4`` (an index and a copy of what the messages hold) and
``enc_chats``; secret chats' messages are stored with the Android client's own
constructors, which are not in the published schema, so they are warnings naming their rows.
Media files are looked for beside the database as :mod:`phunt.chats.telegram_cache4_media`
says; service actions become roles as :mod:`phunt.chats.telegram_cache4_actions` says.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from phunt.chats import roles
from phunt.chats.base import ChatParser, ParseContext, register
from phunt.chats.model import Chat, ChatKind, Message, Participant, RoleName
from phunt.chats.sqlite_copy import probe_database, read_only_copy
from phunt.chats.telegram_cache4_actions import ACTIONS, apply_action
from phunt.chats.telegram_cache4_media import find_attachment, media_finder
from phunt.chats.telegram_cache4_prefs import own_user
from phunt.chats.tl import TLError, TLObject, decode
from phunt.errors import CorruptInput
from phunt.phones import from_jid_user

MAIN = "cache4.db"
REQUIRED = ("users", "chats")
MESSAGE_TABLES = ("messages_v2", "messages")


@register
class TelegramCache4Parser(ChatParser):
    """Telegram for Android's database (``cache4.db``)."""

    name = "telegram-cache4"
    platform = "telegram"
    label = "Telegram for Android cache4.db (SQLite database)"
    main_names = (MAIN,)

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        return probe_database(stream, name, MAIN, _has_tables)

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        run = _Run(context)
        try:
            with read_only_copy(stream, context.name, context.source, prefix="phunt-cache4-") as db:
                run.read(db)
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise CorruptInput(
                f"unreadable database: {exc}", path=context.origin, location=run.where
            ) from None
        context.export.chats.extend(run.chats.values())


def _has_tables(tables: set[str]) -> bool:
    return all(t in tables for t in REQUIRED) and any(t in tables for t in MESSAGE_TABLES)


def utc(stamp: Any) -> datetime | None:
    """A Unix time as UTC; None when it is not one."""
    if isinstance(stamp, bool) or not isinstance(stamp, int) or stamp <= 0:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class _Run:
    """One parse: people from ``users``, chats by dialog id, then members and messages."""

    def __init__(self, context: ParseContext) -> None:
        self.context, self.export = context, context.export
        self.media = media_finder(context.source, context.export)
        self.people: dict[int, TLObject] = {}
        self.chats: dict[int, Chat] = {}
        self.self_id: int | None = None
        self.where = "schema"

    def blob(self, data: Any, expected: str, evidence: str) -> tuple[TLObject, int] | None:
        """The object in one row's blob, or None (with a warning naming the row)."""
        if not isinstance(data, bytes) or not data:
            self.export.warn(evidence, f"no {expected} data in the row; skipped")
            return None
        try:
            return decode(data, expected)
        except TLError as exc:
            self.export.warn(evidence, f"undecodable {expected}: {exc.message}; skipped")
            return None

    def rows(self, conn: sqlite3.Connection, table: str, sql: str) -> Iterator[tuple[Any, ...]]:
        self.where = f"table {table}"
        yield from conn.execute(sql)

    def read(self, conn: sqlite3.Connection) -> None:
        """Every table phunt knows, blobs read as BLOBs (a blob stored as text is kept)."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        found = [t for t in MESSAGE_TABLES if t in tables]
        missing = [t for t in REQUIRED if t not in tables] + ([] if found else [MESSAGE_TABLES[0]])
        if missing:
            self.where = f"table {missing[0]}"
            raise CorruptInput(
                f"no table {missing[0]}: not a complete cache4.db",
                path=self.context.origin,
                location=self.where,
            )
        for uid, data in self.rows(
            conn, "users", "SELECT uid, CAST(data AS BLOB) FROM users ORDER BY uid"
        ):
            self.user(uid, data)
        if self.self_id is None:
            user = own_user(self.context.source, self.export)
            if user is not None:
                self.people.setdefault(user["id"], user)
                self.self_id = user["id"]
                self.describe(self.own(user), user)
        for uid, data in self.rows(
            conn, "chats", "SELECT uid, CAST(data AS BLOB) FROM chats ORDER BY uid"
        ):
            self.chat(uid, data)
        if "chat_settings_v2" in tables:
            sql = "SELECT uid, CAST(info AS BLOB) FROM chat_settings_v2 ORDER BY uid"
            for uid, data in self.rows(conn, "chat_settings_v2", sql):
                self.chat_full(uid, data)
        if "channel_users_v2" in tables:
            sql = "SELECT did, uid, CAST(data AS BLOB) FROM channel_users_v2 ORDER BY did, uid"
            for did, uid, data in self.rows(conn, "channel_users_v2", sql):
                self.channel_user(did, uid, data)
        # A build part-way through its migration keeps both tables: a message is read once,
        # from the newer one.
        seen: set[tuple[Any, Any]] | None = set() if len(found) > 1 else None
        for table in found:
            self.messages(conn, table, seen)

    def user(self, uid: Any, data: Any) -> None:
        found = self.blob(data, "User", f"row {uid} of users")
        if found is None or found[0]["_"] != "user":
            return
        user = found[0]
        self.people[user["id"]] = user
        if user.get("self"):
            self.self_id = user["id"]
            self.describe(self.own(user), user)

    def own(self, user: TLObject) -> Participant:
        """The export's owner: the account whose phone held the database."""
        owner = self.export.owner = Participant(f"user{user['id']}")
        return owner

    @staticmethod
    def describe(person: Participant, user: TLObject) -> None:
        """Names, username and phone of a ``user`` object, on a participant."""
        name = " ".join(user.get(k) or "" for k in ("first_name", "last_name")).strip()
        person.see_name(name or None)
        person.username = person.username or user.get("username")
        phone = user.get("phone")
        if phone and person.phone_raw is None:
            person.phone_raw, person.phone = phone, from_jid_user(phone)

    def person(self, chat: Chat, user_id: int) -> Participant:
        found = chat.participants.get(f"user{user_id}")
        if found is not None:
            return found
        person = chat.participant(f"user{user_id}")
        user = self.people.get(user_id)
        if user is not None:
            self.describe(person, user)
        return person

    def owner(self, chat: Chat) -> Participant:
        if self.self_id is not None:
            return self.person(chat, self.self_id)
        owner = chat.participant("owner")
        owner.see_name("device owner")
        return owner

    def chat(self, uid: Any, data: Any) -> None:
        evidence = f"row {uid} of chats"
        found = self.blob(data, "Chat", evidence)
        if found is None or found[0]["_"] == "chatEmpty":
            return
        raw = found[0]
        channel = raw["_"].startswith("channel")
        kind: ChatKind = "group"
        if channel:
            kind = "supergroup" if raw.get("megagroup") else "channel"
        prefix = "channel" if channel else "chat"
        chat = Chat("telegram", f"{prefix}{raw['id']}", raw.get("title"), kind, raw["_"])
        self.chats[-raw["id"]] = chat
        if raw.get("creator"):
            self.owner(chat).add_role("creator", None, evidence)
        if raw.get("admin_rights") is not None:
            self.owner(chat).add_role("admin", None, evidence)
        if raw.get("left") or raw["_"] in ("chatForbidden", "channelForbidden"):
            self.owner(chat).add_role("left", None, evidence)
        elif raw["_"] in ("chat", "channel"):
            roles.member(self.owner(chat), None, evidence)

    def chat_full(self, uid: Any, data: Any) -> None:
        evidence = f"row {uid} of chat_settings_v2"
        found = self.blob(data, "ChatFull", evidence)
        if found is None:
            return
        full = found[0]
        chat = self.chats.get(-full["id"])
        if chat is None:
            self.export.warn(evidence, f"chat {full['id']} is not in the chats table")
            return
        listed = full["participants"]
        members = listed.get("participants") or []
        if listed["_"] == "chatParticipantsForbidden" and listed.get("self_participant"):
            members = [listed["self_participant"]]
        for index, entry in enumerate(members):
            where = f"{evidence}, participant {index}"
            person = self.person(chat, entry["user_id"])
            roles.member(person, utc(entry.get("date")), where)
            if entry["_"] == "chatParticipantCreator":
                person.add_role("creator", None, where)  # a creator holds every admin right
            if entry["_"] in ("chatParticipantCreator", "chatParticipantAdmin"):
                person.add_role("admin", None, where)

    def channel_user(self, did: Any, uid: Any, data: Any) -> None:
        evidence = f"row did={did} uid={uid} of channel_users_v2"
        found = self.blob(data, "ChannelParticipant", evidence)
        key = (did if did < 0 else -did) if isinstance(did, int) else None
        chat = None if key is None else self.chats.get(key)
        if found is None:
            return
        if chat is None:
            self.export.warn(evidence, f"channel {did} is not in the chats table")
            return
        entry = found[0]
        kind = entry["_"]
        if kind in ("channelParticipantBanned", "channelParticipantLeft"):
            peer = entry["peer"]
            if "user_id" in peer:
                left = kind.endswith("Left") or entry.get("left")
                state: RoleName = "left" if left else "removed"
                self.person(chat, peer["user_id"]).add_role(state, utc(entry.get("date")), evidence)
            return
        person = self.person(chat, entry["user_id"])
        roles.member(person, utc(entry.get("date")), evidence)
        if kind == "channelParticipantCreator":
            person.add_role("creator", None, evidence)
            person.add_role("admin", None, evidence)  # its admin_rights are stated in the row
        elif kind == "channelParticipantAdmin":
            person.add_role("admin", utc(entry.get("date")), evidence)

    def messages(
        self, conn: sqlite3.Connection, table: str, seen: set[tuple[Any, Any]] | None
    ) -> None:
        sql = f"SELECT mid, uid, date, CAST(data AS BLOB), out FROM {table} ORDER BY uid, date, mid"
        for mid, uid, date, data, out in self.rows(conn, table, sql):
            if seen is not None:
                if (mid, uid) in seen:
                    continue
                seen.add((mid, uid))
            evidence = f"row mid={mid} uid={uid} of {table}"
            found = self.blob(data, "Message", evidence)
            if found is None or found[0]["_"] == "messageEmpty":
                continue
            raw, end = found
            message = self.message(evidence, raw, data[end:], bool(out), date)
            if message is None:
                continue
            chat, item = message
            if self.context.keep:
                chat.messages.append(item)
            if self.context.sink is not None:
                self.context.sink(chat, item)

    def chat_for(self, peer: TLObject) -> Chat:
        """The chat a message's ``peer_id`` names, created when no table row described it."""
        kind: ChatKind
        if "user_id" in peer:
            key, pid, kind = peer["user_id"], f"user{peer['user_id']}", "private"
        elif "chat_id" in peer:
            key, pid, kind = -peer["chat_id"], f"chat{peer['chat_id']}", "group"
        else:
            key, pid, kind = -peer["channel_id"], f"channel{peer['channel_id']}", "supergroup"
        chat = self.chats.get(key)
        if chat is None:
            title = None
            if kind == "private" and key in self.people:
                user = self.people[key]
                title = " ".join(user.get(k) or "" for k in ("first_name", "last_name")).strip()
            chat = self.chats[key] = Chat("telegram", pid, title or None, kind)
        return chat

    def sender(self, chat: Chat, raw: TLObject, out: bool) -> Participant | None:
        origin = raw.get("from_id")
        if origin is not None and "user_id" in origin:
            return self.person(chat, origin["user_id"])
        if out or raw.get("out"):
            return self.owner(chat)
        if chat.kind == "private":
            return self.person(chat, raw["peer_id"]["user_id"])
        return None  # a channel's own post

    def message(
        self, evidence: str, raw: TLObject, tail: bytes, out: bool, row_date: Any
    ) -> tuple[Chat, Message] | None:
        time = utc(raw.get("date")) or utc(row_date)
        if time is None:
            self.export.warn(evidence, "message without a usable date; skipped")
            return None
        chat = self.chat_for(raw["peer_id"])
        sender = self.sender(chat, raw, out)
        service = raw["_"] == "messageService"
        action: str | None = None
        targets: tuple[str, ...] = ()
        if service:
            act = raw["action"]
            action = ACTIONS.get(act["_"], act["_"])
            targets = apply_action(self, chat, act, sender, time, evidence)
        elif sender is not None:
            sender.message_count += 1
            roles.member(sender, time, evidence)
        at = f"chat {chat.platform_id}, {evidence}"
        attachment = find_attachment(self.media, at, str(raw["id"]), raw.get("media"), tail)
        if attachment is not None:
            chat.attachments.append(attachment)
        _count(chat, time)
        fwd, reply = raw.get("fwd_from"), raw.get("reply_to")
        return chat, Message(
            id=str(raw["id"]),
            chat_id=chat.platform_id,
            time=time,
            utc_offset=None,
            offset_assumed=False,
            sender_id=None if sender is None else sender.id,
            sender_name=None if sender is None else sender.display_name,
            text=raw.get("message") or "",
            location=evidence,
            reply_to=None
            if not reply or "reply_to_msg_id" not in reply
            else str(reply["reply_to_msg_id"]),
            forwarded=fwd is not None,
            forwarded_from=None if fwd is None else fwd.get("from_name"),
            action=action,
            action_targets=targets,
            attachments=() if attachment is None else (attachment,),
        )


def _count(chat: Chat, time: datetime) -> None:
    chat.message_count += 1
    if chat.first_time is None or time < chat.first_time:
        chat.first_time = time
    if chat.last_time is None or time > chat.last_time:
        chat.last_time = time
