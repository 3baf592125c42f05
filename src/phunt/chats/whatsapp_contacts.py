"""WhatsApp Android ``wa.db`` beside ``msgstore.db``: what the owner's address book calls people.

``wa_contacts`` holds one row per address-book entry (``jid``, ``number``, and the
``display_name`` the owner saved, else ``given_name``/``family_name``). Joined to the
participants' JIDs it shows who knew whom, so the name is kept as
:attr:`~phunt.chats.model.Participant.contact_name`, never mixed with the names people gave
themselves (``wa_name``, the person's own push name, joins those). ``wa.db`` is optional:
absent, nothing changes; damaged, the warnings name the table and row and the chats are
still read. Like ``msgstore.db`` it is read from a private
read-only copy (with its ``-wal``), never in place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from phunt.chats.model import Chat, ChatExport
from phunt.chats.source import ChatSource
from phunt.chats.sqlite_copy import read_only_copy

NAME = "wa.db"
TABLE = "wa_contacts"


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip() or None if isinstance(value, str) else None


Contacts = dict[str, tuple[str | None, str | None]]
"""JID -> (the name the owner saved, the push name the person chose)."""


def read_contacts(source: ChatSource, export: ChatExport) -> Contacts:
    """The contacts of the ``wa.db`` beside the database, by JID.

    Empty when there is no ``wa.db``; unreadable tables and rows become warnings on
    ``export`` ("row 2 of wa_contacts (wa.db)").
    """
    main = source.open(NAME)
    if main is None:
        return {}
    where = f"{TABLE} ({source.describe(NAME)})"
    names: Contacts = {}
    try:
        with main, read_only_copy(main, NAME, source, prefix="phunt-wadb-") as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if TABLE not in tables:
                export.warn(f"table {where}", "no such table: contact names not read")
                return {}
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})")}
            pick = ", ".join(
                c if c in cols else "NULL"
                for c in ("jid", "display_name", "given_name", "family_name", "wa_name")
            )
            for row in conn.execute(f"SELECT _id, {pick} FROM {TABLE} ORDER BY _id"):
                _contact(row, names, export, where)
    except sqlite3.DatabaseError as exc:
        export.warn(f"table {where}", f"unreadable: {exc}; contact names not read")
        return {}
    return names


def _contact(row: tuple[object, ...], names: Contacts, export: ChatExport, where: str) -> None:
    rid, jid, display, given, family, push = row
    jid = _text(jid)
    if jid is None or "@" not in jid:
        export.warn(f"row {rid} of {where}", f"jid {jid!r} is not a WhatsApp address; skipped")
        return
    full = " ".join(n for n in (_text(given), _text(family)) if n)
    saved = _text(display) or full or None
    if saved is not None or _text(push) is not None:
        names[jid] = (saved, _text(push))


def apply_contacts(chats: Iterable[Chat], contacts: Contacts) -> int:
    """Give each participant in ``contacts`` its saved name (and push name); how many."""
    named = 0
    for chat in chats:
        for person in chat.participants.values():
            found = contacts.get(person.phone_raw or "")
            if found is None:
                continue
            saved, push = found
            person.see_name(push)
            if saved is not None:
                person.contact_name = saved
                named += 1
    return named
