"""a device's files in order, and its problem files apart

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

The web workspace lists a device's files a page at a time in their stored order, and its
problem files (an error or a warning) with their count. Measured on a database the size
of the seed's operation (bench/results/web.md), PostgreSQL answered the first page of the
largest device's files by walking the (job, seq) index over every other device's files
(76 ms of 117 ms), and read all 25,000 files of the device to find its 127 problem files
(205 ms on the first page, 20 ms each count). So the index on the device alone becomes
one on (device, job, seq), which still serves every look-up by device, and a partial
index holds the problem files only. PostgreSQL cannot estimate how many files the JSON
test keeps (it guesses nearly all, and then prefers the device index); statistics on that
expression (PostgreSQL 14 and later) give it the real share.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The problem files, written as phunt.ingest.browse asks for them.
PROBLEM = "error IS NOT NULL OR CAST(warnings AS TEXT) != '[]'"
STATISTICS = "st_evidence_file_warnings_text"


def _has_expression_statistics() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,)


def upgrade() -> None:
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_device_id")
        batch_op.create_index("ix_evidence_file_device_order", ["device_id", "job_id", "seq"])
        batch_op.create_index(
            "ix_evidence_file_problem",
            ["device_id", "job_id", "seq"],
            postgresql_where=sa.text(PROBLEM),
            sqlite_where=sa.text(PROBLEM),
        )
    if _has_expression_statistics():
        op.execute(f"CREATE STATISTICS {STATISTICS} ON (CAST(warnings AS TEXT)) FROM evidence_file")
        op.execute("ANALYZE evidence_file")


def downgrade() -> None:
    if _has_expression_statistics():
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_problem")
        batch_op.drop_index("ix_evidence_file_device_order")
        batch_op.create_index("ix_evidence_file_device_id", ["device_id"], unique=False)
