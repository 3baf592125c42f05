"""Regenerate the two-device chat fixture (run from anywhere: paths are relative to this file).

Two decrypted WhatsApp ``msgstore.db`` files (current schema, copied from the shape in
../chats/make_fixtures.py) from two members' phones that both hold the same group
``1203630000000000@g.us`` ("Riverside Book Club"; invented numbers, neutral text):

* ``phone_a``: owned by +919800000001, who created the group; +919800000002 is an admin,
  +919800000003 a member. +919800000002 posts a picture, present beside the database.
* ``phone_b``: owned by +919800000002 (admin, sends the same picture, whose file is gone:
  only the hash WhatsApp recorded remains); +919800000001 creator, +919800000003 and
  +919800000004 members; plus a private chat with +919800000001.
* ``corrupt/msgstore.db``: phone A's database cut short.

The picture is a plain-colour square; tests declare its hash "known" in a synthetic list.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
GROUP = "1203630000000000@g.us"
TITLE = "Riverside Book Club"
PICTURE = "Media/WhatsApp Images/IMG-20260110-WA0001.jpg"
T0 = 1768030200000  # 2026-01-10 07:30 UTC, in milliseconds
MINUTE = 60_000

SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
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
CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
CREATE TABLE message_system_chat_participant (message_row_id INTEGER, user_jid_row_id INTEGER);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER NOT NULL,
  pending INTEGER NOT NULL, UNIQUE (group_jid_row_id, user_jid_row_id));
"""


def picture(path: Path) -> bytes:
    """A 16x16 plain-colour JPEG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), (30, 140, 110)).save(path, "JPEG", quality=80)
    return path.read_bytes()


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def user(row: int, number: str) -> tuple[int, str, str, int, str]:
    return (row, number, "s.whatsapp.net", 0, f"{number}@s.whatsapp.net")


def build(
    path: Path,
    jids: list[tuple[int, str, str, int, str]],
    chats: list[tuple[int, int, str | None]],
    messages: list[tuple[int, int, int, int | None, int, int, str | None]],
    media: list[tuple[int, int, str, int, str]],
    system: list[tuple[int, int]],
    targets: list[tuple[int, int]],
    members: list[tuple[int, int, int]],
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (?, ?, ?, ?, ?)", jids
    )
    db.executemany(
        "INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (?, ?, ?, NULL)",
        chats,
    )
    db.executemany(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp,"
        " message_type, text_data) VALUES (?, ?, ?, 'K' || ?, ?, ?, ?, ?)",
        [(m[0], m[1], m[2], m[0], m[3], m[4], m[5], m[6]) for m in messages],
    )
    db.executemany(
        "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type,"
        " file_hash) VALUES (?, ?, ?, ?, 'image/jpeg', ?)",
        media,
    )
    db.executemany("INSERT INTO message_system VALUES (?, ?)", system)
    db.executemany("INSERT INTO message_system_chat_participant VALUES (?, ?)", targets)
    db.executemany(
        "INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending)"
        " VALUES (?, ?, ?, 0)",
        members,
    )
    db.commit()
    db.close()


def phone_a(image: bytes) -> None:
    """Owner +919800000001 (jid row 0 in group_participant_user = the owner)."""
    build(
        HERE / "phone_a/msgstore.db",
        jids=[
            user(2, "919800000002"),
            user(3, "919800000003"),
            (9, "1203630000000000", "g.us", 1, GROUP),
        ],
        chats=[(1, 9, TITLE)],
        messages=[  # _id, chat, from_me, sender row, time, type, text
            (1, 1, 1, None, T0, 7, TITLE),
            (2, 1, 1, None, T0 + MINUTE, 7, None),
            (3, 1, 0, 2, T0 + 2 * MINUTE, 0, "This month we read the river novel."),
            (4, 1, 0, 2, T0 + 3 * MINUTE, 1, "Cover picture"),
            (5, 1, 0, 3, T0 + 4 * MINUTE, 0, "Thanks, see you on Saturday."),
        ],
        media=[(4, 1, PICTURE, len(image), b64sha(image))],
        system=[(1, 11), (2, 12)],
        targets=[(2, 2), (2, 3)],
        members=[(9, 0, 2), (9, 2, 1), (9, 3, 0)],
    )


def phone_b(image: bytes) -> None:
    """Owner +919800000002; the picture's file is gone, its recorded hash remains."""
    build(
        HERE / "phone_b/msgstore.db",
        jids=[
            user(1, "919800000001"),
            user(3, "919800000003"),
            user(4, "919800000004"),
            (9, "1203630000000000", "g.us", 1, GROUP),
        ],
        chats=[(1, 9, TITLE), (2, 1, None)],
        messages=[
            (1, 1, 0, 1, T0 + MINUTE, 0, "Welcome to the book club."),
            (2, 1, 1, None, T0 + 3 * MINUTE, 1, "Cover picture"),
            (3, 1, 0, 4, T0 + 5 * MINUTE, 7, None),
            (4, 1, 0, 4, T0 + 6 * MINUTE, 0, "Hello all, happy to join."),
            (5, 2, 0, None, T0 + 7 * MINUTE, 0, "Can you bring the chairs?"),
            (6, 2, 1, None, T0 + 8 * MINUTE, 0, "Yes, four of them."),
        ],
        media=[
            (2, 1, "Media/WhatsApp Images/Sent/IMG-20260110-WA0002.jpg", len(image), b64sha(image))
        ],
        system=[(3, 20)],
        targets=[(3, 4)],
        members=[(9, 1, 2), (9, 0, 1), (9, 3, 0), (9, 4, 0)],
    )


def corrupt() -> None:
    whole = (HERE / "phone_a/msgstore.db").read_bytes()
    out = HERE / "corrupt/msgstore.db"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(whole[:4096] + b"\x00" * 4096)


if __name__ == "__main__":
    image = picture(HERE / "phone_a" / PICTURE)
    phone_a(image)
    phone_b(image)
    corrupt()
