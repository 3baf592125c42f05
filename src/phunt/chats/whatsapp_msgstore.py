"""WhatsApp Android ``msgstore.db`` (decrypted), legacy and current schemas.

The evidence file is never opened by SQLite: the main stream and any ``-wal``/``-shm``
companion are spooled into a private temporary folder (:func:`phunt.spool.spooled`) and
the copy is opened read-only, so committed WAL frames are seen and nothing is written
beside the evidence. Spooling, not ``sqlite3`` ``deserialize``, because a msgstore.db
runs to gigabytes (deserialize holds it all in memory) and deserialize cannot replay a
WAL, which SQLite reads only from a file beside the database. The probe reads just the
schema pages from the stream (:mod:`phunt.chats.sqlite_schema`). The schema generation is
chosen by table presence (see ../shared/formats/whatsapp-android-msgstore.md): ``message``
(current) or ``messages`` (legacy); a database in mid-migration has both, and the one that
holds the messages is read (both, de-duplicated on chat and ``key_id``, when both do).
Every role names its row.

The readers live beside this module: :mod:`~phunt.chats.whatsapp_msgstore_current`,
:mod:`~phunt.chats.whatsapp_msgstore_legacy`, their shared row steps in
:mod:`~phunt.chats.whatsapp_msgstore_rows` (media rows and roles in ``_media`` and ``_roles``).
"""

from __future__ import annotations

import sqlite3
from typing import BinaryIO

from phunt.chats.base import ChatParser, ParseContext, register
from phunt.chats.paths import MediaRoot, device_media
from phunt.chats.sqlite_copy import read_only_copy
from phunt.chats.sqlite_schema import MAGIC, table_names
from phunt.chats.whatsapp_contacts import apply_contacts, read_contacts
from phunt.chats.whatsapp_msgstore_current import read_current
from phunt.chats.whatsapp_msgstore_db import Db, lossless_text
from phunt.chats.whatsapp_msgstore_legacy import read_legacy
from phunt.chats.whatsapp_msgstore_rows import Rows
from phunt.errors import CorruptInput, WrongFormat
from phunt.sources.apps import app_for_path

MEDIA_ROOTS = (
    MediaRoot("", "beside the database"),
    MediaRoot("../", "the app folder above the database"),
    MediaRoot("../WhatsApp/", "the WhatsApp folder beside the database's"),
)
"""Where media paths may be relative to, before a full extraction's shared storage
(:func:`phunt.chats.paths.device_media`)."""


@register
class WhatsAppMsgstoreParser(ChatParser):
    """Decrypted WhatsApp Android database (``msgstore.db``)."""

    name = "whatsapp-msgstore"
    platform = "whatsapp"
    label = "WhatsApp msgstore.db (SQLite database)"

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        if stream.read(16) != MAGIC:
            return False
        try:
            tables = table_names(stream)
        except (ValueError, IndexError, OSError):
            return name.startswith("msgstore")  # ours by name, damaged: parse explains
        return ("message" in tables and "chat" in tables) or (
            "messages" in tables and ("chat_list" in tables or "group_participants" in tables)
        )

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        run = Rows(
            context.export,
            context.source,
            context.keep,
            context.sink,
            [*MEDIA_ROOTS, *device_media(context.source.here)],
        )
        location = "schema"
        copy = read_only_copy(stream, context.name, context.source, prefix="phunt-msgstore-")
        try:
            with copy as conn:
                conn.text_factory = lossless_text
                db = Db(conn)
                location = "table message"
                if "message" in db.tables and "messages" in db.tables:
                    location = transitional(run, db)
                elif "message" in db.tables:
                    read_current(run, db)
                elif "messages" in db.tables:
                    location = "table messages"
                    read_legacy(run, db)
                else:
                    raise WrongFormat("no message or messages table", path=context.origin)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # A name in the schema that is not UTF-8: sqlite3 decodes those itself.
            where = run.last_row or location
            raise CorruptInput(
                f"unreadable database: {exc}", path=context.origin, location=where
            ) from None
        context.export.chats.extend(run.chats.values())
        apply_contacts(run.chats.values(), read_contacts(context.source, context.export))
        context.export.app = app_for_path(context.export.source)


def transitional(run: Rows, db: Db) -> str:
    """Read whichever table holds the messages (both, de-duplicated, if both do) and
    say which; returns the table being read, for errors."""
    new = db.conn.execute(
        "SELECT count(*) FROM message WHERE chat_row_id IS NOT NULL AND chat_row_id NOT IN (0, -1)"
    ).fetchone()[0]
    old = db.conn.execute(
        "SELECT count(*) FROM messages WHERE key_remote_jid IS NOT NULL AND key_remote_jid != '-1'"
    ).fetchone()[0]
    if old == 0:
        read_current(run, db)
        return "table message"
    if new == 0:
        run.export.warn(
            "table message",
            f"holds only its placeholder row: read the {old} rows of legacy table messages "
            "(a database in mid-migration)",
        )
        read_legacy(run, db)
        return "table messages"
    run.seen_keys = set()
    read_current(run, db)
    kept = read_legacy(run, db)
    run.export.warn(
        "tables message and messages",
        f"both hold messages (mid-migration): read {new} rows of message and {kept} of "
        f"the {old} rows of messages not already there (same chat and key_id)",
    )
    return "table messages"
