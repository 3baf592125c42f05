"""WhatsApp on iPhone: ``ChatStorage.sqlite`` from a full-file-system extraction.

The app's Core Data store (in ``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/``, or
``...WhatsAppSMB.shared/`` for WhatsApp Business) holds chats (``ZWACHATSESSION``), groups
(``ZWAGROUPINFO``: creator), members with their admin flag (``ZWAGROUPMEMBER``), messages
(``ZWAMESSAGE``, dates in Apple seconds since 2001-01-01 UTC) and media items whose
``ZMEDIALOCALPATH`` is relative to the ``Message/`` folder beside the database. The owner's
own address is in the app's preferences plist (``OwnJabberID``) when the extraction has it.

As for ``msgstore.db`` the evidence is spooled to a private copy (with its ``-wal``) and
opened read-only. Group-event codes (``ZGROUPEVENTTYPE``) are kept raw (``system:<code>``):
public descriptions of them disagree, so no role is inferred from them; roles come from the
member table and the group's creator. Every role and warning names its table and row.

This module holds the parser and the chat sessions; rows, groups and messages are read by
:mod:`~phunt.chats.whatsapp_ios_rows`, ``_groups`` and ``_messages``.
"""

from __future__ import annotations

import sqlite3
from typing import BinaryIO

from phunt.chats.attachments import HERE
from phunt.chats.base import ChatParser, ParseContext, register
from phunt.chats.model import Chat
from phunt.chats.paths import MediaRoot
from phunt.chats.sqlite_copy import read_only_copy
from phunt.chats.sqlite_schema import MAGIC, table_names
from phunt.chats.whatsapp_ios_groups import read_creators, read_members, read_push_names
from phunt.chats.whatsapp_ios_messages import read_messages
from phunt.chats.whatsapp_ios_rows import Rows
from phunt.chats.whatsapp_jids import chat_kind
from phunt.chats.whatsapp_msgstore_db import lossless_text
from phunt.errors import CorruptInput
from phunt.sources.apps import app_for_path

MAIN = "ChatStorage.sqlite"
REQUIRED = ("ZWACHATSESSION", "ZWAMESSAGE")
MEDIA_ROOTS = (MediaRoot("Message/", "the Message folder beside the database"), *HERE)
"""Where ``ZMEDIALOCALPATH`` is relative to: the ``Message`` folder beside the database."""


@register
class WhatsAppIosParser(ChatParser):
    """WhatsApp's iOS database (``ChatStorage.sqlite``)."""

    name = "whatsapp-ios"
    platform = "whatsapp"
    label = "WhatsApp iOS ChatStorage.sqlite (SQLite database)"
    main_names = (MAIN,)

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        if stream.read(16) != MAGIC:
            return False
        if name == MAIN:
            return True  # ours by name: a missing table is damage, reported by parse
        try:
            tables = table_names(stream)
        except (ValueError, IndexError, OSError):
            return False
        return all(t in tables for t in REQUIRED)

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        run = _Run(context, MEDIA_ROOTS)
        copy = read_only_copy(stream, context.name, context.source, prefix="phunt-chatstorage-")
        try:
            with copy as conn:
                conn.text_factory = lossless_text
                run.read(conn)
        except (sqlite3.DatabaseError, UnicodeDecodeError, TypeError, ValueError) as exc:
            raise CorruptInput(
                f"unreadable database: {exc}", path=context.origin, location=run.where
            ) from None
        context.export.chats.extend(run.chats.values())
        context.export.app = app_for_path(context.export.source)


class _Run(Rows):
    """One parse: the chat sessions here, then groups, messages and push names."""

    def read(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in REQUIRED:
            if table not in tables:
                self.where = f"table {table}"
                raise CorruptInput(
                    f"no table {table}: not a complete ChatStorage.sqlite",
                    path=self.context.origin,
                    location=self.where,
                )
        self.where = "table ZWACHATSESSION"
        title_col = self.optional(conn, "ZWACHATSESSION", "c", "ZPARTNERNAME")
        for pk, raw_jid, raw_title in conn.execute(
            f"SELECT c.Z_PK, c.ZCONTACTJID, {title_col} FROM ZWACHATSESSION c ORDER BY c.Z_PK"
        ):
            evidence = f"row {pk!r} of ZWACHATSESSION"
            with self.row(evidence):
                jid = self.text(raw_jid, "ZWACHATSESSION", pk, "ZCONTACTJID")
                title = self.text(raw_title, "ZWACHATSESSION", pk, "ZPARTNERNAME")
                if not jid:
                    self.export.warn(evidence, "chat without a JID; skipped")
                    continue
                kind, raw_kind = chat_kind(jid), jid.rpartition("@")[2]
                self.chats[pk] = Chat("whatsapp", jid, title, kind, raw_kind)
        if "ZWAGROUPINFO" in tables:
            read_creators(self, conn)
        if "ZWAGROUPMEMBER" in tables:
            read_members(self, conn)
        read_messages(self, conn, "ZWAMEDIAITEM" in tables)
        if "ZWAPROFILEPUSHNAME" in tables:
            read_push_names(self, conn)
