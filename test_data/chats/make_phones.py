"""Regenerate the phone-database chat fixtures: iOS ``ChatStorage.sqlite`` and Android ``wa.db``.

Run from anywhere (paths are relative to this file). Invented numbers (+91 98000 000xx),
invented names and neutral text; the only picture is a plain-colour square. The table and
column names are WhatsApp's (as public forensic write-ups describe them); the rows are
ours. Also writes the damaged variants (a missing table, a row with a bad date) and a
WhatsApp Business copy of the Android msgstore under ``com.whatsapp.w4b``.
"""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
from pathlib import Path

from PIL import Image

# The tables, one copy: the demo's chatstorage and msgstore writers make the same.
from phunt.demo.chats_ios import SCHEMA as IOS_SCHEMA
from phunt.demo.chats_msgstore import WA_SCHEMA

HERE = Path(__file__).resolve().parent
IOS = HERE / "ios"
SHARED = IOS / "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
CONTACTS = HERE / "contacts"
APPLE = 978307200  # 2001-01-01 00:00 UTC in Unix seconds
T0 = 1767587400 - APPLE  # 2026-01-05 04:30 UTC, Apple seconds
GROUP = "120363000000000001@g.us"
OWNER = "919800000001@s.whatsapp.net"
ASHA, RAVI, MEERA = (f"9198000000{n:02d}@s.whatsapp.net" for n in (2, 3, 4))
MEDIA = f"Media/{GROUP}/a/1/0b5e2c1d-0000-4000-8000-000000000001.jpg"


# (Z_PK, chat, from_me, member, from_jid, seconds after T0, text, type, event, media)
MESSAGES = [
    (1, 1, 1, None, None, 0, "", 6, 2, None),  # the owner created the group
    (2, 1, 0, 2, GROUP, 60, "Good morning, everyone", 0, 0, None),
    (3, 1, 0, 3, GROUP, 120, "Morning! The meeting is at ten", 0, 0, None),
    (4, 1, 1, None, None, 180, "Here is the agenda", 1, 0, 1),
    (5, 1, 0, 4, GROUP, 240, "", 6, 3, None),  # a group event by Meera
    (6, 1, 0, 4, GROUP, 300, "A picture that was not downloaded", 1, 0, 2),
    (7, 2, 0, None, ASHA, 400, "See you at the library", 0, 0, None),
    (8, 2, 1, None, None, 460, "Yes, at five", 0, 0, None),
    (9, 2, 0, None, ASHA, 520, "", 14, 0, None),  # deleted
]


