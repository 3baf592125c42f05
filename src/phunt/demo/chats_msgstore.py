"""WhatsApp on Android: ``msgstore.db`` (current schema) with ``wa.db``, and the media.

A full-file-system extraction holds the app's private databases under
``data/data/com.whatsapp/databases/`` and its media on the shared storage,
``data/media/0/Android/media/com.whatsapp/WhatsApp/Media/`` (what the phone shows as
``/sdcard/Android/media/...``); ``message_media.file_path`` names a file relative to that
``WhatsApp`` folder and ``file_hash`` holds the Base64 SHA-256 of its bytes, which is how
phunt ties an attachment to the media file found elsewhere on the device.

Roles: ``group_participant_user.rank`` (2 creator, 1 admin, 0 member) for everyone but
the owner, whom WhatsApp does not list there; the owner's roles come from the system
messages the owner sent (created the group, added members). Tables and columns are those
of the current schema phunt reads (../shared/formats/whatsapp-android-msgstore.md),
the rows ours.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from phunt.demo.chats_common import (
    check,
    created_at,
    group_jid,
    jid_user,
    media_kind,
    millis,
    mime,
    ordered,
    shown_phone,
    user_jid,
    wa_media_names,
    whatsapp_events,
    who,
)
from phunt.demo.plan import Group, Person

DATABASES = "data/data/com.whatsapp/databases"
WHATSAPP = "data/media/0/Android/media/com.whatsapp/WhatsApp"
_TEXT, _IMAGE, _VIDEO, _SYSTEM = 0, 1, 3, 7
_CREATED, _ADDED = 11, 12

SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE jid_map (lid_row_id INTEGER PRIMARY KEY, jid_row_id INTEGER);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE,
  hidden INTEGER, subject TEXT, created_timestamp INTEGER, archived INTEGER,
  sort_timestamp INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  broadcast INTEGER, recipient_count INTEGER, timestamp INTEGER, received_timestamp INTEGER,
  message_type INTEGER, text_data TEXT, starred INTEGER, sort_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  file_path TEXT, file_size INTEGER, message_url TEXT, mime_type TEXT, file_length INTEGER,
  media_name TEXT, file_hash TEXT, enc_file_hash TEXT, media_key BLOB, width INTEGER,
  height INTEGER);
CREATE TABLE message_quoted (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  from_me INTEGER, key_id TEXT, text_data TEXT);
CREATE TABLE message_forwarded (message_row_id INTEGER PRIMARY KEY, forward_score INTEGER);
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE message_system_chat_participant (message_row_id INTEGER, user_jid_row_id INTEGER);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER NOT NULL,
  pending INTEGER NOT NULL, UNIQUE (group_jid_row_id, user_jid_row_id));
"""
WA_SCHEMA = """
CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL,
  is_whatsapp_user BOOLEAN NOT NULL, status TEXT, status_timestamp INTEGER, number TEXT,
  raw_contact_id INTEGER, display_name TEXT, phone_type INTEGER, phone_label TEXT,
  unseen_msg_count INTEGER, photo_ts INTEGER, thumb_ts INTEGER, photo_id_timestamp INTEGER,
  given_name TEXT, family_name TEXT, wa_name TEXT, sort_name TEXT, nickname TEXT,
  company TEXT, title TEXT, status_autodownload_disabled INTEGER, keep_timestamp INTEGER,
  is_spam_reported INTEGER, is_sidelist_synced BOOLEAN, is_business_synced BOOLEAN);
"""


@dataclass
class _Row:
    """One ``message`` row before ids are given out in time order."""

    chat: int
    at: datetime
    sender: str | None  # phone, None for the owner
    kind: int
    text: str | None
    action: int | None = None
    targets: tuple[str, ...] = ()
    media: tuple[str, str, bytes] | None = None  # (file_path, file name, bytes)


