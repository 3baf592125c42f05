"""Models of review: an examiner's decision on a stored file, and the unit's settings.

A decision is never edited: a change is a new row naming the one it replaces
(``previous_id``), and the replaced row names its successor (``superseded_by_id``), so a
file's current decision is the one not superseded and its whole history stays readable.
A decision applied to a near copy names the decision it came from (``propagated_from_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class ReviewDecision(Base):
    """A category (with its scheme), a unit label, or both, on one stored file."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_file.id"))
    category_code: Mapped[int | None] = mapped_column(Integer)
    category_scheme: Mapped[str | None] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(100))
    """One of the unit's own labels, beside or instead of a category."""
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("review_decision.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("review_decision.id"))
    propagated_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_decision.id"), index=True
    )


class ReviewSetting(Base):
    """A unit-wide review setting chosen by an admin (``local_set``: the local set's name)."""

    __tablename__ = "review_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_review_decision_file_current", ReviewDecision.file_id, ReviewDecision.superseded_by_id)
