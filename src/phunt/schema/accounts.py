"""Models of the web workspace's accounts: users, their cases, API tokens, sessions and
failed logins (see ``phunt.accounts``).

Secrets are never stored: passwords as argon2 hashes, API tokens and session cookies as
their SHA-256, so a copy of the database lets no one sign in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from phunt.schema.base import Base
from phunt.schema.types import utcnow


class User(Base):
    """A person who signs in to the web workspace; ``role`` is one of ``accounts.ROLES``."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseAssignment(Base):
    """A case an investigator or analyst may see (supervisors, admins, auditors see all)."""

    __tablename__ = "case_assignment"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A personal API token, known only by its SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: its cookie known only by its SHA-256, and its CSRF token."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(String(100))


class LoginAttempt(Base):
    """A failed login, kept for the throttling window: counted per name and per address."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_login_attempt_name_at", LoginAttempt.name, LoginAttempt.at)
Index("ix_login_attempt_address_at", LoginAttempt.address, LoginAttempt.at)
