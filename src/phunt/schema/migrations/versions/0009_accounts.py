"""accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

The web workspace's accounts: users with a role and an argon2 password hash, the cases
assigned to them, personal API tokens and browser sessions (both stored as the SHA-256 of
the secret), and failed logins, counted per account and per address to throttle guessing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC_DATETIME = phunt.schema.types.UTCDateTime


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["app_user.id"], name=op.f(f"fk_{table}_user_id_app_user")
    )


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "case_assignment",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTC_DATETIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_assignment_case_id_case_file")
        ),
        _user_fk("case_assignment"),
        sa.PrimaryKeyConstraint("user_id", "case_id", name=op.f("pk_case_assignment")),
    )
    op.create_index(op.f("ix_case_assignment_case_id"), "case_assignment", ["case_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME(), nullable=False),
        sa.Column("last_used_at", UTC_DATETIME(), nullable=True),
        _user_fk("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_token_token_sha256")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME(), nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME(), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        _user_fk("web_session"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_web_session_token_sha256")),
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("at", UTC_DATETIME(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_name_at", "login_attempt", ["name", "at"])
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])


def downgrade() -> None:
    for table in ("login_attempt", "web_session", "api_token", "case_assignment", "app_user"):
        op.drop_table(table)  # their indexes go with them
