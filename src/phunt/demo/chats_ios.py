"""WhatsApp on iPhone: ``ChatStorage.sqlite``, its ``Message/Media`` folder and the owner's plist.

An iOS extraction names the app's shared container
``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/``: the Core Data store
``ChatStorage.sqlite`` (groups with their creator, members with their admin flag, messages
with dates in seconds since 2001-01-01 UTC, media items whose ``ZMEDIALOCALPATH`` is
relative to ``Message/``) and ``Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist``,
whose ``OwnJabberID`` gives the owner's number. Unlike Android, iOS lists the owner among a
group's members. Group events are recorded by type code only; the one written here (2, the
group created) is the code of phunt's own fixture (test_data/chats/make_phones.py).
"""

from __future__ import annotations

import hashlib
import plistlib
import sqlite3
import uuid
from datetime import datetime

from phunt.demo.chats_common import (
    check,
    created_at,
    extension,
    group_jid,
    media_kind,
    ordered,
    user_jid,
    utc,
    who,
)
from phunt.demo.plan import Group, Person

SHARED = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"
PREFERENCES = "Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist"
APPLE_EPOCH = 978307200  # 2001-01-01 00:00 UTC in Unix seconds
_TEXT, _IMAGE, _VIDEO, _SYSTEM = 0, 1, 2, 6
_CREATED = 2

SCHEMA = """
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZSESSIONTYPE INTEGER, ZARCHIVED INTEGER, ZMESSAGECOUNTER INTEGER, ZGROUPINFO INTEGER,
  ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR);
CREATE TABLE ZWAGROUPINFO (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZSTATE INTEGER, ZCHATSESSION INTEGER, ZCREATIONDATE TIMESTAMP, ZCREATORJID VARCHAR,
  ZOWNERJID VARCHAR, ZSUBJECTOWNERJID VARCHAR, ZSUBJECTTIMESTAMP TIMESTAMP);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZISACTIVE INTEGER, ZISADMIN INTEGER, ZSENDERKEYSENT INTEGER, ZCHATSESSION INTEGER,
  ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFILESIZE INTEGER, ZMESSAGE INTEGER, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR,
  ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER,
  ZMESSAGETYPE INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER,
  ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR,
  ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);
CREATE TABLE ZWAPROFILEPUSHNAME (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZJID VARCHAR, ZPUSHNAME VARCHAR);
"""


def apple(at: datetime) -> float:
    """Core Data's time: seconds since 2001-01-01 UTC."""
    return utc(at).timestamp() - APPLE_EPOCH


def chatstorage(
    groups: list[Group],
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
) -> dict[str, bytes]:
    """The owner's iPhone's WhatsApp store and media, by path from the extraction's root
    (``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/...``)."""
    check(groups, owner, people, media)
    writer = _Writer(owner, people, media)
    for number, group in enumerate(groups, 1):
        writer.group(number, group)
    files = {f"{SHARED}/Message/{path}": data for path, data in writer.files.items()}
    writer.db.commit()
    files[f"{SHARED}/ChatStorage.sqlite"] = writer.db.serialize()
    writer.db.close()
    prefs = plistlib.dumps({"OwnJabberID": user_jid(owner.phone)}, fmt=plistlib.FMT_BINARY)
    files[f"{SHARED}/{PREFERENCES}"] = prefs
    return files


