"""One ChatStorage.sqlite parse's state, and the row-level care every table's reader shares:
optional columns, text columns that hold something else, rows skipped with a warning,
and who a JID is (the owner's own, from the app's preferences, included).
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from phunt.chats.attachments import MediaFinder
from phunt.chats.base import ParseContext
from phunt.chats.model import Chat, Participant
from phunt.chats.paths import MediaRoot
from phunt.chats.whatsapp_jids import OWNER_ID, jid_participant
from phunt.chats.whatsapp_msgstore_db import lossless_text
from phunt.phones import from_jid_user

PREFERENCES = (
    "Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist",
    "Library/Preferences/group.net.whatsapp.WhatsAppSMB.shared.plist",
)
_PLIST_LIMIT = 16 << 20
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def apple_time(value: Any) -> datetime | None:
    """A Core Data date (seconds since 2001-01-01 UTC) as UTC; None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    try:
        return APPLE_EPOCH + timedelta(seconds=value)
    except OverflowError:
        return None


class Rows:
    """One parse: chats by ``Z_PK`` of ``ZWACHATSESSION``, messages streamed in date order."""

    def __init__(self, context: ParseContext, roots: Sequence[MediaRoot]) -> None:
        self.context, self.export = context, context.export
        self.media = MediaFinder(context.source, context.export, roots)
        self.chats: dict[int, Chat] = {}
        self.members: dict[int, str] = {}
        """``Z_PK`` of ``ZWAGROUPMEMBER`` -> the member's JID (message senders point there)."""
        self.where = "schema"
        self.owner_jid = self.own_jid()

    def own_jid(self) -> str | None:
        for name in PREFERENCES:
            stream = self.context.source.open(name)
            if stream is None:
                continue
            try:
                with stream:  # read whole: a container's member may not seek
                    prefs = plistlib.loads(stream.read(_PLIST_LIMIT))
            except (plistlib.InvalidFileException, ValueError, OSError, EOFError) as exc:
                self.export.warn(
                    self.context.source.describe(name),
                    f"unreadable preferences plist ({exc}); owner's number unknown",
                )
                continue
            jid = prefs.get("OwnJabberID") if isinstance(prefs, dict) else None
            if isinstance(jid, str) and "@" in jid:
                user = jid.partition("@")[0]
                self.export.owner = Participant(OWNER_ID, from_jid_user(user), jid)
                self.export.owner.see_name("device owner")
                return jid
        return None

    def person(self, chat: Chat, jid: str | None, from_me: bool) -> Participant | None:
        if from_me or (jid is not None and jid == self.owner_jid):
            owner = chat.participant(OWNER_ID)
            owner.see_name("device owner")
            if self.export.owner is not None:
                owner.phone, owner.phone_raw = self.export.owner.phone, self.owner_jid
            return owner
        return jid_participant(chat, jid) if jid else None

    def optional(self, conn: sqlite3.Connection, table: str, alias: str, *names: str) -> str:
        """``alias.NAME`` for each column ``table`` has, NULL for the others: builds of the
        app differ in the columns they keep, and a missing optional one is not damage."""
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        return ", ".join(f"{alias}.{n}" if n in have else "NULL" for n in names)

    def text(self, value: Any, table: str, pk: Any, column: str) -> str | None:
        """A text column as ``str`` or None: a damaged or altered row may hold a number or
        a BLOB there. Bytes are decoded as the database's text is; anything else is left
        out. Either way a warning names the table, row and column."""
        if value is None or isinstance(value, str):
            return value
        where = f"row {pk!r} of {table}"
        if isinstance(value, bytes):
            self.export.warn(where, f"{column} is a BLOB, not text; read as text")
            return lossless_text(value)
        self.export.warn(where, f"{column} is {type(value).__name__}, not text; left out")
        return None

    @contextmanager
    def row(self, evidence: str) -> Iterator[None]:
        """Read one row: a value the code cannot use skips the row with a warning naming
        it, and the parse goes on with the next."""
        try:
            yield
        except (TypeError, AttributeError, ValueError, OverflowError) as exc:
            self.export.warn(evidence, f"unreadable row ({type(exc).__name__}: {exc}); skipped")
