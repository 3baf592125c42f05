"""Telegram for Android's ``cache4.db`` written from invented groups, for the demo and fixtures.

The tables are created as the Android client creates them (the columns phunt reads and
the ones beside them), and every blob is encoded with :mod:`phunt.chats.tl`, the same
constructor table phunt's reader decodes with: users (the owner with the ``self`` flag),
basic groups with their ``chatFull`` participants (creator, admins, members) in
``chat_settings_v2``, supergroups with ``channel_users_v2``, a ``messageChatCreate``
service message, then the group's messages with their documents. Media files go where
the app keeps downloads, ``Telegram/Telegram Images`` (or ``Telegram Video``) beside the
database, named ``<dc>_<document id>`` as the client names them.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

from phunt.chats.tl import TLObject, encode
from phunt.demo.plan import Group, Person

ROOT = "org.telegram.messenger/files/"
DATABASE = ROOT + "cache4.db"
DC = 2
BASIC_GROUP_LIMIT = 200
"""Members a basic group holds; a larger group is a supergroup on Telegram."""
_BASE_CHAT_ID = 4_100_000_000
_SCHEMA = (
    "CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB)",
    "CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB)",
    "CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB)",
    "CREATE TABLE chat_settings_v2(uid INTEGER PRIMARY KEY, info BLOB, pinned INTEGER, "
    "online INTEGER, inviter INTEGER, links INTEGER)",
    "CREATE TABLE channel_users_v2(did INTEGER, uid INTEGER, date INTEGER, data BLOB, "
    "PRIMARY KEY(did, uid))",
    "CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, "
    "send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, "
    "replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, "
    "thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, "
    "custom_params BLOB, group_id INTEGER, reply_to_story_id INTEGER, PRIMARY KEY(mid, uid))",
    "CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER, "
    "last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER, "
    "unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER, "
    "folder_id INTEGER, data BLOB, unread_reactions INTEGER, last_mid_group INTEGER, "
    "ttl_period INTEGER)",
    "CREATE TABLE media_v4(mid INTEGER, uid INTEGER, date INTEGER, type INTEGER, data BLOB, "
    "PRIMARY KEY(mid, uid, type))",
)


def _user(person: Person, owner: Person) -> TLObject:
    first, _, last = person.name.partition(" ")
    return {
        "_": "user",
        "self": person.phone == owner.phone,
        "contact": True,
        "id": person.telegram_id,
        "access_hash": person.telegram_id * 7919,
        "first_name": first,
        "last_name": last or None,
        "username": person.username,
        "phone": person.phone.lstrip("+"),
    }


def _kind(data: bytes) -> tuple[str, str, str]:
    """MIME type, extension and download folder of a media file, from its first bytes."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg", ".jpg", "Telegram Images"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png", ".png", "Telegram Images"
    return "video/mp4", ".mp4", "Telegram Video"


