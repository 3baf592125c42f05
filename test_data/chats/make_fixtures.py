"""Regenerate the generated chat fixtures (run from anywhere: paths are relative to this file).

Hand-written fixtures (result.json files, WhatsApp .txt files) are kept as they are; this
script makes everything derived or binary: small generated pictures (plain colour
squares), the WhatsApp .zip exports built from the hand-written texts, the SQLite
msgstore databases (legacy and current schema, shapes from
../shared/formats/whatsapp-android-msgstore.md, invented JIDs and neutral text) and the
deliberately damaged variants.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sqlite3
import zipfile
from pathlib import Path

from PIL import Image

# The current schema's tables, one copy: the demo's msgstore writer makes the same.
from phunt.demo.chats_msgstore import SCHEMA as CURRENT_SCHEMA

HERE = Path(__file__).resolve().parent
TG = HERE / "telegram"
WA = HERE / "whatsapp"
MS = HERE / "msgstore"
T0 = 1767587400000  # 2026-01-05 04:30 UTC, in milliseconds


def picture(path: Path, colour: tuple[int, int, int]) -> bytes:
    """A 16x16 plain-colour JPEG, the most benign picture there is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), colour).save(path, "JPEG", quality=80)
    return path.read_bytes()


def telegram() -> None:
    picture(TG / "single_chat/photos/photo_1@05-01-2026_10-02-00.jpg", (40, 120, 200))
    good = (TG / "single_chat/result.json").read_text(encoding="utf-8")
    cut = good.index('"Thanks! See "')
    out = TG / "corrupt_truncated"
    out.mkdir(exist_ok=True)
    (out / "result.json").write_text(good[:cut], encoding="utf-8")
    out = TG / "bad_message"
    out.mkdir(exist_ok=True)
    bad = good.replace('"date_unixtime": "1767587580"', '"date_unixtime": "not-a-number"')
    (out / "result.json").write_text(bad, encoding="utf-8")
    out = TG / "integer_from_id"  # an id as a number where Telegram writes "user1001"
    out.mkdir(exist_ok=True)
    odd = good.replace('"from_id": "user1002"', '"from_id": 1002')
    (out / "result.json").write_text(odd, encoding="utf-8")
    out = TG / "deep_nesting"  # one message's text nested 5,000 arrays deep
    out.mkdir(exist_ok=True)
    deep = "[" * 5_000 + "]" * 5_000
    cut = good.index('"Thanks! See "')
    (out / "result.json").write_text(good[:cut] + deep + good[cut + 14 :], encoding="utf-8")
    html = TG / "html_export"
    html.mkdir(exist_ok=True)
    (html / "messages.html").write_text(
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8"/>\n<title>Exported Data</title>\n'
        '<link href="css/style.css" rel="stylesheet"/>\n</head>\n<body>\n'
        '<div class="page_wrap">\n<div class="page_header">Ward 7 Residents</div>\n'
        '<div class="history">\n<div class="message default clearfix" id="message2">\n'
        '<div class="text">Welcome, the meeting is on Sunday.</div>\n</div>\n</div>\n</div>\n'
        "</body>\n</html>\n",
        encoding="utf-8",
    )


def whatsapp() -> None:
    android = WA / "android_group"
    picture(android / "IMG-20260105-WA0001.jpg", (200, 160, 40))
    with zipfile.ZipFile(WA / "WhatsApp Chat with Ward 7 Residents.zip", "w") as zf:
        zf.write(
            android / "WhatsApp Chat with Ward 7 Residents.txt",
            "WhatsApp Chat with Ward 7 Residents.txt",
        )
        zf.write(android / "IMG-20260105-WA0001.jpg", "IMG-20260105-WA0001.jpg")
    ios = WA / "ios_group"
    photo = WA / "00000012-PHOTO-2026-01-04-12-06-00.jpg"
    picture(photo, (60, 180, 90))
    with zipfile.ZipFile(
        WA / "WhatsApp Chat - Market Traders.zip", "w", zipfile.ZIP_DEFLATED
    ) as zf:
        zf.write(ios / "_chat.txt", "_chat.txt")
        zf.write(photo, photo.name)
    photo.unlink()
    whole = (WA / "WhatsApp Chat - Market Traders.zip").read_bytes()
    (WA / "corrupt/WhatsApp Chat - Truncated.zip").write_bytes(whole[: len(whole) // 2])


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def current(path: Path, image: bytes) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(CURRENT_SCHEMA)
    db.executemany(
        "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (?, ?, ?, ?, ?)",
        [
            (1, "919800000001", "s.whatsapp.net", 0, "919800000001@s.whatsapp.net"),
            (2, "919800000002", "s.whatsapp.net", 0, "919800000002@s.whatsapp.net"),
            (3, "919800000003", "s.whatsapp.net", 0, "919800000003@s.whatsapp.net"),
            (4, "120363000000000001", "g.us", 1, "120363000000000001@g.us"),
            (5, "919800000004", "s.whatsapp.net", 0, "919800000004@s.whatsapp.net"),
            (6, "123456789012345", "lid", 18, "123456789012345@lid"),
        ],
    )
    db.execute("INSERT INTO jid_map VALUES (6, 3)")
    db.executemany(
        "INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (?, ?, ?, ?)",
        [(1, 4, "Ward 7 Residents", T0), (2, 2, None, None)],
    )
    minute = 60_000
    rows = [  # _id, chat, from_me, key, sender, timestamp, type, text
        (1, 1, 1, "K1", None, T0, 7, "Ward 7 Residents"),
        (2, 1, 1, "K2", None, T0 + minute, 7, None),
        (3, 1, 0, "K3", 2, T0 + 2 * minute, 0, "Welcome, the meeting is on Sunday."),
        (4, 1, 0, "K4", 6, T0 + 3 * minute, 1, "Notice board photo"),
        (5, 1, 0, "K5", 2, T0 + 4 * minute, 1, None),
        (6, 1, 0, "K6", 5, T0 + 5 * minute, 7, None),
        (7, 1, 0, "K7", 2, T0 + 6 * minute, 7, None),
        (8, 1, 0, "K8", 3, T0 + 7 * minute, 0, "Can we meet at 5?"),
        (9, 2, 0, "K9", None, T0 + 8 * minute, 0, "Payment received"),
        (10, 2, 1, "K10", None, T0 + 9 * minute, 0, "Thanks"),
        (11, 1, 0, "K11", 3, T0 + 10 * minute, 15, None),
    ]
    db.executemany(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp,"
        " message_type, text_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany(
        "INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type,"
        " media_name, file_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                4,
                1,
                "Media/WhatsApp Images/IMG-20260105-WA0001.jpg",
                len(image),
                "image/jpeg",
                None,
                b64sha(image),
            ),
            (5, 1, None, 2048, "image/jpeg", None, b64sha(b"a photo never downloaded")),
        ],
    )
    db.execute(
        "INSERT INTO message_quoted VALUES (8, 1, 0, 'K3', 'Welcome, the meeting is on Sunday.')"
    )
    db.execute("INSERT INTO message_forwarded VALUES (9, 1)")
    db.executemany("INSERT INTO message_system VALUES (?, ?)", [(1, 11), (2, 12), (6, 20), (7, 14)])
    db.executemany(
        "INSERT INTO message_system_chat_participant VALUES (?, ?)",
        [(2, 2), (2, 3), (6, 5), (7, 5)],
    )
    db.executemany(
        "INSERT INTO group_participant_user (_id, group_jid_row_id, user_jid_row_id, rank, pending)"
        " VALUES (?, ?, ?, ?, 0)",
        [(1, 4, 2, 1), (2, 4, 6, 0)],
    )
    db.commit()
    db.close()


