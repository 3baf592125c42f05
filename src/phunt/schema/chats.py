"""Tables of parsed chats: one import per export per device, and what it held.

Rows are per device: the same WhatsApp group seen on two phones is two ``chat`` rows.
Merging people and groups across devices and cases is computed on demand from these rows
(``phunt.analysis.people``), so it is always consistent with the evidence and every link
can name the rows that justify it. Participants are keyed by the parser's id inside their
chat (``key``); messages refer to their sender by that key so they can be stored while an
export is still streaming, before every participant is known.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.ingest import EvidenceFile
from phunt.schema.types import utcnow


class ChatImport(Base):
    """One export (msgstore.db, result.json, .txt/.zip) read from one device."""

    __tablename__ = "chat_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    source_path: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(40))
    app: Mapped[str | None] = mapped_column(String(40))
    """The app that wrote the source (``whatsapp-business``), where its path says."""
    owner_phone: Mapped[str | None] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    chats: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    attachments: Mapped[int] = mapped_column(Integer, default=0)
    matched_attachments: Mapped[int] = mapped_column(Integer, default=0)
    keyword_hits: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(default=list)


class ChatRecord(Base):
    """A conversation as one device holds it; ``known_bad`` once a listed file was shared."""

    __tablename__ = "chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("chat_import.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    raw_kind: Mapped[str | None] = mapped_column(String(40))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_time: Mapped[datetime | None]
    last_time: Mapped[datetime | None]
    known_bad: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_links: Mapped[dict[str, Any] | None]
    """Group invite links named in the chat -> where first named (takedown requests)."""


class ChatParticipant(Base):
    """A person seen in one chat on one device, with the identifiers the export gave.

    ``platform_user_id`` is the platform's stable user id (Telegram ``user123``, a WhatsApp
    JID without a phone); ``is_owner`` marks the device's own account.
    """

    __tablename__ = "chat_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_raw: Mapped[str | None] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(200), index=True)
    platform_user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    names: Mapped[list[str]] = mapped_column(default=list)
    contact_name: Mapped[str | None] = mapped_column(Text)
    """What the owner's address book calls this person (WhatsApp wa.db), not their own name."""
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    known_bad_sent: Mapped[int] = mapped_column(Integer, default=0)


class ChatRole(Base):
    """A role with the record that proves it; ``inferred`` when deduced from an action."""

    __tablename__ = "chat_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("chat_participant.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    evidence: Mapped[str] = mapped_column(Text)
    inferred: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatMessage(Base):
    """A message or service event; time in UTC plus the original offset when known."""

    __tablename__ = "chat_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id"), index=True)
    platform_message_id: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[datetime]
    utc_offset_minutes: Mapped[int | None] = mapped_column(Integer)
    offset_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_key: Mapped[str | None] = mapped_column(String(200))
    sender_name: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(100))
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    forwarded_from: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(60))
    action_targets: Mapped[list[str]] = mapped_column(default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    known_bad: Mapped[bool] = mapped_column(Boolean, default=False)
    keyword_flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatAttachment(Base):
    """A file a message refers to; hashes of the bytes when present, the app's own hash."""

    __tablename__ = "chat_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("chat_message.id"), index=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id"), index=True)
    file_name: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    included: Mapped[bool] = mapped_column(Boolean)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mime: Mapped[str | None] = mapped_column(String(100))
    md5: Mapped[str | None] = mapped_column(String(32))
    sha1: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    platform_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    known_bad: Mapped[bool] = mapped_column(Boolean, default=False)
    file_id: Mapped[int | None] = mapped_column(ForeignKey(EvidenceFile.id), index=True)
    """The stored file of the same device holding the bytes (ingest ties them)."""
    file_link: Mapped[str | None] = mapped_column(String(10))
    """How it was tied: ``path`` (at the path the export names) or ``digest``."""


class ChatMediaMatch(Base):
    """An attachment found on a list; ``hash_source`` says whose hash matched.

    ``file`` is phunt's hash of bytes it read; ``platform`` is the hash the app recorded,
    which still identifies a file the phone no longer holds.
    """

    __tablename__ = "chat_media_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("chat_attachment.id"), index=True)
    hash_set: Mapped[str] = mapped_column(String(200))
    version: Mapped[int | None] = mapped_column(Integer)
    entry: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    hash_source: Mapped[str] = mapped_column(String(20))
    distance: Mapped[int] = mapped_column(Integer)
    category_code: Mapped[int | None] = mapped_column(Integer)
    category_scheme: Mapped[str | None] = mapped_column(String(40))


class ChatKeywordHit(Base):
    """A watchlist hit in a message: the rule as configured and the span it matched."""

    __tablename__ = "chat_keyword_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("chat_message.id"), index=True)
    term: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    matched: Mapped[str] = mapped_column(Text)


Index("ix_chat_participant_chat_key", ChatParticipant.chat_id, ChatParticipant.key, unique=True)
