"""The chats store: import a parsed export from a device into the case database, then query it.

An import streams messages from the parser into the database in batches (bounded memory
for exports of millions of messages), matches every attachment's hashes against the hash
sets in use (the same engine and the same rules as any file on a device), applies an
optional keyword watchlist, and stores the flags: a listed file flags its attachment, its
message, its sender and its chat. The whole import is one audit record, in the same
transaction, naming the export's SHA-256 and what it held. The writer and the queries
live in :mod:`~phunt.chats.store_writer` and :mod:`~phunt.chats.store_queries`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.seal import seal_where
from phunt.cases.devices import get_device
from phunt.chats.model import GROUP_KINDS
from phunt.chats.source import ChatInput
from phunt.chats.store_queries import get_chat, list_chats, list_members, list_messages
from phunt.chats.store_writer import Writer
from phunt.errors import AlreadyImported, UsageError, WrongFormat
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
    from phunt.chats.store_writer import MediaLinker

__all__ = [
    "GROUP_KINDS",
    "ImportSummary",
    "chat_input",
    "get_chat",
    "import_chat",
    "import_export",
    "list_chats",
    "list_members",
    "list_messages",
]


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
    writer = Writer(session, watchlist, loaded, media)
    with session.begin_nested():  # a damaged export leaves nothing behind in the caller's work
        return _import(session, chat, device, digest, owner, writer, fmt, tz)


def _import(
    session: Session,
    chat: ChatInput,
    device: Device,
    digest: str,
    owner: str | None,
    writer: Writer,
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