def msgstore(
    groups: list[Group],
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
) -> dict[str, bytes]:
    """The owner's phone's WhatsApp databases and media, by path from the phone's root."""
    check(groups, owner, people, media)
    names = wa_media_names(groups, media)
    rows: list[_Row] = []
    files: dict[str, bytes] = {}
    for number, group in enumerate(groups, 1):
        for event in whatsapp_events(group, owner.phone):
            action = _CREATED if event.kind == "created" else _ADDED
            text = group.title if event.kind == "created" else None
            actor = None if event.actor == owner.phone else event.actor
            targets = tuple(t for t in event.targets if t != owner.phone)
            rows.append(_Row(number, event.at, actor, _SYSTEM, text, action, targets))
        for index, message in enumerate(ordered(group)):
            sender = None if message.author == owner.phone else message.author
            row = _Row(number, message.at, sender, _TEXT, message.text or None)
            if message.attachment is not None:
                data = media[message.attachment]
                video = media_kind(message.attachment, data) == "video"
                folder = "WhatsApp Video" if video else "WhatsApp Images"
                sent = "Sent/" if sender is None else ""
                name = names[number - 1, index]
                path = f"Media/{folder}/{sent}{name}"
                files[f"{WHATSAPP}/{path}"] = data
                row.kind, row.media = (_VIDEO if video else _IMAGE), (path, name, data)
            rows.append(row)
    rows.sort(key=lambda r: (millis(r.at), r.chat))
    files[f"{DATABASES}/msgstore.db"] = _database(groups, owner, rows)
    files[f"{DATABASES}/wa.db"] = _contacts(groups, owner, people)
    return files


def _database(groups: list[Group], owner: Person, rows: list[_Row]) -> bytes:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    phones = sorted({p for g in groups for p in g.members if p != owner.phone})
    jids = {phone: n for n, phone in enumerate(phones, 1)}
    db.executemany(
        "INSERT INTO jid (_id, user, server, agent, device, type, raw_string) "
        "VALUES (?, ?, 's.whatsapp.net', 0, 0, 0, ?)",
        [(n, jid_user(phone), user_jid(phone)) for phone, n in jids.items()],
    )
    group_rows = {}
    for number, group in enumerate(groups, 1):
        gid = group_rows[number] = len(jids) + number
        jid = group_jid(group)
        db.execute(
            "INSERT INTO jid (_id, user, server, agent, device, type, raw_string) "
            "VALUES (?, ?, 'g.us', 0, 0, 1, ?)",
            (gid, jid.partition("@")[0], jid),
        )
        last = max((millis(r.at) for r in rows if r.chat == number), default=0)
        db.execute(
            "INSERT INTO chat (_id, jid_row_id, hidden, subject, created_timestamp, archived, "
            "sort_timestamp) VALUES (?, ?, 0, ?, ?, 0, ?)",
            (number, gid, group.title, millis(created_at(group)), last),
        )
        rank = {p: 2 if p == group.creator else 1 if p in group.admins else 0 for p in jids}
        db.executemany(
            "INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, "
            "pending) VALUES (?, ?, ?, 0)",
            [(gid, jids[p], rank[p]) for p in group.members if p != owner.phone],
        )
    for rid, row in enumerate(rows, 1):
        stamp = millis(row.at)
        key = hashlib.sha256(f"{row.chat}:{stamp}:{rid}".encode()).hexdigest()[:20].upper()
        db.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, "
            "broadcast, recipient_count, timestamp, received_timestamp, message_type, text_data, "
            "starred, sort_id) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, 0, ?)",
            (
                rid,
                row.chat,
                int(row.sender is None),
                key,
                None if row.sender is None else jids[row.sender],
                6 if row.kind == _SYSTEM else 13,
                stamp,
                stamp + 1500,
                row.kind,
                row.text,
                rid,
            ),
        )
        if row.action is not None:
            db.execute("INSERT INTO message_system VALUES (?, ?)", (rid, row.action))
            db.executemany(
                "INSERT INTO message_system_chat_participant VALUES (?, ?)",
                [(rid, jids[t]) for t in row.targets],
            )
        if row.media is not None:
            path, name, data = row.media
            db.execute(
                "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, "
                "mime_type, file_length, media_name, file_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (rid, row.chat, path, len(data), mime(data), len(data), name, _b64sha(data)),
            )
    db.commit()
    data = db.serialize()
    db.close()
    return data


def _contacts(groups: list[Group], owner: Person, people: dict[str, Person]) -> bytes:
    """``wa.db``: the owner's address book holds everyone the owner shares a group with."""
    db = sqlite3.connect(":memory:")
    db.executescript(WA_SCHEMA)
    phones = sorted({p for g in groups for p in g.members if p != owner.phone})
    rows = []
    for phone in phones:
        person = who(phone, owner, people)
        first, _, last = person.name.partition(" ")
        rows.append(
            (user_jid(phone), shown_phone(phone), person.name, first, last or None, person.name)
        )
    db.executemany(
        "INSERT INTO wa_contacts (jid, is_whatsapp_user, number, display_name, given_name, "
        "family_name, wa_name) VALUES (?, 1, ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()
    data = db.serialize()
    db.close()
    return data


def _b64sha(data: bytes) -> str:
    """``file_hash`` as WhatsApp keeps it: Base64 of the SHA-256 of the file's bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
