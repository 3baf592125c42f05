"""A user's particulars as an expert signs them (Part B of the section 63 certificate).

Kept beside ``app_user`` rather than in it: a certificate needs them, signing in does not,
and an empty field is printed blank on the certificate for the expert to complete by hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class UserProfile(Base):
    """What the Schedule's Part B asks of the expert; '' means not given."""

    __tablename__ = "user_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(String(200), default="")
    relative: Mapped[str] = mapped_column(String(200), default="")
    """The name after "son/daughter/spouse of"."""
    designation: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    """Where the expert resides or is employed."""
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    """Where the expert signs certificates (the form's "Place")."""
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
