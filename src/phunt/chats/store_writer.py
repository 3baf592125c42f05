"""The chats import's writer: the parser's message sink, storing rows a batch at a time.

Each batch is inserted with its attachments, hash-set matches and keyword hits; the
flags a listed file raises (its attachment, message, sender and chat) are kept as the
rows go in, and the chat's people are written once the export is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from phunt.chats.source import Link
from phunt.matching.engine import MatchEngine
from phunt.schema.chats import (
    ChatAttachment,
    ChatImport,
    ChatKeywordHit,
    ChatMediaMatch,
    ChatMessage,
    ChatParticipant,
    ChatRecord,
    ChatRole,
)

if TYPE_CHECKING:
    from phunt.chats.keywords import Watchlist
    from phunt.chats.model import Attachment, Chat, ChatExport, Message, Participant
    from phunt.matching.engine import Hit

    MediaLinker = Callable[[Attachment], tuple[Attachment, Link | None]]
    """Ties an attachment to the stored file holding its bytes (ingest supplies one)."""

BATCH = 2000
OWNER_KEY = "owner"
"""The participant id both WhatsApp parsers give the device's own account."""


class Writer:
    """The parser's message sink: buffers messages and stores them a batch at a time."""

    imp: ChatImport

    def __init__(
        self,
        session: Session,
        watchlist: Watchlist | None,
        engine: MatchEngine | None,
        media: MediaLinker | None,
    ) -> None:
        self.session, self.watchlist, self.engine = session, watchlist, engine
        self.media = media
        self.rows: dict[int, ChatRecord] = {}
        self.pending: list[tuple[int, Message, tuple[Link | None, ...]]] = []
        self.bad_sent: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.messages = self.attachments = self.matched = self.keyword_hits = 0

    def chat_row(self, chat: Chat) -> ChatRecord:
        row = self.rows.get(id(chat))
        if row is None:
            row = ChatRecord(
                import_id=self.imp.id,
                device_id=self.imp.device_id,
                platform=chat.platform,
                platform_id=chat.platform_id,
                title=chat.title,
                kind=chat.kind,
                raw_kind=chat.raw_kind,
            )
            self.session.add(row)
            self.session.flush()
            self.rows[id(chat)] = row
        return row

    def __call__(self, chat: Chat, message: Message) -> None:
        links: tuple[Link | None, ...] = ()
        if self.media is not None and message.attachments:
            linked = [self.media(a) for a in message.attachments]
            message = replace(message, attachments=tuple(a for a, _link in linked))
            links = tuple(link for _a, link in linked)
        self.pending.append((self.chat_row(chat).id, message, links))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        hits = [[self.match(a) for a in m.attachments] for _c, m, _l in batch]
        words = [self.watchlist.flag(m) if self.watchlist else [] for _c, m, _l in batch]
        rows = [
            _message_row(chat_id, m, any(any(h) for h in mh), bool(kw))
            for (chat_id, m, _l), mh, kw in zip(batch, hits, words, strict=True)
        ]
        # Only messages with attachments or hits need their new ids back: the rest go in
        # as a plain executemany, several times faster than INSERT ... RETURNING.
        linked = [i for i, (_c, m, _l) in enumerate(batch) if m.attachments or words[i]]
        chosen = set(linked)
        plain = [row for i, row in enumerate(rows) if i not in chosen]
        if plain:
            self.session.execute(insert(ChatMessage), plain)
        ids: list[int] = []
        if linked:
            stmt = insert(ChatMessage).returning(ChatMessage.id, sort_by_parameter_order=True)
            ids = list(self.session.scalars(stmt, [rows[i] for i in linked]))
        att_rows: list[dict[str, Any]] = []
        att_hits: list[list[tuple[Hit, str]]] = []
        kw_rows: list[dict[str, Any]] = []
        for mid, i in zip(ids, linked, strict=True):
            (chat_id, msg, links), mhits, kws = batch[i], hits[i], words[i]
            for n, (att, ahits) in enumerate(zip(msg.attachments, mhits, strict=True)):
                link = links[n] if links else None
                att_rows.append(_attachment_row(mid, chat_id, att, bool(ahits), link))
                att_hits.append(ahits)
                if ahits and msg.sender_id is not None:
                    self.bad_sent[chat_id][msg.sender_id].add(_media_key(att))
            kw_rows.extend(
                {"message_id": mid, "term": k.term, "kind": k.kind, "start": k.start}
                | {"end": k.end, "matched": k.matched}
                for k in kws
            )
        self.messages += len(rows)
        self.keyword_hits += len(kw_rows)
        if att_rows:
            stmt = insert(ChatAttachment).returning(ChatAttachment.id, sort_by_parameter_order=True)
            att_ids = list(self.session.scalars(stmt, att_rows))
            self.attachments += len(att_rows)
            matches = [
                _match_row(aid, hit, source)
                for aid, ahits in zip(att_ids, att_hits, strict=True)
                for hit, source in ahits
            ]
            self.matched += sum(1 for ahits in att_hits if ahits)
            if matches:
                self.session.execute(insert(ChatMediaMatch), matches)
        if kw_rows:
            self.session.execute(insert(ChatKeywordHit), kw_rows)

    def match(self, att: Attachment) -> list[tuple[Hit, str]]:
        """Hits of the file's own hashes, then of the hash the app recorded."""
        if self.engine is None:
            return []
        found: list[tuple[Hit, str]] = []
        seen: set[tuple[str, int]] = set()
        digests = {k: v for k, v in (("md5", att.md5), ("sha1", att.sha1), ("sha256", att.sha256))}
        queries = [({k: v for k, v in digests.items() if v}, "file")]
        if att.platform_sha256 and att.platform_sha256 != att.sha256:
            queries.append(({"sha256": att.platform_sha256}, "platform"))
        for query, source in queries:
            if not query:
                continue
            for hit in self.engine.match_file(query):
                key = (hit.listed.list_name, hit.listed.entry)
                if key not in seen:
                    seen.add(key)
                    found.append((hit, source))
        return found

    def finish(self, export: ChatExport, owner_phone: str | None) -> int:
        """Store every chat's participants and roles, with the known-bad counts per sender."""
        owner_key = export.owner.id if export.owner is not None else OWNER_KEY
        count = 0
        for chat in export.chats:
            row = self.chat_row(chat)
            row.title, row.kind, row.raw_kind = chat.title, chat.kind, chat.raw_kind
            row.message_count = chat.message_count
            row.first_time, row.last_time = chat.first_time, chat.last_time
            row.invite_links = dict(chat.invite_links) or None
            sent = self.bad_sent.get(row.id, {})
            row.known_bad = bool(sent)
            people = list(chat.participants.values())
            rows = [
                _participant_row(row, p, p.id == owner_key, owner_phone, len(sent.get(p.id, ())))
                for p in people
            ]
            stmt = insert(ChatParticipant).returning(
                ChatParticipant.id, sort_by_parameter_order=True
            )
            ids = list(self.session.scalars(stmt, rows)) if rows else []
            roles = [
                {
                    "participant_id": pid,
                    "role": r.name,
                    "first_seen": r.first_seen,
                    "last_seen": r.last_seen,
                    "evidence": r.evidence,
                    "inferred": r.inferred,
                }
                for pid, person in zip(ids, people, strict=True)
                for r in person.roles.values()
            ]
            if roles:
                self.session.execute(insert(ChatRole), roles)
            count += len(rows)
        self.session.flush()
        return count


