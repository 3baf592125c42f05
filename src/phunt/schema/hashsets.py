"""Tables of governed hash sets: sets, their versions and the entries disabled in them.

The entries themselves are not rows: each version is an immutable, content-addressed set
file (:mod:`phunt.hashsets.setfile`) named by ``index_sha256``, which is what makes a list
of tens of millions importable in seconds and usable without loading it. Entry numbers are
stable across the versions of a set, so a disable (a false positive, with its reason) is a
row naming an entry number, applying in every version, and a match row's (set, version,
entry) finds the entry in that version's file: a court can ask what version 3 of a list said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
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
    next_entry: Mapped[int] = mapped_column(Integer, default=1)
    """The number the next new entry of this set gets."""


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
    file_size: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(40))
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    index_sha256: Mapped[str] = mapped_column(String(64))
    """The version's set file, named by its SHA-256."""
    index_size: Mapped[int] = mapped_column(BigInteger)
    source_path: Mapped[str | None] = mapped_column(Text)
    """The list's absolute path as imported, for ``phunt hashset rebuild`` (None: unknown)."""
    source_options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """How the list was read and numbered (format, scheme, hash kind, first entry number),
    so a rebuild reads it the same way and gets the same file."""


class HashSetDisable(Base):
    """An entry number of a set disabled as a false positive, in every version."""

    __tablename__ = "hash_set_disable"
    __table_args__ = (UniqueConstraint("hash_set_id", "entry", name="uq_hash_set_disable"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hash_set_id: Mapped[int] = mapped_column(ForeignKey("hash_set.id"))
    entry: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    disabled_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime] = mapped_column(default=utcnow)
    hashes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The entry's hashes when it was disabled, for display."""
