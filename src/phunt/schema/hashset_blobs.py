"""The bytes of set files, for databases that have no folder beside them.

A PostgreSQL database (or an in-memory SQLite one) has no folder that every lab machine
can read, so it holds each set file itself, in parts small enough for any driver to move
in one row; every machine caches the file locally (:mod:`phunt.hashsets.blobs`).
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base


class HashSetBlob(Base):
    """Part ``part`` (0, 1, ...) of the set file named by its SHA-256 (parts of
    :data:`phunt.hashsets.blobs.PART_SIZE` bytes, the last one shorter)."""

    __tablename__ = "hash_set_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
