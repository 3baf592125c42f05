"""msgstore's current schema: ``jid``, ``chat``, ``group_participant_user`` and ``message``
with its optional companion tables (media, quotes, forwards, system events)."""

from __future__ import annotations

from phunt.chats.whatsapp_msgstore_db import Db
from phunt.chats.whatsapp_msgstore_media import media_row
from phunt.chats.whatsapp_msgstore_rows import SYSTEM_TYPE, Rows


def read_current(run: Rows, db: Db) -> None:
    """Every chat, member and message of the current tables."""
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
            run.chat_for(row_id, jids[jid_row], title)
    group_members(run, db, jids)
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
        run.last_row = f"row {rid} of message"
        chat = run.chats.get(chat_row)
        if chat is None:
            if chat_row not in (None, 0, -1):
                run.export.warn(run.last_row, f"chat row {chat_row} is not in table chat")
            continue
        if run.seen_keys is not None and key is not None:
            run.seen_keys.add((chat.platform_id, key))
        sender_jid = jids.get(sender_row) if sender_row else None
        if not from_me and sender_jid is None and chat.kind == "private":
            sender_jid = chat.platform_id
        targets = [jids[u] for u in affected.get(rid, ()) if u in jids]
        attachment = None
        if path or fhash or name:
            attachment = media_row(run.media, chat, str(rid), path, size, mime, name, fhash)
        run.emit(
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
            code if mtype == SYSTEM_TYPE or code is not None else None,
            targets,
        )
    run.last_row = None


def group_members(run: Rows, db: Db, jids: dict[int, str]) -> None:
    """Members and their ranks from ``group_participant_user``, when the build has it."""
    table = "group_participant_user"
    if table not in db.tables:
        return
    by_jid = {chat.platform_id: chat for chat in run.chats.values()}
    cols = db.columns(table)
    rank = "admin" if "admin" in cols else "rank" if "rank" in cols else "NULL"
    sql = f"SELECT _id, group_jid_row_id, user_jid_row_id, {rank} FROM {table} ORDER BY _id"
    for rid, group_row, user_row, level in db.conn.execute(sql):
        run.member_row(
            by_jid.get(jids.get(group_row, "")),
            jids.get(user_row),
            level,
            f"row {rid} of {table}",
        )
