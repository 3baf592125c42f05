"""hash sets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Governed hash sets: sets, versions, entries with their life span, hash values, staging.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "hash_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_agency", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set")),
        sa.UniqueConstraint("name", name=op.f("uq_hash_set_name")),
    )
    op.create_table(
        "hash_set_staging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_key", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_staging")),
    )
    with op.batch_alter_table("hash_set_staging", schema=None) as batch_op:
        batch_op.create_index("ix_hash_set_staging_fp", ["import_key", "fingerprint"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hash_set_staging_import_key"), ["import_key"], unique=False
        )

    op.create_table(
        "hash_set_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("removed_version", sa.Integer(), nullable=True),
        sa.Column("record", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_by", sa.String(length=200), nullable=True),
        sa.Column("disabled_at", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_set_entry_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_entry")),
    )
    with op.batch_alter_table("hash_set_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hash_set_entry_live", ["hash_set_id", "removed_version"], unique=False
        )
        batch_op.create_index(
            "ix_hash_set_entry_set_fp", ["hash_set_id", "fingerprint"], unique=False
        )

    op.create_table(
        "hash_set_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_set_version_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_set_version")),
        sa.UniqueConstraint("hash_set_id", "version", name="uq_hash_set_version"),
    )
    with op.batch_alter_table("hash_set_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hash_set_version_hash_set_id"), ["hash_set_id"], unique=False
        )

    op.create_table(
        "hash_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("hash_set_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lookup", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["hash_set_entry.id"], name=op.f("fk_hash_value_entry_id_hash_set_entry")
        ),
        sa.ForeignKeyConstraint(
            ["hash_set_id"], ["hash_set.id"], name=op.f("fk_hash_value_hash_set_id_hash_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_value")),
    )
    with op.batch_alter_table("hash_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_value_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_hash_value_lookup", ["kind", "lookup"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("hash_value", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_value_lookup")
        batch_op.drop_index(batch_op.f("ix_hash_value_entry_id"))

    op.drop_table("hash_value")
    with op.batch_alter_table("hash_set_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_set_version_hash_set_id"))

    op.drop_table("hash_set_version")
    with op.batch_alter_table("hash_set_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_set_entry_set_fp")
        batch_op.drop_index("ix_hash_set_entry_live")

    op.drop_table("hash_set_entry")
    with op.batch_alter_table("hash_set_staging", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_set_staging_import_key"))
        batch_op.drop_index("ix_hash_set_staging_fp")

    op.drop_table("hash_set_staging")
    op.drop_table("hash_set")
