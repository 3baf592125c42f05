"""Tables of governed hash sets: sets, their versions, entries and hash values.

An entry lives from the version that first listed it (``first_version``) until the version
that dropped it (``removed_version``, exclusive), so every version stays reconstructable
without copying unchanged entries: a court can ask what version 3 of a list said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow

HASHSET_KINDS = ("known-bad", "known-good", "alert")


class HashSet(Base):
    __tablename__ = "hash_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_agency: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HashSetVersion(Base):
    __tablename__ = "hash_set_version"
    __table_args__ = (UniqueConstraint("hash_set_id", "version", name="uq_hash_set_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hash_set_id: Mapped[int] = mapped_column(ForeignKey("hash_set.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(40))
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)


class HashSetEntry(Base):
    __tablename__ = "hash_set_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    hash_set_id: Mapped[int] = mapped_column(ForeignKey("hash_set.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_version: Mapped[int] = mapped_column(Integer)
    removed_version: Mapped[int | None] = mapped_column(Integer)
    record: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[int | None] = mapped_column(Integer)
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_by: Mapped[str | None] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None]


class HashValue(Base):
    """One hash of an entry; ``lookup`` is the value itself, or its SHA-256 when long."""

    __tablename__ = "hash_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_set_entry.id"), index=True)
    hash_set_id: Mapped[int] = mapped_column(ForeignKey("hash_set.id"))
    kind: Mapped[str] = mapped_column(String(40))
    lookup: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)


class HashSetStaging(Base):
    """Rows of an import in progress, diffed against the live entries in SQL."""

    __tablename__ = "hash_set_staging"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_key: Mapped[str] = mapped_column(String(32), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    record: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[int | None] = mapped_column(Integer)
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    hashes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


Index("ix_hash_set_entry_set_fp", HashSetEntry.hash_set_id, HashSetEntry.fingerprint)
Index("ix_hash_set_entry_live", HashSetEntry.hash_set_id, HashSetEntry.removed_version)
Index("ix_hash_value_lookup", HashValue.kind, HashValue.lookup)
Index("ix_hash_set_staging_fp", HashSetStaging.import_key, HashSetStaging.fingerprint)