class _Writer:
    """One store: rows numbered as Core Data numbers them (``Z_PK`` per table, from 1)."""

    def __init__(self, owner: Person, people: dict[str, Person], media: dict[str, bytes]) -> None:
        self.owner, self.people, self.media = owner, people, media
        self.db = sqlite3.connect(":memory:")
        self.db.executescript(SCHEMA)
        self.files: dict[str, bytes] = {}
        self.members = self.messages = self.items = 0
        self.pushed: set[str] = set()

    def group(self, number: int, group: Group) -> None:
        jid, created = group_jid(group), created_at(group)
        messages = ordered(group)
        last = apple(messages[-1].at) if messages else apple(created)
        self.db.execute(
            "INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZARCHIVED, "
            "ZMESSAGECOUNTER, ZGROUPINFO, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) "
            "VALUES (?, 4, 1, 1, 0, ?, ?, ?, ?, ?)",
            (number, len(messages) + 1, number, last, jid, group.title),
        )
        self.db.execute(
            "INSERT INTO ZWAGROUPINFO (Z_PK, Z_ENT, Z_OPT, ZSTATE, ZCHATSESSION, ZCREATIONDATE, "
            "ZCREATORJID, ZOWNERJID, ZSUBJECTOWNERJID, ZSUBJECTTIMESTAMP) "
            "VALUES (?, 6, 1, 0, ?, ?, ?, ?, ?, ?)",
            (number, number, apple(created), *[user_jid(group.creator)] * 3, apple(created)),
        )
        rows: dict[str, int] = {}
        for phone in group.members:
            self.members += 1
            rows[phone] = self.members
            person = who(phone, self.owner, self.people)
            mine = phone == self.owner.phone
            self.db.execute(
                "INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZISACTIVE, ZISADMIN, "
                "ZSENDERKEYSENT, ZCHATSESSION, ZCONTACTNAME, ZFIRSTNAME, ZMEMBERJID) "
                "VALUES (?, 7, 1, 1, ?, 1, ?, ?, ?, ?)",
                (
                    self.members,
                    int(phone in group.admins),
                    number,
                    None if mine else person.name,
                    None if mine else person.name.split()[0],
                    user_jid(phone),
                ),
            )
            if not mine and phone not in self.pushed:
                self.pushed.add(phone)
                self.db.execute(
                    "INSERT INTO ZWAPROFILEPUSHNAME (Z_PK, Z_ENT, Z_OPT, ZJID, ZPUSHNAME) "
                    "VALUES (?, 9, 1, ?, ?)",
                    (len(self.pushed), user_jid(phone), person.name),
                )
        self.message(number, jid, created, group.creator, rows, "", _SYSTEM, event=_CREATED)
        for index, message in enumerate(messages):
            kind, item = _TEXT, None
            if message.attachment is not None:
                data = self.media[message.attachment]
                kind = _VIDEO if media_kind(message.attachment, data) == "video" else _IMAGE
                item = self.item(jid, index, data)
            pk = self.message(number, jid, message.at, message.author, rows, message.text, kind)
            if item is not None:
                self.db.execute("UPDATE ZWAMEDIAITEM SET ZMESSAGE = ? WHERE Z_PK = ?", (pk, item))
                self.db.execute("UPDATE ZWAMESSAGE SET ZMEDIAITEM = ? WHERE Z_PK = ?", (item, pk))

    def message(
        self,
        chat: int,
        jid: str,
        at: datetime,
        author: str,
        rows: dict[str, int],
        text: str,
        kind: int,
        event: int = 0,
    ) -> int:
        """One ``ZWAMESSAGE`` row; returns its ``Z_PK``."""
        self.messages += 1
        mine = author == self.owner.phone
        person = who(author, self.owner, self.people)
        stanza = hashlib.sha256(f"{jid}:{self.messages}".encode()).hexdigest()[:18].upper()
        self.db.execute(
            "INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZFLAGS, ZGROUPEVENTTYPE, ZISFROMME, "
            "ZMESSAGESTATUS, ZMESSAGETYPE, ZCHATSESSION, ZGROUPMEMBER, ZMESSAGEDATE, ZSENTDATE, "
            "ZFROMJID, ZPUSHNAME, ZSTANZAID, ZTEXT, ZTOJID) "
            "VALUES (?, 10, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.messages,
                event,
                int(mine),
                6 if kind == _SYSTEM else 8,
                kind,
                chat,
                None if mine else rows[author],
                apple(at),
                apple(at),
                None if mine else jid,
                None if mine else person.name,
                f"3A{stanza}",
                text,
                jid if mine else None,
            ),
        )
        return self.messages

    def item(self, jid: str, index: int, data: bytes) -> int:
        """A ``ZWAMEDIAITEM`` row and its file under ``Message/Media/<group>/x/y/<uuid>``."""
        self.items += 1
        name = uuid.UUID(bytes=hashlib.sha256(f"{jid}:{index}".encode()).digest()[:16])
        path = f"Media/{jid}/{str(name)[0]}/{str(name)[1]}/{name}{extension(data)}"
        self.files[path] = data
        self.db.execute(
            "INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZFILESIZE, ZMESSAGE, ZMEDIALOCALPATH) "
            "VALUES (?, 8, 1, ?, NULL, ?)",
            (self.items, len(data), path),
        )
        return self.items
