"""review groups

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07

The review queue's near-duplicate pairs, stored as files are ingested instead of worked
out at the queue's first request, and how far each device's pairs are stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

UTC_DATETIME = phunt.schema.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "review_near_pair",
        sa.Column("file_a", sa.Integer(), nullable=False),
        sa.Column("file_b", sa.Integer(), nullable=False),
        sa.Column("device_a", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_a"],
            ["evidence_file.id"],
            name=op.f("fk_review_near_pair_file_a_evidence_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_b"],
            ["evidence_file.id"],
            name=op.f("fk_review_near_pair_file_b_evidence_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_a"],
            ["device.id"],
            name=op.f("fk_review_near_pair_device_a_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_a", "file_b", name=op.f("pk_review_near_pair")),
    )
    op.create_index(op.f("ix_review_near_pair_file_b"), "review_near_pair", ["file_b"])
    op.create_index(op.f("ix_review_near_pair_device_a"), "review_near_pair", ["device_a"])
    op.create_table(
        "review_grouped",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("last_file_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=80), nullable=False),
        sa.Column("updated_at", UTC_DATETIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_review_grouped_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_review_grouped")),
    )


def downgrade() -> None:
    for table in ("review_grouped", "review_near_pair"):
        op.drop_table(table)  # their indexes go with them
