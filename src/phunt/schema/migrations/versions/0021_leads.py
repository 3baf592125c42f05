"""leads, targets and raid plans

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

Tipline reports and the like (issue 21): the sources that send them with their column
mappings, each spreadsheet imported, the leads with their reported files and the links
between leads, the targets leads resolve to, and the raids planned on targets. Every one of
these tables is sealed (``phunt.audit.rows.SEALED_TABLES``) as its rows are written; they
are new, so there is nothing written before to seal. Additive: new tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = (
    "raid_plan",
    "lead_target",
    "lead_link",
    "lead_file",
    "target",
    "lead",
    "lead_import",
    "lead_source",
)


def upgrade() -> None:
    op.create_table(
        "lead_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_source")),
        sa.UniqueConstraint("name", name=op.f("uq_lead_source_name")),
    )
    op.create_table(
        "lead_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("new_leads", sa.Integer(), nullable=False),
        sa.Column("known_leads", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["lead_source.id"], name=op.f("fk_lead_import_source_id_lead_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_import")),
    )
    op.create_index(
        op.f("ix_lead_import_file_sha256"), "lead_import", ["file_sha256"], unique=False
    )
    op.create_index(op.f("ix_lead_import_source_id"), "lead_import", ["source_id"], unique=False)
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("incident_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("incident_zone", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=100), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("account_key", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_raw", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("isp", sa.String(length=200), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("sheet_row", sa.Integer(), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_lead_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["lead_import.id"], name=op.f("fk_lead_import_id_lead_import")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["lead_source.id"], name=op.f("fk_lead_source_id_lead_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("source_id", "report_id", name="uq_lead_source_report"),
    )
    op.create_index(op.f("ix_lead_account_key"), "lead", ["account_key"], unique=False)
    op.create_index(op.f("ix_lead_case_id"), "lead", ["case_id"], unique=False)
    op.create_index(op.f("ix_lead_email"), "lead", ["email"], unique=False)
    op.create_index(op.f("ix_lead_import_id"), "lead", ["import_id"], unique=False)
    op.create_index(op.f("ix_lead_phone"), "lead", ["phone"], unique=False)
    op.create_index(op.f("ix_lead_source_id"), "lead", ["source_id"], unique=False)
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("subscriber_details", sa.Text(), nullable=False),
        sa.Column("subscriber_source", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_target_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_target_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
    )
    op.create_index(op.f("ix_target_case_id"), "target", ["case_id"], unique=False)
    op.create_index(op.f("ix_target_district_id"), "target", ["district_id"], unique=False)
    op.create_table(
        "lead_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_file_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_file")),
    )
    op.create_index(op.f("ix_lead_file_lead_id"), "lead_file", ["lead_id"], unique=False)
    op.create_index(op.f("ix_lead_file_md5"), "lead_file", ["md5"], unique=False)
    op.create_index(op.f("ix_lead_file_sha1"), "lead_file", ["sha1"], unique=False)
    op.create_table(
        "lead_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_a", sa.Integer(), nullable=False),
        sa.Column("lead_b", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["lead_a"], ["lead.id"], name=op.f("fk_lead_link_lead_a_lead")),
        sa.ForeignKeyConstraint(["lead_b"], ["lead.id"], name=op.f("fk_lead_link_lead_b_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_link")),
        sa.UniqueConstraint("lead_a", "lead_b", "reason", "value", name="uq_lead_link"),
    )
    op.create_index(op.f("ix_lead_link_lead_a"), "lead_link", ["lead_a"], unique=False)
    op.create_index(op.f("ix_lead_link_lead_b"), "lead_link", ["lead_b"], unique=False)
    op.create_table(
        "lead_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("resolved_by", sa.String(length=200), nullable=False),
        sa.Column("resolved_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_target_lead_id_lead")),
        sa.ForeignKeyConstraint(
            ["target_id"], ["target.id"], name=op.f("fk_lead_target_target_id_target")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_target")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_lead_target_lead_id")),
    )
    op.create_index(op.f("ix_lead_target_target_id"), "lead_target", ["target_id"], unique=False)
    op.create_table(
        "raid_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("team_lead", sa.String(length=200), nullable=False),
        sa.Column("planned_for", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("raid_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("created_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_raid_plan_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_raid_plan_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operation.id"], name=op.f("fk_raid_plan_operation_id_operation")
        ),
        sa.ForeignKeyConstraint(["raid_id"], ["raid.id"], name=op.f("fk_raid_plan_raid_id_raid")),
        sa.ForeignKeyConstraint(
            ["target_id"], ["target.id"], name=op.f("fk_raid_plan_target_id_target")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_plan")),
    )
    op.create_index(op.f("ix_raid_plan_case_id"), "raid_plan", ["case_id"], unique=False)
    op.create_index(op.f("ix_raid_plan_district_id"), "raid_plan", ["district_id"], unique=False)
    op.create_index(op.f("ix_raid_plan_operation_id"), "raid_plan", ["operation_id"], unique=False)
    op.create_index(op.f("ix_raid_plan_raid_id"), "raid_plan", ["raid_id"], unique=False)
    op.create_index(op.f("ix_raid_plan_target_id"), "raid_plan", ["target_id"], unique=False)


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)  # their indexes go with them
