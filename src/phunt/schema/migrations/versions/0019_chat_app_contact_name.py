"""chat app and contact names

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

Which app wrote a chat source (``whatsapp-business`` for a ``com.whatsapp.w4b`` database)
on the import, and what the device owner's address book calls each participant (WhatsApp
``wa.db``), kept apart from the names people gave themselves (issue 19, deliver 5 and 6).
Additive: two nullable columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
# This branch starts from chats-text, which holds 0018 (the integrator re-chains in order).
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_import") as batch:
        batch.add_column(sa.Column("app", sa.String(40), nullable=True))
    with op.batch_alter_table("chat_participant") as batch:
        batch.add_column(sa.Column("contact_name", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_participant") as batch:
        batch.drop_column("contact_name")
    with op.batch_alter_table("chat_import") as batch:
        batch.drop_column("app")