class _Writer:
    """Rows of one database, built group by group."""

    def __init__(self, owner: Person, people: dict[str, Person], media: dict[str, bytes]):
        self.owner, self.media = owner, media
        self.people = {**people, owner.phone: owner}
        self.conn = sqlite3.connect(":memory:")
        for statement in _SCHEMA:
            self.conn.execute(statement)
        self.files: dict[str, bytes] = {}
        self.next_document = 5_000_000_001

    def users(self) -> None:
        for person in sorted(self.people.values(), key=lambda p: p.telegram_id):
            data = encode(_user(person, self.owner))
            self.conn.execute(
                "INSERT INTO users VALUES (?, ?, 0, ?)",
                (person.telegram_id, person.name.lower(), data),
            )

    def group(self, index: int, group: Group, supergroup: bool) -> None:
        chat_id = _BASE_CHAT_ID + index
        did = -chat_id
        named = {*group.members, group.creator, *(m.author for m in group.messages)}
        ids = {phone: self.people[phone].telegram_id for phone in named}
        start = int((group.messages[0].at if group.messages else _epoch()).timestamp()) - 3600
        own = self.owner.phone
        if supergroup:
            chat: TLObject = {
                "_": "channel",
                "creator": group.creator == own,
                "megagroup": True,
                "id": chat_id,
                "access_hash": chat_id * 31,
                "title": group.title,
                "photo": {"_": "chatPhotoEmpty"},
                "date": start,
                "admin_rights": {"_": "chatAdminRights"} if own in group.admins else None,
                "participants_count": len(group.members),
            }
            peer: TLObject = {"_": "peerChannel", "channel_id": chat_id}
            self.channel_users(did, group, ids, start)
        else:
            chat = {
                "_": "chat",
                "creator": group.creator == own,
                "id": chat_id,
                "title": group.title,
                "photo": {"_": "chatPhotoEmpty"},
                "participants_count": len(group.members),
                "date": start,
                "version": 1,
                "admin_rights": {"_": "chatAdminRights"} if own in group.admins else None,
            }
            peer = {"_": "peerChat", "chat_id": chat_id}
            self.chat_full(chat_id, group, ids, start)
        self.conn.execute(
            "INSERT INTO chats VALUES (?, ?, ?)", (chat_id, group.title.lower(), encode(chat))
        )
        self.messages(did, peer, group, ids, start, supergroup)

    def chat_full(self, chat_id: int, group: Group, ids: dict[str, int], start: int) -> None:
        participants: list[TLObject] = []
        for phone in group.members:
            uid = ids[phone]
            if phone == group.creator:
                participants.append({"_": "chatParticipantCreator", "user_id": uid})
                continue
            kind = "chatParticipantAdmin" if phone in group.admins else "chatParticipant"
            creator = ids[group.creator]
            participants.append({"_": kind, "user_id": uid, "inviter_id": creator, "date": start})
        full = chat_full(chat_id, participants)
        self.conn.execute(
            "INSERT INTO chat_settings_v2 VALUES (?, ?, 0, 0, 0, 0)", (chat_id, encode(full))
        )

    def channel_users(self, did: int, group: Group, ids: dict[str, int], start: int) -> None:
        rights = {"_": "chatAdminRights"}
        creator = ids[group.creator]
        for phone in group.members:
            uid = ids[phone]
            entry: TLObject
            if phone == group.creator:
                entry = {"_": "channelParticipantCreator", "user_id": uid, "admin_rights": rights}
            elif phone in group.admins:
                entry = {
                    "_": "channelParticipantAdmin",
                    "user_id": uid,
                    "promoted_by": creator,
                    "date": start,
                    "admin_rights": rights,
                }
            else:
                entry = {"_": "channelParticipant", "user_id": uid, "date": start}
            self.conn.execute(
                "INSERT INTO channel_users_v2 VALUES (?, ?, ?, ?)", (did, uid, start, encode(entry))
            )

    def messages(
        self,
        did: int,
        peer: TLObject,
        group: Group,
        ids: dict[str, int],
        start: int,
        supergroup: bool,
    ) -> None:
        creator = ids[group.creator]
        create: TLObject
        if supergroup:
            create = {"_": "messageActionChannelCreate", "title": group.title}
        else:
            others = [ids[p] for p in group.members if p != group.creator]
            create = {"_": "messageActionChatCreate", "title": group.title, "users": others}
        service = {
            "_": "messageService",
            "out": group.creator == self.owner.phone,
            "id": 1,
            "from_id": {"_": "peerUser", "user_id": creator},
            "peer_id": peer,
            "date": start,
            "action": create,
        }
        self.row(1, did, start, service, None)
        last, mid = start, 1
        for mid, item in enumerate(group.messages, start=2):
            last = int(item.at.timestamp())
            raw: TLObject = {
                "_": "message",
                "out": item.author == self.owner.phone,
                "id": mid,
                "from_id": {"_": "peerUser", "user_id": ids[item.author]},
                "peer_id": peer,
                "date": last,
                "message": item.text,
                "media": None if item.attachment is None else self.document(item.attachment),
            }
            self.row(mid, did, last, raw, raw["media"])
        self.conn.execute(
            "INSERT INTO dialogs (did, date, unread_count, last_mid, inbox_max, outbox_max, "
            "pinned, flags, folder_id) VALUES (?, ?, 0, ?, ?, ?, 0, 0, 0)",
            (did, last, mid, mid, mid),
        )

    def document(self, key: str) -> TLObject:
        data = self.media[key]
        mime, ext, folder = _kind(data)
        doc_id, self.next_document = self.next_document, self.next_document + 1
        self.files[f"{ROOT}Telegram/{folder}/{DC}_{doc_id}{ext}"] = data
        return document_media(doc_id, mime, len(data), f"{key}{ext}")

    def row(self, mid: int, did: int, date: int, raw: TLObject, media: TLObject | None) -> None:
        data = encode(raw)
        self.conn.execute(
            "INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out, ttl, "
            "media, imp, mention, forwards, is_channel) VALUES (?, ?, 1, 0, ?, ?, ?, 0, ?, 0, 0,"
            " 0, ?)",
            (mid, did, date, data, int(bool(raw.get("out"))), int(media is not None), 0),
        )
        if media is not None:
            self.conn.execute("INSERT INTO media_v4 VALUES (?, ?, ?, 0, ?)", (mid, did, date, data))

    def database(self) -> bytes:
        self.conn.commit()
        with tempfile.TemporaryDirectory(prefix="phunt-demo-cache4-") as work:
            path = Path(work) / "cache4.db"
            out = sqlite3.connect(path)
            try:
                self.conn.backup(out)
            finally:
                out.close()
            return path.read_bytes()


def chat_full(chat_id: int, participants: list[TLObject]) -> TLObject:
    """The ``chatFull`` of a basic group listing its participants (``chat_settings_v2``)."""
    return {
        "_": "chatFull",
        "id": chat_id,
        "about": "",
        "participants": {
            "_": "chatParticipants",
            "chat_id": chat_id,
            "participants": participants,
            "version": 1,
        },
        "notify_settings": {"_": "peerNotifySettings"},
    }


def document_media(doc_id: int, mime: str, size: int, file_name: str) -> TLObject:
    """A ``messageMediaDocument`` of a downloaded file, as the demo and the benchmark write it."""
    return {
        "_": "messageMediaDocument",
        "document": {
            "_": "document",
            "id": doc_id,
            "access_hash": doc_id * 13,
            "file_reference": b"",
            "date": 0,
            "mime_type": mime,
            "size": size,
            "dc_id": DC,
            "attributes": [{"_": "documentAttributeFilename", "file_name": file_name}],
        },
    }


def _epoch() -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC)


def cache4(
    groups: list[Group],
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
    *,
    supergroups: Collection[str] = (),
) -> dict[str, bytes]:
    """``org.telegram.messenger/files/cache4.db`` and the media it names, for ``owner``'s
    phone: ``people`` by phone, ``media`` by MediaFile.key; groups titled in
    ``supergroups``, or larger than a basic group can be, are written as supergroups
    (``channel_users_v2``), the others as basic groups (``chat_settings_v2``)."""
    writer = _Writer(owner, people, media)
    try:
        writer.users()
        for index, group in enumerate(groups):
            big = len(group.members) > BASIC_GROUP_LIMIT  # Telegram upgrades such a group
            writer.group(index, group, big or group.title in supergroups)
        return {DATABASE: writer.database(), **writer.files}
    finally:
        writer.conn.close()
