"""Models of the hash-chained audit log (see ``phunt.audit``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base


class AuditRecord(Base):
    """One entry of the hash-chained audit log (see ``phunt.audit.store``)."""

    __tablename__ = "audit_record"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The count and Merkle root of the rows this record seals (``audit_seal``), or None.
    sealed_rows: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The newest audit record's number and hash: catches deletion of the chain's tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_audit_record_object", AuditRecord.object_type, AuditRecord.object_id)


class AuditSeal(Base):
    """A row's content hash as the audit record that wrote it sealed it.

    The record carries the count and Merkle root of its seals (``sealed_rows``), so a seal
    cannot be changed without breaking the chain; a row's latest seal is what the row must
    still hash to (``phunt.audit.rows``). ``leaf`` is ``-`` for a row deleted by an
    audited action.
    """

    __tablename__ = "audit_seal"

    audit_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed checkpoint written by ``phunt audit anchor``: the newest is what reports
    show. The copy that counts is the file kept outside the database."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))


Index("ix_audit_seal_row", AuditSeal.table_name, AuditSeal.row_id, AuditSeal.audit_seq)


class AuditVerification(Base):
    """One completed verification of the chain: who ran it, when, how far it reached
    (``records``, the head then and its ``hash``), whether it was the full check
    (``phunt audit verify``: chain, seals and sealed rows) and its verdict. The web page
    starts from the newest one instead of walking the whole chain again."""

    __tablename__ = "audit_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    records: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    full: Mapped[bool]
    ok: Mapped[bool]
    first_bad: Mapped[int | None] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
