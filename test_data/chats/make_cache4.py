"""Regenerate the Telegram for Android ``cache4.db`` fixtures under ``cache4/``.

Run with phunt importable (``PYTHONPATH=src``); paths are relative to this file. The
database is written by :func:`phunt.demo.cache4.cache4`, the demo's writer, from invented
people (+91 98000 000xx), neutral text and one plain-colour picture; rows for the other
constructors the reader decodes (adding, removing, joining by link, a photo without its
file, a forward with a reply, a private chat) are added here with the same TL encoder.
Damaged copies: ``truncated`` (one message blob cut short), ``unknown`` (a message and a
user whose constructor id no schema has) and ``no_table`` (``messages_v2`` dropped).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from phunt.chats.tl import encode
from phunt.demo.cache4 import DATABASE, cache4
from phunt.demo.plan import Group, Message, Person

HERE = Path(__file__).resolve().parent
OUT = HERE / "cache4"
T0 = datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
OWNER = Person("Anil Kumar", "+919800000001", 700001, "anil_k")
ASHA = Person("Asha Nair", "+919800000002", 700002, "asha_n")
RAVI = Person("Ravi Menon", "+919800000003", 700003, "ravi_m")
MEERA = Person("Meera Das", "+919800000004", 700004, "meera_d")
OUTSIDER = Person("Joseph Paul", "+919800000005", 700005, "joseph_p")
BASIC_ID, SUPER_ID = 4_100_000_000, 4_100_000_001


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (40, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


def groups() -> list[Group]:
    walkers = Group(
        "telegram",
        "Morning walkers",
        ASHA.phone,
        (ASHA.phone, OWNER.phone),
        (ASHA.phone, OWNER.phone, RAVI.phone, MEERA.phone),
        (
            Message(ASHA.phone, T0, "meeting at ten"),
            Message(RAVI.phone, T0 + timedelta(minutes=5), "rice and tea after"),
            Message(OWNER.phone, T0 + timedelta(minutes=9), "the park gate", "pic-001"),
        ),
    )
    traders = Group(
        "telegram",
        "Rice traders",
        OWNER.phone,
        (OWNER.phone, RAVI.phone),
        (OWNER.phone, RAVI.phone, MEERA.phone),
        (Message(MEERA.phone, T0 + timedelta(hours=1), "price list tomorrow"),),
    )
    return [walkers, traders]


def extra_rows(db: sqlite3.Connection) -> None:
    """Rows for the constructors the writer does not produce, in the basic group."""
    peer = {"_": "peerChat", "chat_id": BASIC_ID}
    stamp = int((T0 + timedelta(minutes=20)).timestamp())

    def service(mid: int, actor: Person, action: dict[str, object]) -> None:
        row = {
            "_": "messageService",
            "id": mid,
            "from_id": {"_": "peerUser", "user_id": actor.telegram_id},
            "peer_id": peer,
            "date": stamp + mid,
            "action": action,
        }
        db.execute(
            "INSERT INTO messages_v2 (mid, uid, date, data, out) VALUES (?, ?, ?, ?, 0)",
            (mid, -BASIC_ID, stamp + mid, encode(row)),
        )

    service(10, ASHA, {"_": "messageActionChatAddUser", "users": [OUTSIDER.telegram_id]})
    service(11, ASHA, {"_": "messageActionChatDeleteUser", "user_id": OUTSIDER.telegram_id})
    service(12, MEERA, {"_": "messageActionChatDeleteUser", "user_id": MEERA.telegram_id})
    service(13, MEERA, {"_": "messageActionChatJoinedByLink", "inviter_id": ASHA.telegram_id})
    photo = {
        "_": "message",
        "id": 14,
        "from_id": {"_": "peerUser", "user_id": RAVI.telegram_id},
        "peer_id": peer,
        "fwd_from": {"_": "messageFwdHeader", "from_name": "Market news", "date": stamp},
        "reply_to": {"_": "messageReplyHeader", "reply_to_msg_id": 2},
        "date": stamp + 14,
        "message": "forwarded price photo",
        "media": {
            "_": "messageMediaPhoto",
            "photo": {
                "_": "photo",
                "id": 6_000_000_001,
                "access_hash": 1,
                "file_reference": b"\x01\x02",
                "date": stamp,
                "sizes": [{"_": "photoSize", "type": "x", "w": 800, "h": 600, "size": 51200}],
                "dc_id": 2,
            },
        },
    }
    db.execute(
        "INSERT INTO messages_v2 (mid, uid, date, data, out) VALUES (14, ?, ?, ?, 0)",
        (-BASIC_ID, stamp + 14, encode(photo)),
    )
    private = {
        "_": "message",
        "id": 15,
        "peer_id": {"_": "peerUser", "user_id": ASHA.telegram_id},
        "date": stamp + 15,
        "message": "see you at the gate",
    }
    db.execute(
        "INSERT INTO messages_v2 (mid, uid, date, data, out) VALUES (15, ?, ?, ?, 0)",
        (ASHA.telegram_id, stamp + 15, encode(private)),
    )


def write(folder: Path, files: dict[str, bytes]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def damaged(name: str, sql: str, *params: object) -> None:
    """A copy of the good database with one change."""
    folder = OUT / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(OUT / "good" / DATABASE, folder / "cache4.db")
    db = sqlite3.connect(folder / "cache4.db")
    with db:
        db.execute(sql, params)
    db.execute("VACUUM")
    db.close()


def main() -> None:
    people = {p.phone: p for p in (ASHA, RAVI, MEERA, OUTSIDER)}
    files = cache4(groups(), OWNER, people, {"pic-001": picture()}, supergroups=("Rice traders",))
    write(OUT / "good", files)
    db = sqlite3.connect(OUT / "good" / DATABASE)
    with db:
        extra_rows(db)
    db.execute("VACUUM")
    db.close()
    damaged(
        "truncated",
        "UPDATE messages_v2 SET data = substr(data, 1, 20) WHERE mid = 3 AND uid = ?",
        -BASIC_ID,
    )
    damaged(
        "unknown",
        "UPDATE messages_v2 SET data = CAST(X'efbeadde' || substr(data, 5) AS BLOB) "
        "WHERE mid = 2 AND uid = ?",
        -BASIC_ID,
    )
    db = sqlite3.connect(OUT / "unknown" / "cache4.db")
    with db:
        db.execute(
            "UPDATE users SET data = CAST(X'0df0adba' || substr(data, 5) AS BLOB) WHERE uid = ?",
            (RAVI.telegram_id,),
        )
    db.close()
    damaged("no_table", "DROP TABLE messages_v2")


if __name__ == "__main__":
    main()
