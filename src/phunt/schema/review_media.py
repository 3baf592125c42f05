"""Models of the review pictures: cached thumbnails, each user's blur and greyscale
settings, and the unit's minimum blur (see ``phunt.review.thumb_store``).

A cached thumbnail is a derived, blurred picture of one stored file; it goes with the file
(``ON DELETE CASCADE``) and so with the case that holds it. Thumbnails never hold the
original's bytes, only a re-encoded downscale of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class ReviewThumbnail(Base):
    """One rendering of a stored file: its blur level, greyscale or not, side and format."""

    __tablename__ = "review_thumbnail"
    __table_args__ = (
        UniqueConstraint(
            "file_id", "blur", "grey", "side", "media_type", name="uq_review_thumbnail_file_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The unique constraint leads with it, so it is indexed (for the cascade and the
    #: case's delete path).
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_file.id", ondelete="CASCADE"))
    blur: Mapped[int] = mapped_column(Integer)
    grey: Mapped[bool] = mapped_column(Boolean)
    side: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewUserSetting(Base):
    """A user's own default blur level and greyscale; never below the unit's minimum."""

    __tablename__ = "review_user_setting"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    blur: Mapped[int] = mapped_column(Integer)
    grey: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewUnitSetting(Base):
    """The unit's minimum blur level, set by an admin: one row (``id`` 1) once set."""

    __tablename__ = "review_unit_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_blur: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
