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
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, BinaryIO

from phunt.chats import roles
from phunt.chats.attachments import MediaFinder, present
from phunt.chats.base import ChatParser, MessageSink, ParseContext, guess_mime, register
from phunt.chats.model import Attachment, Chat, ChatExport, ChatKind, Message, Participant, RoleName
from phunt.chats.paths import MediaRoot, device_media
from phunt.chats.source import ChatSource
from phunt.chats.sqlite_schema import MAGIC, table_names
from phunt.chats.whatsapp_contacts import apply_contacts, read_contacts
from phunt.errors import CorruptInput, WrongFormat
from phunt.phones import from_jid_user
from phunt.sources.apps import app_for_path
from phunt.spool import spooled

OWNER_ID = "owner"
_COMPANIONS = ("-wal", "-shm")
MEDIA_ROOTS = (
    MediaRoot("", "beside the database"),
    MediaRoot("../", "the app folder above the database"),
    MediaRoot("../WhatsApp/", "the WhatsApp folder beside the database's"),
)
"""Where media paths may be relative to, before a full extraction's shared storage
(:func:`phunt.chats.paths.device_media`)."""
_SYSTEM_TYPE = 7
_DELETED_TYPES = (15, 64)
# action_type codes where two tools agree (format notes, section 6); others kept raw.
_ACTIONS = {
    1: "edit_group_title",
    5: "left",
    6: "edit_group_photo",
    11: "create_group",
    12: "add_members",
    13: "left",
    14: "remove_members",
    20: "join_group_by_link",
    27: "edit_description",
}
_RANKS: dict[int, tuple[RoleName, ...]] = {
    0: ("member",),
    1: ("member", "admin"),
    2: ("member", "admin", "creator"),
}


def chat_kind(jid: str) -> ChatKind:
    """The kind of chat a WhatsApp JID names, by its server (shared with the iOS parser)."""
    server = jid.rpartition("@")[2]
    if server == "g.us":
        return "group"
    if server == "newsletter":
        return "channel"
    if server == "broadcast":
        return "broadcast"
    return "private"


def jid_participant(chat: Chat, jid: str) -> Participant:
    """The participant a JID names: keyed by E.164 number for a phone JID, else the JID."""
    user, _, server = jid.partition("@")
    phone = from_jid_user(user) if server == "s.whatsapp.net" else None
    person = chat.participant(phone or jid)
    person.phone, person.phone_raw = phone, jid
    return person


