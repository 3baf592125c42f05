"""msgstore's legacy schema: ``chat_list``, ``group_participants`` and ``messages`` (keyed
by JID, media columns on the message row)."""

from __future__ import annotations

from phunt.chats.whatsapp_msgstore_db import Db
from phunt.chats.whatsapp_msgstore_media import media_row
from phunt.chats.whatsapp_msgstore_rows import SYSTEM_TYPE, Rows

_COLUMNS = (
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


def read_legacy(run: Rows, db: Db) -> int:
    """Read the legacy tables; returns how many message rows were emitted."""
    if "chat_list" in db.tables:
        subject = db.col("chat_list", "c", "subject")
        for jid, title in db.conn.execute(f"SELECT c.key_remote_jid, {subject} FROM chat_list c"):
            if jid:
                run.chat_for(jid, jid, title)
    if "group_participants" in db.tables:
        admin = db.col("group_participants", "g", "admin")
        sql = f"SELECT g._id, g.gjid, g.jid, {admin} FROM group_participants g ORDER BY g._id"
        for rid, gjid, jid, level in db.conn.execute(sql):
            chat = run.chat_for(gjid, gjid, None) if gjid else None
            run.member_row(chat, jid or None, level, f"row {rid} of group_participants")
    pick = ", ".join(db.col("messages", "m", c) for c in _COLUMNS)
    kept = 0
    sql = (
        f"SELECT m._id, m.key_remote_jid, {pick} FROM messages m "
        "ORDER BY m.key_remote_jid, m.timestamp, m._id"
    )
    for row in db.conn.execute(sql):
        rid, jid, from_me, resource, stamp, wa_type, data = row[:7]
        name, size, mime, mhash, caption, status, fwd, quoted, key = row[7:]
        run.last_row = f"row {rid} of messages"
        if not jid or jid == "-1":
            continue
        if run.seen_keys is not None and (jid, key) in run.seen_keys:
            continue  # already read from table message
        kept += 1
        chat = run.chat_for(jid, jid, None)
        mtype = int(wa_type) if str(wa_type or "").isdigit() else 0
        attachment = None
        if name or mhash:
            mid = f"messages/{rid}" if run.seen_keys is not None else str(rid)
            attachment = media_row(run.media, chat, mid, None, size, mime, name, mhash)
        sender = resource or (jid if chat.kind == "private" and not from_me else None)
        system = status == 6
        run.emit(
            chat,
            rid,
            "messages",
            stamp,
            bool(from_me),
            sender,
            data or caption,
            SYSTEM_TYPE if system else mtype,
            attachment,
            str(quoted) if quoted else None,
            bool(fwd),
            "system" if system else None,
            [],
        )
    run.last_row = None
    return kept
