"""attachments tied to stored files

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

An attachment of an imported chat names the stored file of the same device that holds its
bytes (``file_id``) and how it was tied to it (``file_link``: at its path, or by digest).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("file_link", sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f("ix_chat_attachment_file_id"), ["file_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_chat_attachment_file_id_evidence_file"),
            "evidence_file",
            ["file_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chat_attachment_file_id_evidence_file"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_chat_attachment_file_id"))
        batch_op.drop_column("file_link")
        batch_op.drop_column("file_id")
