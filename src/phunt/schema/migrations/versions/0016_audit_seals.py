"""audit seals and checkpoints

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07

Every row that matters is sealed by the audit record that wrote it: ``audit_seal`` holds
one content hash per sealed row and record, ``audit_record.sealed_rows`` their count and
Merkle root (which the record's hash covers when present), and ``audit_checkpoint`` the
signed checkpoints ``phunt audit anchor`` wrote.

A database that already holds a log gets one ``audit.seal_existing`` record sealing every
row as this migration finds it: what was done to a row before it cannot be shown any more,
what is done after it can. The tables are read as they stand (reflected), so a later
migration's columns do not matter here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC_DATETIME = phunt.schema.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("audit_record") as batch_op:
        batch_op.add_column(sa.Column("sealed_rows", sa.JSON(), nullable=True))
    op.create_table(
        "audit_seal",
        sa.Column("audit_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("audit_seq", "table_name", "row_id", name=op.f("pk_audit_seal")),
    )
    op.create_index(
        "ix_audit_seal_row", "audit_seal", ["table_name", "row_id", "audit_seq"], unique=False
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("at", UTC_DATETIME(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    _seal_existing(op.get_bind())


def _seal_existing(conn: sa.Connection) -> None:
    from sqlalchemy.orm import Session

    from phunt.audit import store as audit
    from phunt.audit.rows import SEALED_TABLES
    from phunt.audit.seal import seal_where

    if not conn.execute(sa.text("SELECT COUNT(*) FROM audit_record")).scalar():
        return  # a new database: its rows are sealed as they are written
    meta = sa.MetaData()
    present = set(sa.inspect(conn).get_table_names())  # tables of later migrations: not yet
    with Session(bind=conn) as session:  # joins the migration's transaction
        for name in (name for name in SEALED_TABLES if name in present):
            seal_where(session, sa.Table(name, meta, autoload_with=conn))
        details = {"note": "every row as migration 0016 found it"}
        audit.append(session, "audit.seal_existing", "audit", "0016", details, actor="migration")


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_index("ix_audit_seal_row", table_name="audit_seal")
    op.drop_table("audit_seal")
    with op.batch_alter_table("audit_record") as batch_op:
        batch_op.drop_column("sealed_rows")
