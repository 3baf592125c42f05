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
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from phunt.chats import roles
from phunt.chats.attachments import HERE, MediaFinder, present
from phunt.chats.base import ChatParser, ParseContext, guess_mime, register
from phunt.chats.model import Attachment, Chat, Message, Participant, RoleName
from phunt.chats.paths import MediaRoot
from phunt.chats.sqlite_schema import MAGIC, table_names
from phunt.chats.whatsapp_jids import OWNER_ID, chat_kind, jid_participant
from phunt.chats.whatsapp_msgstore_db import lossless_text
from phunt.errors import CorruptInput
from phunt.phones import from_jid_user
from phunt.sources.apps import app_for_path
from phunt.spool import spooled

MAIN = "ChatStorage.sqlite"
REQUIRED = ("ZWACHATSESSION", "ZWAMESSAGE")
MEDIA_ROOTS = (MediaRoot("Message/", "the Message folder beside the database"), *HERE)
"""Where ``ZMEDIALOCALPATH`` is relative to: the ``Message`` folder beside the database."""
PREFERENCES = (
    "Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist",
    "Library/Preferences/group.net.whatsapp.WhatsAppSMB.shared.plist",
)
_PLIST_LIMIT = 16 << 20
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_SYSTEM_TYPE = 6
_DELETED_TYPES = (14,)
_RANKS: dict[int, tuple[RoleName, ...]] = {
    0: ("member",),
    1: ("member", "admin"),
    2: ("member", "admin", "creator"),
}


