"""device lock

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

One row per device while an ingest writes it: who holds it (host, pid, the boot and start
time of that pid, since), for which job, and a token so that a holder releases only its
own row. The primary key makes a second ingest's insert fail, which decides a race on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_lock",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=80), nullable=True),
        sa.Column("since", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_device_lock_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["ingest_job.id"], name=op.f("fk_device_lock_job_id_ingest_job")
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_lock")),
    )


def downgrade() -> None:
    op.drop_table("device_lock")