def picture(path: Path) -> int:
    """A plain-colour square; returns its size for ``ZFILESIZE``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 16), (200, 160, 40)).save(path, "JPEG", quality=80)
    return path.stat().st_size


def chat_storage(path: Path, size: int) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(IOS_SCHEMA)
    db.executemany(
        "INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZGROUPINFO, ZCONTACTJID, ZPARTNERNAME) "
        "VALUES (?, ?, ?, ?, ?)",
        [(1, 1, 1, GROUP, "Book Club"), (2, 0, None, ASHA, "Asha Library")],
    )
    db.execute(
        "INSERT INTO ZWAGROUPINFO (Z_PK, ZCHATSESSION, ZCREATIONDATE, ZCREATORJID) "
        "VALUES (1, 1, ?, ?)",
        (T0, OWNER),
    )
    db.executemany(
        "INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, ZCONTACTNAME, ZFIRSTNAME, "
        "ZISADMIN, ZISACTIVE) VALUES (?, 1, ?, ?, ?, ?, ?)",
        [
            (1, OWNER, None, None, 1, 1),
            (2, ASHA, "Asha Library", "Asha", 1, 1),
            (3, RAVI, "Ravi K", "Ravi", 0, 1),
            (4, MEERA, "Meera", "Meera", 0, 0),
        ],
    )
    db.executemany(
        "INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZTITLE) "
        "VALUES (?, ?, ?, ?, ?)",
        [(1, 4, MEDIA, size, None), (2, 6, None, 52000, None)],
    )
    db.executemany(
        "INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZGROUPMEMBER, ZFROMJID, "
        "ZMESSAGEDATE, ZTEXT, ZMESSAGETYPE, ZGROUPEVENTTYPE, ZMEDIAITEM, ZSTANZAID, ZPUSHNAME) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (pk, chat, me, member, jid, T0 + dt, text, mtype, event, media, f"3A{pk:04d}", None)
            for pk, chat, me, member, jid, dt, text, mtype, event, media in MESSAGES
        ],
    )
    db.execute("UPDATE ZWAMESSAGE SET ZPUSHNAME = 'Ravi' WHERE Z_PK = 3")
    db.executemany(
        "INSERT INTO ZWAPROFILEPUSHNAME (ZJID, ZPUSHNAME) VALUES (?, ?)",
        [(ASHA, "Asha R"), (MEERA, "Meera S")],
    )
    db.commit()
    db.close()


def ios() -> None:
    chat_storage(SHARED / "ChatStorage.sqlite", picture(SHARED / "Message" / MEDIA))
    prefs = SHARED / "Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist"
    prefs.parent.mkdir(parents=True, exist_ok=True)
    prefs.write_bytes(plistlib.dumps({"OwnJabberID": OWNER}, fmt=plistlib.FMT_BINARY))
    corrupt = IOS / "corrupt"
    corrupt.mkdir(exist_ok=True)
    bad = corrupt / "badrow" / "ChatStorage.sqlite"
    bad.parent.mkdir(exist_ok=True)
    shutil.copyfile(SHARED / "ChatStorage.sqlite", bad)
    with sqlite3.connect(bad) as db:
        db.execute("UPDATE ZWAMESSAGE SET ZMESSAGEDATE = 'yesterday' WHERE Z_PK = 3")
    db.close()
    missing = corrupt / "missing_table" / "ChatStorage.sqlite"
    missing.parent.mkdir(exist_ok=True)
    shutil.copyfile(SHARED / "ChatStorage.sqlite", missing)
    with sqlite3.connect(missing) as db:
        db.execute("DROP TABLE ZWAMESSAGE")
    db.close()


def wa_db(path: Path) -> None:
    """Address-book names the owner gave three of the msgstore fixture's numbers."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(WA_SCHEMA)
    db.executemany(
        "INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, number, display_name, "
        "given_name, wa_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (1, "919800000002@s.whatsapp.net", 1, "+91 98000 00002", "Asha (work)", "Asha", "A"),
            (2, "919800000003@s.whatsapp.net", 1, "98000 00003", "Ravi Cousin", "Ravi", None),
            (3, "919800000099@s.whatsapp.net", 1, "98000 00099", "Not In Chats", None, None),
            (4, "120363000000000001@g.us", 0, None, "A group row", None, None),
            (5, "919800000004@s.whatsapp.net", 1, "98000 00004", None, None, "Meera S"),
        ],
    )
    db.commit()
    db.close()


def contacts() -> None:
    """msgstore.db with a wa.db beside it, and a WhatsApp Business copy of the pair."""
    source = HERE / "msgstore"
    CONTACTS.mkdir(exist_ok=True)
    shutil.copyfile(source / "msgstore.db", CONTACTS / "msgstore.db")
    wa_db(CONTACTS / "wa.db")
    bad = CONTACTS / "corrupt"
    bad.mkdir(exist_ok=True)
    shutil.copyfile(source / "msgstore.db", bad / "msgstore.db")
    wa_db(bad / "wa.db")
    with sqlite3.connect(bad / "wa.db") as db:
        db.execute("UPDATE wa_contacts SET jid = 'not-a-jid' WHERE _id = 2")
    db.close()
    empty = CONTACTS / "no_table"
    empty.mkdir(exist_ok=True)
    shutil.copyfile(source / "msgstore.db", empty / "msgstore.db")
    (empty / "wa.db").unlink(missing_ok=True)
    with sqlite3.connect(empty / "wa.db") as db:
        db.execute("CREATE TABLE props (_id INTEGER PRIMARY KEY, key TEXT, value TEXT)")
    db.close()
    w4b = HERE / "w4b/com.whatsapp.w4b/databases"
    w4b.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "msgstore.db", w4b / "msgstore.db")
    wa_db(w4b / "wa.db")


if __name__ == "__main__":
    ios()
    contacts()
