"""The chats store: import a parsed export from a device into the case database, then query it.

An import streams messages from the parser into the database in batches (bounded memory
for exports of millions of messages), matches every attachment's hashes against the hash
sets in use (the same engine and the same rules as any file on a device), applies an
optional keyword watchlist, and stores the flags: a listed file flags its attachment, its
message, its sender and its chat. The whole import is one audit record, in the same
transaction, naming the export's SHA-256 and what it held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.seal import seal_where
from phunt.cases.devices import get_device
from phunt.chats.source import ChatInput, Link
from phunt.errors import AlreadyImported, NotFoundError, UsageError, WrongFormat
from phunt.hashset_spec import engine_spec
from phunt.matching.engine import MatchEngine
from phunt.matching.spec import engine_for
from phunt.schema.cases import Device, Suspect
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
GROUP_KINDS = ("group", "supergroup", "channel", "broadcast")
OWNER_KEY = "owner"
"""The participant id both WhatsApp parsers give the device's own account."""


@dataclass(frozen=True)
class ImportSummary:
    """What one ``chats import`` stored, for the CLI, the audit log and ingest."""

    import_id: int
    device: str
    source: str
    source_sha256: str | None
    platform: str
    format: str
    owner_phone: str | None
    chats: int
    participants: int
    messages: int
    attachments: int
    matched_attachments: int
    keyword_hits: int
    warnings: list[str] = field(default_factory=list)
    app: str | None = None
    """The app that wrote the source (``whatsapp-business`` for ``com.whatsapp.w4b``)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _owner_phone(session: Session, device: Device, given: str | None) -> str | None:
    """The owner's number: as given, else the suspect's only number, else unknown."""
    from phunt.phones import parse_phone

    if given:
        return parse_phone(given)
    if device.suspect_id is not None:
        suspect = session.get(Suspect, device.suspect_id)
        if suspect is not None and len(suspect.phones) == 1:
            return parse_phone(suspect.phones[0])
    return None


def _load_engine(session: Session) -> MatchEngine | None:
    engine = engine_for(engine_spec(session), session)
    return engine if engine.segments else None


def chat_input(path: str | Path, fmt: str | None = None) -> ChatInput:
    """The chat source at ``path`` on disk: a main file, or an export folder."""
    from phunt.chats.base import detect, load_parsers

    where = Path(path)
    if not where.exists():
        raise UsageError(f"{where}: no such chat export")
    cls = load_parsers().get(fmt) if fmt is not None else detect(where)
    source, main = cls.locate(where)
    if main is None:
        raise WrongFormat(f"no {cls.label} in folder", path=str(where))
    return ChatInput(main, source, str(where))


def import_export(
    session: Session,
    export_path: str | Path,
    device_ref: int | str,
    *,
    watchlist: Watchlist | None = None,
    owner_phone: str | None = None,
    fmt: str | None = None,
    tz: str | None = None,
    engine: MatchEngine | None = None,
) -> ImportSummary:
    """Parse the export at ``export_path`` on disk (format auto-detected) and store it."""
    return import_chat(
        session,
        chat_input(export_path, fmt),
        device_ref,
        watchlist=watchlist,
        owner_phone=owner_phone,
        fmt=fmt,
        tz=tz,
        engine=engine,
    )


def import_chat(
    session: Session,
    chat: ChatInput,
    device_ref: int | str,
    *,
    watchlist: Watchlist | None = None,
    owner_phone: str | None = None,
    fmt: str | None = None,
    tz: str | None = None,
    engine: MatchEngine | None = None,
    media: MediaLinker | None = None,
) -> ImportSummary:
    """Parse ``chat`` and store it as evidence of a device.

    ``engine`` lets a caller importing many exports load the hash sets once; by default
    every hash set in the database is used. ``media`` ties each attachment to a stored file
    of the device before it is matched (ingest supplies one). The same export bytes cannot
    be imported twice for one device. The import runs in a savepoint: when the export turns
    out to be damaged (:class:`~phunt.errors.CorruptInput`) nothing of it stays in the
    session, so an ingest can record the failure and go on.
    """
    from phunt.hashing.crypto import sha256_stream

    device = get_device(session, device_ref)
    with chat.open() as stream:
        digest = sha256_stream(stream)
    done = session.scalar(
        select(ChatImport.id).where(
            ChatImport.device_id == device.id, ChatImport.source_sha256 == digest
        )
    )
    if done is not None:
        message = f"{chat.shown}: already imported for this device (import {done})"
        raise AlreadyImported(message, import_id=done)
    owner = _owner_phone(session, device, owner_phone)
    loaded = engine if engine is not None else _load_engine(session)
    writer = _Writer(session, watchlist, loaded, media)
    with session.begin_nested():  # a damaged export leaves nothing behind in the caller's work
        return _import(session, chat, device, digest, owner, writer, fmt, tz)


def _import(
    session: Session,
    chat: ChatInput,
    device: Device,
    digest: str,
    owner: str | None,
    writer: _Writer,
    fmt: str | None,
    tz: str | None,
) -> ImportSummary:
    from phunt.chats.base import DEFAULT_TZ, detect_stream, load_parsers

    imp = ChatImport(
        device_id=device.id,
        source_path=chat.shown,
        source_sha256=digest,
        platform="",
        format="",
        owner_phone=owner,
        imported_by=audit.current_actor(),
    )
    session.add(imp)
    session.flush()
    writer.imp = imp
    with chat.open() as stream:
        cls = load_parsers().get(fmt) if fmt is not None else detect_stream(stream, chat.name)
        export = cls().parse(
            stream,
            chat.name,
            source=chat.source,
            origin=chat.shown,
            tz=tz or DEFAULT_TZ,
            keep_messages=False,
            on_message=writer,
        )
    writer.flush()
    if owner is None and export.owner is not None and export.owner.phone:
        owner = imp.owner_phone = export.owner.phone  # the database names its own account
    participants = writer.finish(export, owner)
    imp.platform, imp.format = export.platform, export.format
    imp.app = export.app or export.platform
    imp.source_sha256 = export.source_sha256 or digest
    imp.chats, imp.messages, imp.attachments = (
        len(export.chats),
        writer.messages,
        writer.attachments,
    )
    imp.matched_attachments, imp.keyword_hits = writer.matched, writer.keyword_hits
    imp.warnings = [str(w) for w in export.warnings]
    summary = ImportSummary(
        imp.id,
        device.evidence_number,
        chat.shown,
        imp.source_sha256,
        imp.platform,
        imp.format,
        owner,
        imp.chats,
        participants,
        imp.messages,
        imp.attachments,
        imp.matched_attachments,
        imp.keyword_hits,
        imp.warnings,
        imp.app,
    )
    chats = select(ChatRecord.id).where(ChatRecord.import_id == imp.id)
    for written in (ChatParticipant, ChatMessage, ChatAttachment):
        seal_where(session, written, written.chat_id.in_(chats))  # bulk: sealed by scope
    people = select(ChatParticipant.id).where(ChatParticipant.chat_id.in_(chats))
    files = select(ChatAttachment.id).where(ChatAttachment.chat_id.in_(chats))
    said = select(ChatMessage.id).where(ChatMessage.chat_id.in_(chats))
    seal_where(session, ChatRole, ChatRole.participant_id.in_(people))  # roles reports state
    seal_where(session, ChatMediaMatch, ChatMediaMatch.attachment_id.in_(files))
    seal_where(session, ChatKeywordHit, ChatKeywordHit.message_id.in_(said))
    audit.append(session, "chats.import", "chat_import", imp.id, summary.as_dict())
    return summary


class _Writer:
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
    cat = hit.listed.category
    return {
        "attachment_id": attachment_id,
        "hash_set": hit.listed.list_name,
        "version": hit.listed.version,
        "entry": hit.listed.entry,
        "kind": hit.kind,
        "hash_source": source,
        "distance": hit.distance,
        "category_code": None if cat is None else cat.code,
        "category_scheme": None if cat is None else cat.scheme,
    }


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


# -- queries ------------------------------------------------------------------------------


def get_chat(session: Session, chat_id: int) -> ChatRecord:
    chat = session.get(ChatRecord, chat_id)
    if chat is None:
        raise NotFoundError(f"no chat {chat_id}")
    return chat


def list_chats(
    session: Session, *, device_ref: int | str | None = None, groups_only: bool = True
) -> list[dict[str, Any]]:
    """Chats per device with their member counts, groups only unless asked otherwise."""
    members = (
        select(ChatParticipant.chat_id, func.count().label("n"))
        .group_by(ChatParticipant.chat_id)
        .subquery()
    )
    query = (
        select(ChatRecord, Device.evidence_number, func.coalesce(members.c.n, 0))
        .join(Device, Device.id == ChatRecord.device_id)
        .outerjoin(members, members.c.chat_id == ChatRecord.id)
        .order_by(ChatRecord.id)
    )
    if groups_only:
        query = query.where(ChatRecord.kind.in_(GROUP_KINDS))
    if device_ref is not None:
        query = query.where(ChatRecord.device_id == get_device(session, device_ref).id)
    return [
        {
            "id": chat.id,
            "device": evidence,
            "platform": chat.platform,
            "platform_id": chat.platform_id,
            "title": chat.title,
            "kind": chat.kind,
            "members": n,
            "messages": chat.message_count,
            "known_bad": chat.known_bad,
        }
        for chat, evidence, n in session.execute(query)
    ]


def list_members(session: Session, chat_id: int) -> list[dict[str, Any]]:
    """A chat's participants with every role and the record that proves it."""
    get_chat(session, chat_id)
    people = session.scalars(
        select(ChatParticipant)
        .where(ChatParticipant.chat_id == chat_id)
        .order_by(ChatParticipant.id)
    ).all()
    roles: dict[int, list[dict[str, Any]]] = defaultdict(list)
    role_rows = session.scalars(
        select(ChatRole)
        .where(ChatRole.participant_id.in_([p.id for p in people]))
        .order_by(ChatRole.id)
    )
    for r in role_rows:
        roles[r.participant_id].append(
            {
                "role": r.role,
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
                "evidence": r.evidence,
                "inferred": r.inferred,
            }
        )
    return [
        {
            "id": p.id,
            "key": p.key,
            "name": p.names[-1] if p.names else None,
            "contact_name": p.contact_name,
            "phone": p.phone,
            "username": p.username,
            "owner": p.is_owner,
            "messages": p.message_count,
            "known_bad_sent": p.known_bad_sent,
            "roles": roles.get(p.id, []),
        }
        for p in people
    ]


