"""review media

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

The review queue's pictures: a cache of blurred thumbnails of stored files (deleted with
the file, and so with its case), each user's default blur and greyscale, and the unit's
minimum blur level set by an admin.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_DATETIME = phunt.schema.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "review_thumbnail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("blur", sa.Integer(), nullable=False),
        sa.Column("grey", sa.Boolean(), nullable=False),
        sa.Column("side", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC_DATETIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["evidence_file.id"],
            name=op.f("fk_review_thumbnail_file_id_evidence_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_thumbnail")),
        sa.UniqueConstraint(
            "file_id",
            "blur",
            "grey",
            "side",
            "media_type",
            name=op.f("uq_review_thumbnail_file_id"),
        ),
    )
    op.create_table(
        "review_user_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("blur", sa.Integer(), nullable=False),
        sa.Column("grey", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_review_user_setting_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_review_user_setting")),
    )
    op.create_table(
        "review_unit_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("min_blur", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", UTC_DATETIME(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_unit_setting")),
    )


def downgrade() -> None:
    for table in ("review_unit_setting", "review_user_setting", "review_thumbnail"):
        op.drop_table(table)  # their indexes go with them
