"""review

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

Review decisions on stored files (every change kept: a change is a new row naming the one
it replaces; a propagated decision names its source), and the unit's review settings
(the name of its local known-bad set).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_DATETIME = phunt.schema.types.UTCDateTime


def _self_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["review_decision.id"], name=op.f(f"fk_review_decision_{column}_review_decision")
    )


def upgrade() -> None:
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", UTC_DATETIME(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("propagated_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"], ["evidence_file.id"], name=op.f("fk_review_decision_file_id_evidence_file")
        ),
        _self_fk("previous_id"),
        _self_fk("superseded_by_id"),
        _self_fk("propagated_from_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    op.create_index(
        op.f("ix_review_decision_propagated_from_id"), "review_decision", ["propagated_from_id"]
    )
    op.create_index(
        "ix_review_decision_file_current", "review_decision", ["file_id", "superseded_by_id"]
    )
    op.create_table(
        "review_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", UTC_DATETIME(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_review_setting")),
    )


def downgrade() -> None:
    op.drop_table("review_setting")
    op.drop_table("review_decision")
