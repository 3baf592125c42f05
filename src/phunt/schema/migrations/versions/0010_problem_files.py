"""problem files indexed apart

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A device page lists the device's problem files (an error or a warning) with their count.
Measured on a database the size of the seed's operation (bench/results/web.md), finding the
127 problem files among the 25,000 files of the largest device read all 25,000 (20 ms each
for the list and the count on PostgreSQL; 205 ms for the list when it still walked the
files by device). A partial index holds the problem files only, in their order within
their job (the device's files are found by its jobs). PostgreSQL cannot estimate how many
files the test on the warnings' JSON text keeps (it guesses nearly all, and then reads the
device's files instead); statistics on that expression (PostgreSQL 14 and later) give it
the real share.
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
    dialect = op.get_bind().dialect
    version = dialect.server_version_info or ()
    return dialect.name == "postgresql" and version >= (14,)


def upgrade() -> None:
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_file_problem",
            ["job_id", "seq"],
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