LEGACY_SCHEMA = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
  timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER,
  media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER,
  latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT,
  received_timestamp INTEGER, send_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER,
  starred INTEGER, quoted_row_id INTEGER, forwarded INTEGER,
  UNIQUE (key_remote_jid, key_from_me, key_id));
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
  message_table_id INTEGER, subject TEXT, creation INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
  jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER,
  UNIQUE (gjid, jid));
"""


def legacy(path: Path) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    group, ravi, meera = (
        "120363000000000002@g.us",
        "919800000002@s.whatsapp.net",
        "919800000003@s.whatsapp.net",
    )
    t = 1551420000000  # 2019-03-01 06:00 UTC
    db.executemany(
        "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp,"
        " media_wa_type, media_name, media_caption, media_hash, media_mime_type, remote_resource)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, "-1", 0, "-1", -1, None, 0, "0", None, None, None, None, None),
            (2, group, 1, "L2", 6, None, t, "0", None, None, None, None, None),
            (
                3,
                group,
                0,
                "L3",
                0,
                "Stall rent due Friday",
                t + 60_000,
                "0",
                None,
                None,
                None,
                None,
                ravi,
            ),
            (
                4,
                group,
                0,
                "L4",
                0,
                None,
                t + 120_000,
                "1",
                "IMG-20190301-WA0003.jpg",
                "Stall photo",
                b64sha(b"legacy stall photo"),
                "image/jpeg",
                meera,
            ),
            (5, ravi, 0, "L5", 0, "See you", t + 180_000, "0", None, None, None, None, None),
        ],
    )
    db.executemany(
        "INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, ?, ?)",
        [(group, "Market Traders", t), (ravi, None, None)],
    )
    db.executemany(
        "INSERT INTO group_participants (_id, gjid, jid, admin, pending) VALUES (?, ?, ?, ?, 0)",
        [(1, group, "", 1), (2, group, ravi, 1), (3, group, meera, 0)],
    )
    db.commit()
    db.close()


def msgstore() -> None:
    image = picture(MS / "Media/WhatsApp Images/IMG-20260105-WA0001.jpg", (90, 90, 200))
    current(MS / "msgstore.db", image)
    legacy(MS / "legacy/msgstore.db")
    corrupt = MS / "corrupt"
    corrupt.mkdir(exist_ok=True)
    bad = corrupt / "msgstore_badrow.db"
    shutil.copyfile(MS / "msgstore.db", bad)
    with sqlite3.connect(bad) as db:
        db.execute("UPDATE message SET timestamp = NULL WHERE _id = 8")
    db.close()
    bad = corrupt / "legacy_badrow.db"
    shutil.copyfile(MS / "legacy/msgstore.db", bad)
    with sqlite3.connect(bad) as db:
        db.execute("UPDATE messages SET timestamp = 'yesterday' WHERE _id = 3")
    db.close()
    whole = (MS / "msgstore.db").read_bytes()
    (corrupt / "msgstore.db").write_bytes(whole[:4096] + b"\x00" * 4096 + whole[8192:12288])


if __name__ == "__main__":
    (MS / "legacy").mkdir(parents=True, exist_ok=True)
    telegram()
    whatsapp()
    msgstore()
