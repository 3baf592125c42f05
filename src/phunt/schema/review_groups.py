"""Models of the review queue's near-duplicate pairs (see ``phunt.review.groups``).

A pair is two stored files the queue shows as one item: pictures within the PDQ
threshold, or videos that match under vPDQ's rule. Pairs go with either file
(``ON DELETE CASCADE``), and so with the case that holds it. Each device's row in
``review_grouped`` says up to which file its pairs are stored, so an ingest adds only
its own files' pairs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class ReviewNearPair(Base):
    """Two near-duplicate files, the smaller id first, on the smaller one's device."""

    __tablename__ = "review_near_pair"

    file_a: Mapped[int] = mapped_column(
        ForeignKey("evidence_file.id", ondelete="CASCADE"), primary_key=True
    )
    file_b: Mapped[int] = mapped_column(
        ForeignKey("evidence_file.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: A queue reads the pairs of its devices: both files are in it, so ``file_a`` is too.
    device_a: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    """``pdq`` (pictures) or ``vpdq`` (videos)."""
    distance: Mapped[int | None] = mapped_column(Integer)
    """The PDQ Hamming distance of two pictures; None for videos."""


class ReviewGrouped(Base):
    """How far a device's pairs are stored: its newest file compared with every other,
    and the device's ingest stamp (jobs, newest job, files) at the time."""

    __tablename__ = "review_grouped"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    last_file_id: Mapped[int] = mapped_column(Integer)
    stamp: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