def _hex_sha256(value: Any) -> str | None:
    """msgstore keeps Base64 of the SHA-256 of the decrypted file; return it as hex."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else bytes(value)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def lossless_text(raw: bytes) -> str:
    """SQLite text as ``str``: bytes that are not UTF-8 (a damaged page, an app's own
    encoding) are kept as Latin-1 rather than stopping the whole database."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Db:
    """A read-only connection to a temporary copy, with schema questions answered once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        self.tables = {r[0] for r in rows}

    def columns(self, table: str) -> set[str]:
        if table not in self.tables:
            return set()
        return {r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')}

    def col(self, table: str, alias: str, name: str) -> str:
        """``alias.name`` when the column exists, else NULL (older builds lack many)."""
        return f"{alias}.{name}" if name in self.columns(table) else "NULL"


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
        run = _Run(context.export, context.source, context.keep, context.sink)
        location = "schema"
        with ExitStack() as stack:
            files = {"msgstore.db": stream}
            for suffix in _COMPANIONS:
                companion = context.source.open(context.name + suffix)
                if companion is not None:
                    files["msgstore.db" + suffix] = stack.enter_context(companion)
            work = stack.enter_context(spooled(files, prefix="phunt-msgstore-"))
            try:
                conn = sqlite3.connect(
                    f"file:{(work / 'msgstore.db').as_posix()}?mode=ro", uri=True
                )
                conn.text_factory = lossless_text
                try:
                    db = _Db(conn)
                    location = "table message"
                    if "message" in db.tables and "messages" in db.tables:
                        location = run.transitional(db)
                    elif "message" in db.tables:
                        run.current(db)
                    elif "messages" in db.tables:
                        location = "table messages"
                        run.legacy(db)
                    else:
                        raise WrongFormat("no message or messages table", path=context.origin)
                finally:
                    conn.close()
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                # A name in the schema that is not UTF-8: sqlite3 decodes those itself.
                where = run.last_row or location
                raise CorruptInput(
                    f"unreadable database: {exc}", path=context.origin, location=where
                ) from None
        context.export.chats.extend(run.chats.values())
        apply_contacts(run.chats.values(), read_contacts(context.source, context.export))
        context.export.app = app_for_path(context.export.source)


class _Run:
    """One parse: chats keyed by row id (current) or JID (legacy), messages streamed."""

    def __init__(
        self, export: ChatExport, source: ChatSource, keep: bool, sink: MessageSink | None
    ) -> None:
        self.export, self.source, self.keep, self.sink = export, source, keep, sink
        self.media = MediaFinder(source, export, [*MEDIA_ROOTS, *device_media(source.here)])
        self.chats: dict[Any, Chat] = {}
        self.by_jid: dict[str, Chat] = {}
        self.last_row: str | None = None
        self.seen_keys: set[tuple[str, Any]] | None = None
        """(chat JID, key_id) of messages read from ``message``, when ``messages`` follows."""

    # -- identities -------------------------------------------------------------------
    def person(self, chat: Chat, jid: str | None, from_me: bool) -> Participant | None:
        if from_me:
            owner = chat.participant(OWNER_ID)
            owner.see_name("device owner")
            return owner
        return jid_participant(chat, jid) if jid else None

    def chat_for(self, key: Any, jid: str, subject: str | None) -> Chat:
        chat = self.chats.get(key)
        if chat is None and jid in self.by_jid:  # same chat, keyed by the other schema
            chat = self.by_jid[jid]
            chat.title = chat.title or subject
        if chat is None:
            chat = self.chats[key] = Chat(
                "whatsapp", jid, subject, chat_kind(jid), raw_kind=jid.rpartition("@")[2]
            )
            self.by_jid[jid] = chat
        return chat

    # -- transitional schema (both tables) ---------------------------------------------
    def transitional(self, db: _Db) -> str:
        """Read whichever table holds the messages (both, de-duplicated, if both do) and
        say which; returns the table being read, for errors."""
        new = db.conn.execute(
            "SELECT count(*) FROM message WHERE chat_row_id IS NOT NULL "
            "AND chat_row_id NOT IN (0, -1)"
        ).fetchone()[0]
        old = db.conn.execute(
            "SELECT count(*) FROM messages WHERE key_remote_jid IS NOT NULL "
            "AND key_remote_jid != '-1'"
        ).fetchone()[0]
        if old == 0:
            self.current(db)
            return "table message"
        if new == 0:
            self.export.warn(
                "table message",
                f"holds only its placeholder row: read the {old} rows of legacy table messages "
                "(a database in mid-migration)",
            )
            self.legacy(db)
            return "table messages"
        self.seen_keys = set()
        self.current(db)
        kept = self.legacy(db)
        self.export.warn(
            "tables message and messages",
            f"both hold messages (mid-migration): read {new} rows of message and {kept} of "
            f"the {old} rows of messages not already there (same chat and key_id)",
        )
        return "table messages"

    # -- current schema ---------------------------------------------------------------
    def current(self, db: _Db) -> None:
        jids = {r[0]: r[1] for r in db.conn.execute("SELECT _id, raw_string FROM jid")}
        if "jid_map" in db.tables:
            for lid, phone_row in db.conn.execute("SELECT lid_row_id, jid_row_id FROM jid_map"):
                if phone_row in jids:
                    jids[lid] = jids[phone_row]
        subject = db.col("chat", "c", "subject")
        for row_id, jid_row, title in db.conn.execute(
            f"SELECT c._id, c.jid_row_id, {subject} FROM chat c"
        ):
            if jid_row in jids:
                self.chat_for(row_id, jids[jid_row], title)
        self.group_members(db, jids)
        affected: dict[int, list[int]] = {}
        if "message_system_chat_participant" in db.tables:
            sql = "SELECT message_row_id, user_jid_row_id FROM message_system_chat_participant"
            for mrow, urow in db.conn.execute(sql):
                affected.setdefault(mrow, []).append(urow)
        # Companion tables are optional across builds: join what exists, NULL the rest.
        joins: list[str] = []
        media = "NULL, NULL, NULL, NULL, NULL"
        quoted = forwarded = action = "NULL"
        if "message_media" in db.tables:
            joins.append("LEFT JOIN message_media mm ON mm.message_row_id = m._id")
            media = ", ".join(
                db.col("message_media", "mm", c)
                for c in ("file_path", "file_size", "mime_type", "media_name", "file_hash")
            )
        if "message_quoted" in db.tables:
            joins.append("LEFT JOIN message_quoted q ON q.message_row_id = m._id")
            joins.append(
                "LEFT JOIN message qm ON qm.key_id = q.key_id AND qm.chat_row_id = m.chat_row_id"
            )
            quoted = "COALESCE(qm._id, 'key:' || q.key_id)"
        if "message_forwarded" in db.tables:
            joins.append("LEFT JOIN message_forwarded f ON f.message_row_id = m._id")
            forwarded = "f.message_row_id"
        if "message_system" in db.tables:
            joins.append("LEFT JOIN message_system s ON s.message_row_id = m._id")
            action = "s.action_type"
        sql = (
            "SELECT m._id, m.chat_row_id, m.from_me, m.sender_jid_row_id, m.timestamp, "
            f"m.message_type, m.text_data, {media}, {quoted}, {forwarded}, {action}, "
            f"{db.col('message', 'm', 'key_id')} "
            f"FROM message m {' '.join(joins)} ORDER BY m.chat_row_id, m.timestamp, m._id"
        )
        for row in db.conn.execute(sql):
            (rid, chat_row, from_me, sender_row, stamp, mtype, text) = row[:7]
            (path, size, mime, name, fhash, reply, fwd, code, key) = row[7:]
            self.last_row = f"row {rid} of message"
            chat = self.chats.get(chat_row)
            if chat is None:
                if chat_row not in (None, 0, -1):
                    self.export.warn(self.last_row, f"chat row {chat_row} is not in table chat")
                continue
            if self.seen_keys is not None and key is not None:
                self.seen_keys.add((chat.platform_id, key))
            sender_jid = jids.get(sender_row) if sender_row else None
            if not from_me and sender_jid is None and chat.kind == "private":
                sender_jid = chat.platform_id
            targets = [jids[u] for u in affected.get(rid, ()) if u in jids]
            attachment = None
            if path or fhash or name:
                attachment = self.attachment(chat, str(rid), path, size, mime, name, fhash)
            self.emit(
                chat,
                rid,
                "message",
                stamp,
                bool(from_me),
                sender_jid,
                text,
                mtype,
                attachment,
                None if reply is None else str(reply),
                fwd is not None,
                code if mtype == _SYSTEM_TYPE or code is not None else None,
                targets,
            )
        self.last_row = None

    def group_members(self, db: _Db, jids: dict[int, str]) -> None:
        table = "group_participant_user"
        if table not in db.tables:
            return
        by_jid = {chat.platform_id: chat for chat in self.chats.values()}
        cols = db.columns(table)
        rank = "admin" if "admin" in cols else "rank" if "rank" in cols else "NULL"
        sql = f"SELECT _id, group_jid_row_id, user_jid_row_id, {rank} FROM {table} ORDER BY _id"
        for rid, group_row, user_row, level in db.conn.execute(sql):
            self.member_row(
                by_jid.get(jids.get(group_row, "")),
                jids.get(user_row),
                level,
                f"row {rid} of {table}",
            )

    def member_row(self, chat: Chat | None, jid: str | None, level: Any, evidence: str) -> None:
        if chat is None:
            self.export.warn(evidence, "group not found")
            return
        person = self.person(chat, jid, from_me=not jid)
        if person is None:
            return
        for role in _RANKS.get(int(level or 0), ("member",)):
            person.add_role(role, None, evidence)

    # -- legacy schema ----------------------------------------------------------------
    def legacy(self, db: _Db) -> int:
        """Read the legacy tables; returns how many message rows were emitted."""
        if "chat_list" in db.tables:
            subject = db.col("chat_list", "c", "subject")
            for jid, title in db.conn.execute(
                f"SELECT c.key_remote_jid, {subject} FROM chat_list c"
            ):
                if jid:
                    self.chat_for(jid, jid, title)
        if "group_participants" in db.tables:
            admin = db.col("group_participants", "g", "admin")
            sql = f"SELECT g._id, g.gjid, g.jid, {admin} FROM group_participants g ORDER BY g._id"
            for rid, gjid, jid, level in db.conn.execute(sql):
                chat = self.chat_for(gjid, gjid, None) if gjid else None
                self.member_row(chat, jid or None, level, f"row {rid} of group_participants")
        pick = ", ".join(
            db.col("messages", "m", c)
            for c in (
                "key_from_me",
                "remote_resource",
                "timestamp",
                "media_wa_type",
                "data",
                "media_name",
                "media_size",
                "media_mime_type",
                "media_hash",
                "media_caption",
                "status",
                "forwarded",
                "quoted_row_id",
                "key_id",
            )
        )
        kept = 0
        sql = (
            f"SELECT m._id, m.key_remote_jid, {pick} FROM messages m "
            "ORDER BY m.key_remote_jid, m.timestamp, m._id"
        )
        for row in db.conn.execute(sql):
            rid, jid, from_me, resource, stamp, wa_type, data = row[:7]
            name, size, mime, mhash, caption, status, fwd, quoted, key = row[7:]
            self.last_row = f"row {rid} of messages"
            if not jid or jid == "-1":
                continue
            if self.seen_keys is not None and (jid, key) in self.seen_keys:
                continue  # already read from table message
            kept += 1
            chat = self.chat_for(jid, jid, None)
            mtype = int(wa_type) if str(wa_type or "").isdigit() else 0
            attachment = None
            if name or mhash:
                mid = f"messages/{rid}" if self.seen_keys is not None else str(rid)
                attachment = self.attachment(chat, mid, None, size, mime, name, mhash)
            sender = resource or (jid if chat.kind == "private" and not from_me else None)
            system = status == 6
            self.emit(
                chat,
                rid,
                "messages",
                stamp,
                bool(from_me),
                sender,
                data or caption,
                _SYSTEM_TYPE if system else mtype,
                attachment,
                str(quoted) if quoted else None,
                bool(fwd),
                "system" if system else None,
                [],
            )
        self.last_row = None
        return kept

    # -- shared -----------------------------------------------------------------------
    def attachment(
        self,
        chat: Chat,
        mid: str,
        path: str | None,
        size: Any,
        mime: str | None,
        name: str | None,
        fhash: Any,
    ) -> Attachment:
        file_name = name or (path.rsplit("/", 1)[-1] if path else None)
        stated_size = size if isinstance(size, int) else None
        mime = mime or guess_mime(file_name)
        platform_sha256 = _hex_sha256(fhash)
        if not path:
            return Attachment(
                mid,
                file_name,
                None,
                False,
                size=stated_size,
                mime=mime,
                platform_sha256=platform_sha256,
                note="no file path in database (not downloaded, deleted, or legacy schema)",
            )
        found = self.media.find(path, f"chat {chat.platform_id}, message row {mid}")
        if found is not None:
            return present(mid, file_name, path, mime, found.digest, platform_sha256, found.note)
        return Attachment(
            mid,
            file_name,
            path,
            True,
            size=stated_size,
            mime=mime,
            platform_sha256=platform_sha256,
            note="file missing",
        )

    def emit(
        self,
        chat: Chat,
        rid: int,
        table: str,
        stamp: Any,
        from_me: bool,
        sender_jid: str | None,
        text: str | None,
        mtype: int | None,
        attachment: Attachment | None,
        reply: str | None,
        forwarded: bool,
        code: Any,
        targets: list[str],
    ) -> None:
        evidence = f"row {rid} of {table}"
        if not isinstance(stamp, int) or stamp <= 0:
            self.export.warn(evidence, f"message without a usable timestamp ({stamp!r}); skipped")
            return
        time = datetime.fromtimestamp(stamp / 1000, UTC)
        chat.message_count += 1
        if chat.first_time is None or time < chat.first_time:
            chat.first_time = time
        if chat.last_time is None or time > chat.last_time:
            chat.last_time = time
        sender = self.person(chat, sender_jid, from_me)
        action = None
        if code is not None:
            action = code if isinstance(code, str) else _ACTIONS.get(int(code), f"system:{code}")
            self.system(
                chat, action, sender, [self.person(chat, j, False) for j in targets], time, evidence
            )
        elif sender is not None:
            sender.message_count += 1
            roles.member(sender, time, evidence)
        attachments = (attachment,) if attachment is not None else ()
        chat.attachments.extend(attachments)
        both = self.seen_keys is not None and table == "messages"
        message = Message(
            id=f"messages/{rid}" if both else str(rid),  # row ids of two tables can collide
            chat_id=chat.platform_id,
            time=time,
            utc_offset=None,
            offset_assumed=False,
            sender_id=None if sender is None else sender.id,
            sender_name=None,
            text=text or "",
            location=evidence,
            reply_to=reply,
            forwarded=forwarded,
            action=action,
            action_targets=tuple(targets),
            attachments=attachments,
            deleted=mtype in _DELETED_TYPES,
        )
        if self.keep:
            chat.messages.append(message)
        if self.sink is not None:
            self.sink(chat, message)

    @staticmethod
    def system(
        chat: Chat,
        action: str,
        actor: Participant | None,
        targets: list[Participant | None],
        time: datetime,
        evidence: str,
    ) -> None:
        people = [t for t in targets if t is not None]
        if action == "create_group" and actor is not None:
            actor.add_role("creator", time, evidence)
            roles.member(actor, time, evidence)
        elif action in ("add_members", "join_group_by_link"):
            for person in people or ([actor] if actor and action == "join_group_by_link" else []):
                roles.member(person, time, evidence)
            if action == "add_members" and actor is not None and actor not in people:
                roles.member(actor, time, evidence)  # only a member adds (the owner, unlisted)
                actor.add_role("admin", time, evidence, inferred=True)
        elif action == "remove_members":
            for person in people:
                roles.removal(actor, person, time, evidence)
        elif action == "left":
            for person in people or ([actor] if actor else []):
                person.add_role("left", time, evidence)
