"""initial case schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Creates the case tables and the audit log, and preloads the 14 districts of Kerala.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

KERALA_DISTRICTS = (
    "Thiruvananthapuram",
    "Kollam",
    "Pathanamthitta",
    "Alappuzha",
    "Kottayam",
    "Idukki",
    "Ernakulam",
    "Thrissur",
    "Palakkad",
    "Malappuram",
    "Kozhikode",
    "Wayanad",
    "Kannur",
    "Kasaragod",
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_record")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_record_hash")),
    )
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.create_index("ix_audit_record_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district")),
        sa.UniqueConstraint("name", name=op.f("uq_district_name")),
    )
    op.create_table(
        "operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation")),
        sa.UniqueConstraint("name", name=op.f("uq_operation_name")),
    )
    op.create_table(
        "raid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("raided_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("team_lead", sa.String(length=200), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_raid_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operation.id"], name=op.f("fk_raid_operation_id_operation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid")),
    )
    with op.batch_alter_table("raid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raid_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_operation_id"), ["operation_id"], unique=False)

    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("station", sa.String(length=200), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("raid_id", sa.Integer(), nullable=True),
        sa.Column("statutes", sa.JSON(), nullable=False),
        sa.Column("opened_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_case_file_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operation.id"], name=op.f("fk_case_file_operation_id_operation")
        ),
        sa.ForeignKeyConstraint(["raid_id"], ["raid.id"], name=op.f("fk_case_file_raid_id_raid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("station", "number", name="uq_case_file_station_number"),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_file_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_file_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_file_raid_id"), ["raid_id"], unique=False)

    op.create_table(
        "suspect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("handles", sa.JSON(), nullable=False),
        sa.Column("arrested_at", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_suspect_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspect")),
    )
    with op.batch_alter_table("suspect", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suspect_case_id"), ["case_id"], unique=False)

    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_number", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("imei", sa.String(length=40), nullable=False),
        sa.Column("raid_id", sa.Integer(), nullable=True),
        sa.Column("suspect_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_device_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(["raid_id"], ["raid.id"], name=op.f("fk_device_raid_id_raid")),
        sa.ForeignKeyConstraint(
            ["suspect_id"], ["suspect.id"], name=op.f("fk_device_suspect_id_suspect")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("evidence_number", name=op.f("uq_device_evidence_number")),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_raid_id"), ["raid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_suspect_id"), ["suspect_id"], unique=False)

    op.create_table(
        "custody_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_custody_event_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_event")),
    )
    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custody_event_device_id"), ["device_id"], unique=False)
    district = sa.table("district", sa.column("name", sa.String), sa.column("state", sa.String))
    op.bulk_insert(district, [{"name": name, "state": "Kerala"} for name in KERALA_DISTRICTS])


def downgrade() -> None:

    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_event_device_id"))

    op.drop_table("custody_event")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_suspect_id"))
        batch_op.drop_index(batch_op.f("ix_device_raid_id"))
        batch_op.drop_index(batch_op.f("ix_device_case_id"))

    op.drop_table("device")
    with op.batch_alter_table("suspect", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspect_case_id"))

    op.drop_table("suspect")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_raid_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_operation_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_district_id"))

    op.drop_table("case_file")
    with op.batch_alter_table("raid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raid_operation_id"))
        batch_op.drop_index(batch_op.f("ix_raid_district_id"))

    op.drop_table("raid")
    op.drop_table("operation")
    op.drop_table("district")
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_record_object")

    op.drop_table("audit_record")
    op.drop_table("audit_head")
