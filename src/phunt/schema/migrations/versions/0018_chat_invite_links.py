"""chat invite links

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-07

Group invite links named in a chat (WhatsApp chat.whatsapp.com, Telegram t.me/+ links),
each with the message or line that first named it, kept on the chat row because a
takedown request to the platform needs them (issue 19, deliver 7). Additive: one nullable
JSON column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat") as batch:
        batch.add_column(sa.Column("invite_links", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat") as batch:
        batch.drop_column("invite_links")
