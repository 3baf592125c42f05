"""Messages in ChatStorage.sqlite (``ZWAMESSAGE``) with their media items
(``ZWAMEDIAITEM``), streamed in chat and date order.

Group-event codes (``ZGROUPEVENTTYPE``) are kept raw (``system:<code>``): public
descriptions of them disagree, so no role is inferred from them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from phunt.chats import roles
from phunt.chats.attachments import present
from phunt.chats.base import guess_mime
from phunt.chats.model import Attachment, Chat, Message
from phunt.chats.whatsapp_ios_rows import Rows, apple_time

_SYSTEM_TYPE = 6
_DELETED_TYPES = (14,)


def read_messages(run: Rows, conn: sqlite3.Connection, media: bool) -> None:
    optional = ("ZISFROMME", "ZGROUPMEMBER", "ZFROMJID", "ZTEXT", "ZMESSAGETYPE")
    cols = run.optional(conn, "ZWAMESSAGE", "m", *optional, "ZGROUPEVENTTYPE", "ZPUSHNAME")
    item_col = run.optional(conn, "ZWAMESSAGE", "m", "ZMEDIAITEM")
    media = media and item_col != "NULL"
    pick = "NULL, NULL, NULL"
    if media:
        pick = run.optional(conn, "ZWAMEDIAITEM", "i", "ZMEDIALOCALPATH", "ZFILESIZE", "ZTITLE")
    join = "LEFT JOIN ZWAMEDIAITEM i ON i.Z_PK = m.ZMEDIAITEM" if media else ""
    sql = (
        f"SELECT m.Z_PK, m.ZCHATSESSION, m.ZMESSAGEDATE, {cols}, {item_col}, {pick} "
        f"FROM ZWAMESSAGE m {join} ORDER BY m.ZCHATSESSION, m.ZMESSAGEDATE, m.Z_PK"
    )
    orphans = 0
    run.where = "table ZWAMESSAGE"
    for row in conn.execute(sql):
        run.where = evidence = f"row {row[0]} of ZWAMESSAGE"
        if row[1] is None:
            orphans += 1  # rows the app keeps outside any chat: counted, not listed
            continue
        found = None
        with run.row(evidence):
            found = message_row(run, evidence, row, media)
        if found is None:
            continue
        chat, message = found
        if run.context.keep:
            chat.messages.append(message)
        if run.context.sink is not None:
            run.context.sink(chat, message)
    run.where = "table ZWAMESSAGE"
    if orphans:
        run.export.warn(run.where, f"{orphans} rows without a chat (ZCHATSESSION empty); skipped")


def message_row(
    run: Rows, evidence: str, row: tuple[Any, ...], media: bool
) -> tuple[Chat, Message] | None:
    """One row of ``ZWAMESSAGE`` (with its media item) as a message of its chat."""
    pk, chat_pk, stamp, from_me, member, raw_from, raw_text, mtype, event, raw_push = row[:10]
    item, raw_path, size, raw_title = row[10:]
    chat = run.chats.get(chat_pk)
    if chat is None:
        run.export.warn(evidence, f"chat {chat_pk!r} is not in ZWACHATSESSION")
        return None
    time = apple_time(stamp)
    if time is None:
        run.export.warn(evidence, f"message without a usable date ({stamp!r}); skipped")
        return None
    from_jid = run.text(raw_from, "ZWAMESSAGE", pk, "ZFROMJID")
    text = run.text(raw_text, "ZWAMESSAGE", pk, "ZTEXT")
    push = run.text(raw_push, "ZWAMESSAGE", pk, "ZPUSHNAME")
    if chat.kind == "private":
        jid = None if from_me else (from_jid or chat.platform_id)
    else:
        jid = run.members.get(member) if member is not None else None
    sender = run.person(chat, jid, bool(from_me))
    if sender is not None and push and not from_me:
        sender.see_name(push)
    attachment = None
    if item is not None and media:
        path = run.text(raw_path, "ZWAMEDIAITEM", item, "ZMEDIALOCALPATH")
        title = run.text(raw_title, "ZWAMEDIAITEM", item, "ZTITLE")
        attachment = media_attachment(run, chat, str(pk), path, size, title)
        chat.attachments.append(attachment)
    system = mtype == _SYSTEM_TYPE
    if sender is not None and not system:
        sender.message_count += 1
        roles.member(sender, time, evidence)
    count(chat, time)
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


def count(chat: Chat, time: datetime) -> None:
    chat.message_count += 1
    if chat.first_time is None or time < chat.first_time:
        chat.first_time = time
    if chat.last_time is None or time > chat.last_time:
        chat.last_time = time


def media_attachment(
    run: Rows, chat: Chat, mid: str, path: Any, size: Any, title: Any
) -> Attachment:
    path = path if isinstance(path, str) and path else None
    file_name = path.rsplit("/", 1)[-1] if path else (title or None)
    mime = guess_mime(file_name)
    stated = size if isinstance(size, int) else None
    if path is None:
        note = "no local path in ZWAMEDIAITEM (not downloaded, or deleted)"
        return Attachment(mid, file_name, None, False, size=stated, mime=mime, note=note)
    found = run.media.find(path, f"chat {chat.platform_id}, ZWAMESSAGE row {mid}")
    if found is not None:
        return present(mid, file_name, path, mime, found.digest)
    return Attachment(mid, file_name, path, True, size=stated, mime=mime, note="file missing")
