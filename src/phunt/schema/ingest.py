"""Tables of ingest: one job per source per device, every file found, every match.

Files are stored in the order the source lists them (``seq``); a job killed mid-way is
resumed by skipping the sequence numbers already stored, so nothing is lost or doubled.
One ingest at a time writes a device: it holds the device's row in ``device_lock``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class IngestJob(Base):
    __tablename__ = "ingest_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    source_path: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(40))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_size: Mapped[int | None] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    verification: Mapped[dict[str, Any]] = mapped_column(default=dict)
    files: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    matched_files: Mapped[int] = mapped_column(Integer, default=0)


class EvidenceFile(Base):
    __tablename__ = "evidence_file"
    __table_args__ = (UniqueConstraint("job_id", "seq", name="uq_evidence_file_job_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("ingest_job.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    modified: Mapped[datetime | None]
    accessed: Mapped[datetime | None]
    changed: Mapped[datetime | None]
    created: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    md5: Mapped[str | None] = mapped_column(String(32))
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    mime: Mapped[str | None] = mapped_column(String(100))
    extension_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    app: Mapped[str | None] = mapped_column(String(40))
    pdq: Mapped[str | None] = mapped_column(String(64))
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    pdq_mode: Mapped[str | None] = mapped_column(String(10))
    exif: Mapped[dict[str, Any]] = mapped_column(default=dict)
    known_good: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    vpdq: Mapped[str | None] = mapped_column(Text)
    video: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Where the file is, as :meth:`phunt.sources.locator.Locator.to_json` wrote it: later
    #: steps reopen the file from it without walking the source again.
    locator: Mapped[str | None] = mapped_column(Text)
    #: Digests beyond md5/sha1/sha256, keyed by kind.
    digests: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class FileMatch(Base):
    """A file found on a list, with everything a court asks about the match."""

    __tablename__ = "file_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_file.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("ingest_job.id"), index=True)
    hash_set: Mapped[str] = mapped_column(String(200))
    version: Mapped[int | None] = mapped_column(Integer)
    entry: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    distance: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str | None] = mapped_column(String(40))
    category_code: Mapped[int | None] = mapped_column(Integer)
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DeviceLock(Base):
    """The ingest writing a device now: one row per device, so the primary key decides
    a race between two ingests on SQLite and PostgreSQL alike. ``host`` and ``pid`` name
    the holder (a dead pid on the same host is a stale lock); ``token`` lets a holder
    release only its own row, never one that replaced it."""

    __tablename__ = "device_lock"

    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    #: Boot id and start time of the pid (Linux), so a reused pid is not the holder.
    process: Mapped[str | None] = mapped_column(String(80))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_job.id"))
    token: Mapped[str] = mapped_column(String(32))


Index("ix_evidence_file_md5", EvidenceFile.md5)
#: The problem files (an error or a warning) apart, in their order within their job, so a
#: device page finds its few problem files without reading all of its files (migration
#: 0010 says what was measured).
PROBLEM_FILE = text("error IS NOT NULL OR CAST(warnings AS TEXT) != '[]'")
Index(
    "ix_evidence_file_problem",
    EvidenceFile.job_id,
    EvidenceFile.seq,
    postgresql_where=PROBLEM_FILE,
    sqlite_where=PROBLEM_FILE,
)
