"""A generated Telegram for Android ``cache4.db`` for bench/chats.py.

CHATS basic groups of USERS members (creator, two admins, the rest members, as
``chat_settings_v2`` participants), sharing ``messages`` messages: one in 50 a service
message adding a member, one in 20 with a document, the rest neutral text. Every blob is
encoded with phunt's own TL table (:mod:`phunt.chats.tl`), as the demo's writer does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from phunt.chats.tl import encode
from phunt.demo.cache4 import chat_full, document_media

BASE_CHAT = 4_100_000_000
BASE_USER = 800_000
SCHEMA = """
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE chat_settings_v2(uid INTEGER PRIMARY KEY, info BLOB, pinned INTEGER,
  online INTEGER, inviter INTEGER, links INTEGER);
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER,
  date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, PRIMARY KEY(mid, uid));
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, last_mid INTEGER);
"""


def make_cache4(
    path: Path, messages: int, *, chats: int, users: int, text: Callable[[int], str]
) -> None:
    """Write the database; ``text(i)`` gives message ``i``'s neutral text."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    base = 1767587400
    for u in range(users):
        user = {
            "_": "user",
            "id": BASE_USER + u,
            "first_name": f"User {u}",
            "phone": f"9198{u:08d}",
            "self": u == 0,
        }
        db.execute(
            "INSERT INTO users VALUES (?, ?, 0, ?)", (BASE_USER + u, f"user {u}", encode(user))
        )
    for c in range(chats):
        chat_id = BASE_CHAT + c
        chat = {
            "_": "chat",
            "id": chat_id,
            "title": f"Bench Group {c}",
            "photo": {"_": "chatPhotoEmpty"},
            "participants_count": users,
            "date": base,
            "version": 1,
        }
        db.execute(
            "INSERT INTO chats VALUES (?, ?, ?)", (chat_id, f"bench group {c}", encode(chat))
        )
        members: list[dict[str, object]] = [{"_": "chatParticipantCreator", "user_id": BASE_USER}]
        members += [
            {
                "_": "chatParticipantAdmin" if u < 3 else "chatParticipant",
                "user_id": BASE_USER + u,
                "inviter_id": BASE_USER,
                "date": base,
            }
            for u in range(1, users)
        ]
        full = chat_full(chat_id, members)
        db.execute(
            "INSERT INTO chat_settings_v2 VALUES (?, ?, 0, 0, 0, 0)", (chat_id, encode(full))
        )

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(messages):
            chat_id = BASE_CHAT + i % chats
            user = BASE_USER + (i * 7919) % users
            raw: dict[str, object] = {
                "_": "message",
                "id": i + 1,
                "from_id": {"_": "peerUser", "user_id": user},
                "peer_id": {"_": "peerChat", "chat_id": chat_id},
                "date": base + i,
                "message": text(i),
            }
            if i % 50 == 0:
                added = BASE_USER + (user + 1 - BASE_USER) % users
                raw = {
                    "_": "messageService",
                    "id": i + 1,
                    "from_id": raw["from_id"],
                    "peer_id": raw["peer_id"],
                    "date": base + i,
                    "action": {"_": "messageActionChatAddUser", "users": [added]},
                }
            elif i % 20 == 1:
                raw["media"] = document_media(9_000_000_000 + i, "image/jpeg", 54321, f"p{i}.jpg")
            yield (i + 1, -chat_id, 1, 0, base + i, encode(raw), int(user == BASE_USER), 0, 0)

    db.executemany("INSERT INTO messages_v2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.commit()
    db.close()
