"""Groups in ChatStorage.sqlite: creators (``ZWAGROUPINFO``), members with their admin
flag (``ZWAGROUPMEMBER``), and the names people gave themselves (``ZWAPROFILEPUSHNAME``).

Roles come from these tables only; every one names its table and row.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from phunt.chats.model import RoleName
from phunt.chats.whatsapp_ios_rows import Rows, apple_time
from phunt.chats.whatsapp_jids import OWNER_ID

_RANKS: dict[int, tuple[RoleName, ...]] = {
    0: ("member",),
    1: ("member", "admin"),
    2: ("member", "admin", "creator"),
}


def read_creators(run: Rows, conn: sqlite3.Connection) -> None:
    run.where = "table ZWAGROUPINFO"
    created_col = run.optional(conn, "ZWAGROUPINFO", "g", "ZCREATIONDATE")
    sql = f"SELECT g.Z_PK, g.ZCHATSESSION, g.ZCREATORJID, {created_col} FROM ZWAGROUPINFO g"
    for pk, chat_pk, raw_creator, created in conn.execute(sql):
        evidence = f"row {pk} of ZWAGROUPINFO"
        with run.row(evidence):
            chat = run.chats.get(chat_pk)
            creator = run.text(raw_creator, "ZWAGROUPINFO", pk, "ZCREATORJID")
            if chat is None or not creator:
                run.export.warn(evidence, "group without its chat or creator")
                continue
            person = run.person(chat, creator, from_me=False)
            if person is not None:
                person.add_role("creator", apple_time(created), evidence)


def read_members(run: Rows, conn: sqlite3.Connection) -> None:
    run.where = "table ZWAGROUPMEMBER"
    more = run.optional(
        conn, "ZWAGROUPMEMBER", "g", "ZCONTACTNAME", "ZFIRSTNAME", "ZISADMIN", "ZISACTIVE"
    )
    sql = (
        f"SELECT g.Z_PK, g.ZCHATSESSION, g.ZMEMBERJID, {more} FROM ZWAGROUPMEMBER g ORDER BY g.Z_PK"
    )
    for pk, chat_pk, jid, contact, first, admin, active in conn.execute(sql):
        evidence = f"row {pk} of ZWAGROUPMEMBER"
        with run.row(evidence):
            member_row(run, evidence, pk, chat_pk, jid, contact, first, admin, active)


def member_row(run: Rows, evidence: str, pk: Any, chat_pk: Any, jid: Any, *more: Any) -> None:
    """One row of ``ZWAGROUPMEMBER``: the member's names, ranks and whether they left."""
    raw_contact, raw_first, admin, active = more
    chat = run.chats.get(chat_pk)
    if not isinstance(jid, str) or "@" not in jid:
        run.export.warn(evidence, f"member without a WhatsApp address ({jid!r})")
        return
    run.members[pk] = jid
    if chat is None:
        run.export.warn(evidence, f"chat {chat_pk!r} is not in ZWACHATSESSION")
        return
    contact = run.text(raw_contact, "ZWAGROUPMEMBER", pk, "ZCONTACTNAME")
    first = run.text(raw_first, "ZWAGROUPMEMBER", pk, "ZFIRSTNAME")
    person = run.person(chat, jid, from_me=False)
    if person is None:
        return
    person.see_name(contact or first)
    level = admin if isinstance(admin, int) else 0
    for role in _RANKS.get(level, _RANKS[1]):
        person.add_role(role, None, evidence)
    if active == 0:
        person.add_role("left", None, evidence)


def read_push_names(run: Rows, conn: sqlite3.Connection) -> None:
    """The names people gave themselves, added to the participants with those JIDs."""
    run.where = "table ZWAPROFILEPUSHNAME"
    names: dict[str, str] = {}
    for pk, raw_jid, raw_name in conn.execute(
        "SELECT Z_PK, ZJID, ZPUSHNAME FROM ZWAPROFILEPUSHNAME ORDER BY Z_PK"
    ):
        jid = run.text(raw_jid, "ZWAPROFILEPUSHNAME", pk, "ZJID")
        name = run.text(raw_name, "ZWAPROFILEPUSHNAME", pk, "ZPUSHNAME")
        if jid is not None and name is not None:
            names[jid] = name
    for chat in run.chats.values():
        for person in chat.participants.values():
            if person.phone_raw in names and person.id != OWNER_ID:
                person.see_name(names[person.phone_raw])
