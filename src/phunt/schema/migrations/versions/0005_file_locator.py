"""file locator and extra digests

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Each stored file keeps its locator (the evidence path and the container hops down to
it, as JSON) so later steps reopen it without walking the source, and a JSON column for
digest kinds beyond MD5, SHA-1 and SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_file") as batch:
        batch.add_column(sa.Column("locator", sa.Text(), nullable=True))
        batch.add_column(sa.Column("digests", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_file") as batch:
        batch.drop_column("digests")
        batch.drop_column("locator")