def _media_key(att: Attachment) -> str:
    """One name for one file however it was hashed, so sending it twice counts once."""
    return att.sha256 or att.platform_sha256 or att.sha1 or att.md5 or f"name:{att.file_name}"


def _message_row(chat_id: int, m: Message, known_bad: bool, flagged: bool) -> dict[str, Any]:
    offset = None if m.utc_offset is None else int(m.utc_offset.total_seconds() // 60)
    return {
        "chat_id": chat_id,
        "platform_message_id": m.id,
        "sent_at": m.time,
        "utc_offset_minutes": offset,
        "offset_assumed": m.offset_assumed,
        "sender_key": m.sender_id,
        "sender_name": m.sender_name,
        "text": m.text,
        "location": m.location,
        "reply_to": m.reply_to,
        "forwarded": m.forwarded,
        "forwarded_from": m.forwarded_from,
        "action": m.action,
        "action_targets": list(m.action_targets),
        "deleted": m.deleted,
        "known_bad": known_bad,
        "keyword_flagged": flagged,
    }


def _attachment_row(
    mid: int, chat_id: int, a: Attachment, known_bad: bool, link: Link | None
) -> dict[str, Any]:
    return {
        "message_id": mid,
        "chat_id": chat_id,
        "file_name": a.file_name,
        "path": a.path,
        "included": a.included,
        "present": a.present,
        "size": a.size,
        "mime": a.mime,
        "md5": a.md5,
        "sha1": a.sha1,
        "sha256": a.sha256,
        "platform_sha256": a.platform_sha256,
        "note": a.note,
        "known_bad": known_bad,
        "file_id": None if link is None else link.file_id,
        "file_link": None if link is None else link.how,
    }


def _match_row(attachment_id: int, hit: Hit, source: str) -> dict[str, Any]:
    return {"attachment_id": attachment_id, "hash_source": source, **hit.stored_columns()}


def _participant_row(
    chat: ChatRecord, p: Participant, is_owner: bool, owner_phone: str | None, bad: int
) -> dict[str, Any]:
    phone = p.phone or (owner_phone if is_owner else None)
    stable = p.id not in (OWNER_KEY, p.phone) and not p.id.startswith("name:")
    return {
        "chat_id": chat.id,
        "device_id": chat.device_id,
        "key": p.id,
        "phone": phone,
        "phone_raw": p.phone_raw,
        "username": p.username,
        "platform_user_id": p.id if stable else None,
        "names": list(p.names),
        "contact_name": p.contact_name,
        "is_owner": is_owner,
        "message_count": p.message_count,
        "known_bad_sent": bad,
    }
