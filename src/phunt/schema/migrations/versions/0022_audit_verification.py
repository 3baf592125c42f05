"""audit verifications

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

``audit_verification`` keeps each completed verification of the audit chain (who, when,
how far it reached, full or chain only, the verdict), so the web page shows the last one
and walks only the records written since, instead of the whole chain on every view.
Additive: one new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("first_bad", sa.Integer(), nullable=True),
        sa.Column("problem", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verification")),
    )


def downgrade() -> None:
    op.drop_table("audit_verification")