def apple_time(value: Any) -> datetime | None:
    """A Core Data date (seconds since 2001-01-01 UTC) as UTC; None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    try:
        return APPLE_EPOCH + timedelta(seconds=value)
    except OverflowError:
        return None


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
        run = _Run(context)
        with ExitStack() as stack:
            files = {MAIN: stream}
            for suffix in ("-wal", "-shm"):
                companion = context.source.open(context.name + suffix)
                if companion is not None:
                    files[MAIN + suffix] = stack.enter_context(companion)
            work = stack.enter_context(spooled(files, prefix="phunt-chatstorage-"))
            try:
                conn = sqlite3.connect(f"file:{(work / MAIN).as_posix()}?mode=ro", uri=True)
                conn.text_factory = lossless_text
                try:
                    run.read(conn)
                finally:
                    conn.close()
            except (sqlite3.DatabaseError, UnicodeDecodeError, TypeError, ValueError) as exc:
                raise CorruptInput(
                    f"unreadable database: {exc}", path=context.origin, location=run.where
                ) from None
        context.export.chats.extend(run.chats.values())
        context.export.app = app_for_path(context.export.source)


class _Run:
    """One parse: chats by ``Z_PK`` of ``ZWACHATSESSION``, messages streamed in date order."""

    def __init__(self, context: ParseContext) -> None:
        self.context, self.export = context, context.export
        self.media = MediaFinder(context.source, context.export, MEDIA_ROOTS)
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
            self.creators(conn)
        if "ZWAGROUPMEMBER" in tables:
            self.group_members(conn)
        self.messages(conn, "ZWAMEDIAITEM" in tables)
        if "ZWAPROFILEPUSHNAME" in tables:
            self.push_names(conn)

    def creators(self, conn: sqlite3.Connection) -> None:
        self.where = "table ZWAGROUPINFO"
        created_col = self.optional(conn, "ZWAGROUPINFO", "g", "ZCREATIONDATE")
        sql = f"SELECT g.Z_PK, g.ZCHATSESSION, g.ZCREATORJID, {created_col} FROM ZWAGROUPINFO g"
        for pk, chat_pk, raw_creator, created in conn.execute(sql):
            evidence = f"row {pk} of ZWAGROUPINFO"
            with self.row(evidence):
                chat = self.chats.get(chat_pk)
                creator = self.text(raw_creator, "ZWAGROUPINFO", pk, "ZCREATORJID")
                if chat is None or not creator:
                    self.export.warn(evidence, "group without its chat or creator")
                    continue
                person = self.person(chat, creator, from_me=False)
                if person is not None:
                    person.add_role("creator", apple_time(created), evidence)

    def group_members(self, conn: sqlite3.Connection) -> None:
        self.where = "table ZWAGROUPMEMBER"
        more = self.optional(
            conn, "ZWAGROUPMEMBER", "g", "ZCONTACTNAME", "ZFIRSTNAME", "ZISADMIN", "ZISACTIVE"
        )
        sql = (
            f"SELECT g.Z_PK, g.ZCHATSESSION, g.ZMEMBERJID, {more} FROM ZWAGROUPMEMBER g "
            "ORDER BY g.Z_PK"
        )
        for pk, chat_pk, jid, contact, first, admin, active in conn.execute(sql):
            evidence = f"row {pk} of ZWAGROUPMEMBER"
            with self.row(evidence):
                self.member(evidence, pk, chat_pk, jid, contact, first, admin, active)

    def member(self, evidence: str, pk: Any, chat_pk: Any, jid: Any, *more: Any) -> None:
        """One row of ``ZWAGROUPMEMBER``: the member's names, ranks and whether they left."""
        raw_contact, raw_first, admin, active = more
        chat = self.chats.get(chat_pk)
        if not isinstance(jid, str) or "@" not in jid:
            self.export.warn(evidence, f"member without a WhatsApp address ({jid!r})")
            return
        self.members[pk] = jid
        if chat is None:
            self.export.warn(evidence, f"chat {chat_pk!r} is not in ZWACHATSESSION")
            return
        contact = self.text(raw_contact, "ZWAGROUPMEMBER", pk, "ZCONTACTNAME")
        first = self.text(raw_first, "ZWAGROUPMEMBER", pk, "ZFIRSTNAME")
        person = self.person(chat, jid, from_me=False)
        if person is None:
            return
        person.see_name(contact or first)
        level = admin if isinstance(admin, int) else 0
        for role in _RANKS.get(level, _RANKS[1]):
            person.add_role(role, None, evidence)
        if active == 0:
            person.add_role("left", None, evidence)

    def messages(self, conn: sqlite3.Connection, media: bool) -> None:
        optional = ("ZISFROMME", "ZGROUPMEMBER", "ZFROMJID", "ZTEXT", "ZMESSAGETYPE")
        cols = self.optional(conn, "ZWAMESSAGE", "m", *optional, "ZGROUPEVENTTYPE", "ZPUSHNAME")
        item_col = self.optional(conn, "ZWAMESSAGE", "m", "ZMEDIAITEM")
        media = media and item_col != "NULL"
        pick = "NULL, NULL, NULL"
        if media:
            pick = self.optional(
                conn, "ZWAMEDIAITEM", "i", "ZMEDIALOCALPATH", "ZFILESIZE", "ZTITLE"
            )
        join = "LEFT JOIN ZWAMEDIAITEM i ON i.Z_PK = m.ZMEDIAITEM" if media else ""
        sql = (
            f"SELECT m.Z_PK, m.ZCHATSESSION, m.ZMESSAGEDATE, {cols}, {item_col}, {pick} "
            f"FROM ZWAMESSAGE m {join} ORDER BY m.ZCHATSESSION, m.ZMESSAGEDATE, m.Z_PK"
        )
        orphans = 0
        self.where = "table ZWAMESSAGE"
        for row in conn.execute(sql):
            self.where = evidence = f"row {row[0]} of ZWAMESSAGE"
            if row[1] is None:
                orphans += 1  # rows the app keeps outside any chat: counted, not listed
                continue
            found = None
            with self.row(evidence):
                found = self.message(evidence, row, media)
            if found is None:
                continue
            chat, message = found
            if self.context.keep:
                chat.messages.append(message)
            if self.context.sink is not None:
                self.context.sink(chat, message)
        self.where = "table ZWAMESSAGE"
        if orphans:
            self.export.warn(
                self.where, f"{orphans} rows without a chat (ZCHATSESSION empty); skipped"
            )

    def message(
        self, evidence: str, row: tuple[Any, ...], media: bool
    ) -> tuple[Chat, Message] | None:
        """One row of ``ZWAMESSAGE`` (with its media item) as a message of its chat."""
        pk, chat_pk, stamp, from_me, member, raw_from, raw_text, mtype, event, raw_push = row[:10]
        item, raw_path, size, raw_title = row[10:]
        chat = self.chats.get(chat_pk)
        if chat is None:
            self.export.warn(evidence, f"chat {chat_pk!r} is not in ZWACHATSESSION")
            return None
        time = apple_time(stamp)
        if time is None:
            self.export.warn(evidence, f"message without a usable date ({stamp!r}); skipped")
            return None
        from_jid = self.text(raw_from, "ZWAMESSAGE", pk, "ZFROMJID")
        text = self.text(raw_text, "ZWAMESSAGE", pk, "ZTEXT")
        push = self.text(raw_push, "ZWAMESSAGE", pk, "ZPUSHNAME")
        if chat.kind == "private":
            jid = None if from_me else (from_jid or chat.platform_id)
        else:
            jid = self.members.get(member) if member is not None else None
        sender = self.person(chat, jid, bool(from_me))
        if sender is not None and push and not from_me:
            sender.see_name(push)
        attachment = None
        if item is not None and media:
            path = self.text(raw_path, "ZWAMEDIAITEM", item, "ZMEDIALOCALPATH")
            title = self.text(raw_title, "ZWAMEDIAITEM", item, "ZTITLE")
            attachment = self.attachment(chat, str(pk), path, size, title)
            chat.attachments.append(attachment)
        system = mtype == _SYSTEM_TYPE
        if sender is not None and not system:
            sender.message_count += 1
            roles.member(sender, time, evidence)
        self.count(chat, time)
        message = Message(
            id=str(pk),
            chat_id=chat.platform_id,
            time=time,
            utc_offset=None,
            offset_assumed=False,
            sender_id=None if sender is None else sender.id,
            sender_name=None,
            text=text or "",
            location=evidence,
            action=f"system:{event}" if system else None,
            attachments=() if attachment is None else (attachment,),
            deleted=mtype in _DELETED_TYPES,
        )
        return chat, message

    @staticmethod
    def count(chat: Chat, time: datetime) -> None:
        chat.message_count += 1
        if chat.first_time is None or time < chat.first_time:
            chat.first_time = time
        if chat.last_time is None or time > chat.last_time:
            chat.last_time = time

    def attachment(self, chat: Chat, mid: str, path: Any, size: Any, title: Any) -> Attachment:
        path = path if isinstance(path, str) and path else None
        file_name = path.rsplit("/", 1)[-1] if path else (title or None)
        mime = guess_mime(file_name)
        stated = size if isinstance(size, int) else None
        if path is None:
            note = "no local path in ZWAMEDIAITEM (not downloaded, or deleted)"
            return Attachment(mid, file_name, None, False, size=stated, mime=mime, note=note)
        found = self.media.find(path, f"chat {chat.platform_id}, ZWAMESSAGE row {mid}")
        if found is not None:
            return present(mid, file_name, path, mime, found.digest)
        return Attachment(mid, file_name, path, True, size=stated, mime=mime, note="file missing")

    def push_names(self, conn: sqlite3.Connection) -> None:
        """The names people gave themselves, added to the participants with those JIDs."""
        self.where = "table ZWAPROFILEPUSHNAME"
        names: dict[str, str] = {}
        for pk, raw_jid, raw_name in conn.execute(
            "SELECT Z_PK, ZJID, ZPUSHNAME FROM ZWAPROFILEPUSHNAME ORDER BY Z_PK"
        ):
            jid = self.text(raw_jid, "ZWAPROFILEPUSHNAME", pk, "ZJID")
            name = self.text(raw_name, "ZWAPROFILEPUSHNAME", pk, "ZPUSHNAME")
            if jid is not None and name is not None:
                names[jid] = name
        for chat in self.chats.values():
            for person in chat.participants.values():
                if person.phone_raw in names and person.id != OWNER_ID:
                    person.see_name(names[person.phone_raw])