def list_messages(
    session: Session, chat_id: int, *, flagged_only: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """A chat's messages in time order, with attachments, matches and keyword hits."""
    get_chat(session, chat_id)
    query = select(ChatMessage).where(ChatMessage.chat_id == chat_id)
    if flagged_only:
        query = query.where(ChatMessage.known_bad | ChatMessage.keyword_flagged)
    query = query.order_by(ChatMessage.sent_at, ChatMessage.id)
    if limit is not None:
        query = query.limit(limit)
    messages = session.scalars(query).all()
    ids = [m.id for m in messages]
    atts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    matches: dict[int, list[dict[str, Any]]] = defaultdict(list)
    att_rows = session.scalars(
        select(ChatAttachment).where(ChatAttachment.message_id.in_(ids)).order_by(ChatAttachment.id)
    ).all()
    for hit in session.scalars(
        select(ChatMediaMatch).where(ChatMediaMatch.attachment_id.in_([a.id for a in att_rows]))
    ):
        matches[hit.attachment_id].append(
            {"hashset": hit.hash_set, "version": hit.version, "entry": hit.entry}
            | {"kind": hit.kind, "source": hit.hash_source, "distance": hit.distance}
        )
    for a in att_rows:
        atts[a.message_id].append(
            {
                "file": a.path or a.file_name,
                "included": a.included,
                "present": a.present,
                "sha256": a.sha256 or a.platform_sha256,
                "known_bad": a.known_bad,
                "matches": matches.get(a.id, []),
            }
        )
    words: dict[int, list[str]] = defaultdict(list)
    for kw in session.scalars(select(ChatKeywordHit).where(ChatKeywordHit.message_id.in_(ids))):
        words[kw.message_id].append(kw.term)
    return [
        {
            "id": m.id,
            "message": m.platform_message_id,
            "time": m.sent_at,
            "sender": m.sender_key,
            "text": m.text,
            "action": m.action,
            "reply_to": m.reply_to,
            "forwarded": m.forwarded,
            "deleted": m.deleted,
            "known_bad": m.known_bad,
            "keywords": words.get(m.id, []),
            "attachments": atts.get(m.id, []),
            "location": m.location,
        }
        for m in messages
    ]
