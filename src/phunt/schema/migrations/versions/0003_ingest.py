"""ingest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Ingest jobs, the files they found (with times, hashes, type, PDQ, EXIF) and their matches.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "ingest_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=40), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("source_size", sa.BigInteger(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("verification", sa.JSON(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("matched_files", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_ingest_job_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_job")),
    )
    with op.batch_alter_table("ingest_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_job_device_id"), ["device_id"], unique=False)

    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("modified", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("accessed", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("changed", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("created", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("mime", sa.String(length=100), nullable=True),
        sa.Column("extension_mismatch", sa.Boolean(), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("pdq_mode", sa.String(length=10), nullable=True),
        sa.Column("exif", sa.JSON(), nullable=False),
        sa.Column("known_good", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("vpdq", sa.Text(), nullable=True),
        sa.Column("video", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_evidence_file_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["ingest_job.id"], name=op.f("fk_evidence_file_job_id_ingest_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
        sa.UniqueConstraint("job_id", "seq", name="uq_evidence_file_job_seq"),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_device_id"), ["device_id"], unique=False)
        batch_op.create_index("ix_evidence_file_md5", ["md5"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_sha1"), ["sha1"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_sha256"), ["sha256"], unique=False)

    op.create_table(
        "file_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("hash_set", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(length=40), nullable=True),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["evidence_file.id"], name=op.f("fk_file_match_file_id_evidence_file")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["ingest_job.id"], name=op.f("fk_file_match_job_id_ingest_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_match")),
    )
    with op.batch_alter_table("file_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_match_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_match_job_id"), ["job_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("file_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_match_job_id"))
        batch_op.drop_index(batch_op.f("ix_file_match_file_id"))

    op.drop_table("file_match")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_file_sha1"))
        batch_op.drop_index("ix_evidence_file_md5")
        batch_op.drop_index(batch_op.f("ix_evidence_file_device_id"))

    op.drop_table("evidence_file")
    with op.batch_alter_table("ingest_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_job_device_id"))

    op.drop_table("ingest_job")
