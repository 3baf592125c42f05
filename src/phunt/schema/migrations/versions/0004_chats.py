"""chats

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Parsed chats per device import: chats, participants with evidenced roles, messages,
attachments with their hash-set matches, and keyword-watchlist hits.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import phunt.schema.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("owner_phone", sa.String(length=20), nullable=True),
        sa.Column("imported_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("chats", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("attachments", sa.Integer(), nullable=False),
        sa.Column("matched_attachments", sa.Integer(), nullable=False),
        sa.Column("keyword_hits", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_chat_import_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_import")),
    )
    with op.batch_alter_table("chat_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_import_device_id"), ["device_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chat_import_source_sha256"), ["source_sha256"], unique=False
        )

    op.create_table(
        "chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("platform_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("raw_kind", sa.String(length=40), nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("first_time", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("last_time", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("known_bad", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_chat_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["chat_import.id"], name=op.f("fk_chat_import_id_chat_import")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat")),
    )
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("platform_message_id", sa.String(length=100), nullable=False),
        sa.Column("sent_at", phunt.schema.types.UTCDateTime(), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=True),
        sa.Column("offset_assumed", sa.Boolean(), nullable=False),
        sa.Column("sender_key", sa.String(length=200), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.String(length=100), nullable=True),
        sa.Column("forwarded", sa.Boolean(), nullable=False),
        sa.Column("forwarded_from", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=True),
        sa.Column("action_targets", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("known_bad", sa.Boolean(), nullable=False),
        sa.Column("keyword_flagged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chat.id"], name=op.f("fk_chat_message_chat_id_chat")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
    )
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_message_chat_id"), ["chat_id"], unique=False)

    op.create_table(
        "chat_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("phone_raw", sa.String(length=200), nullable=True),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("platform_user_id", sa.String(length=200), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("is_owner", sa.Boolean(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("known_bad_sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chat.id"], name=op.f("fk_chat_participant_chat_id_chat")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_chat_participant_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_participant")),
    )
    with op.batch_alter_table("chat_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_participant_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index("ix_chat_participant_chat_key", ["chat_id", "key"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_chat_participant_device_id"), ["device_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chat_participant_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chat_participant_platform_user_id"), ["platform_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chat_participant_username"), ["username"], unique=False
        )

    op.create_table(
        "chat_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mime", sa.String(length=100), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("platform_sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("known_bad", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chat.id"], name=op.f("fk_chat_attachment_chat_id_chat")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["chat_message.id"],
            name=op.f("fk_chat_attachment_message_id_chat_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_attachment")),
    )
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_attachment_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chat_attachment_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chat_attachment_platform_sha256"), ["platform_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chat_attachment_sha256"), ["sha256"], unique=False)

    op.create_table(
        "chat_keyword_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["chat_message.id"],
            name=op.f("fk_chat_keyword_hit_message_id_chat_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_keyword_hit")),
    )
    with op.batch_alter_table("chat_keyword_hit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_keyword_hit_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "chat_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("first_seen", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("last_seen", phunt.schema.types.UTCDateTime(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["chat_participant.id"],
            name=op.f("fk_chat_role_participant_id_chat_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_role")),
    )
    with op.batch_alter_table("chat_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_role_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "chat_media_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("hash_set", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("hash_source", sa.String(length=20), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.Integer(), nullable=True),
        sa.Column("category_scheme", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["chat_attachment.id"],
            name=op.f("fk_chat_media_match_attachment_id_chat_attachment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_media_match")),
    )
    with op.batch_alter_table("chat_media_match", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_media_match_attachment_id"), ["attachment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_media_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_media_match_attachment_id"))

    op.drop_table("chat_media_match")
    with op.batch_alter_table("chat_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_role_participant_id"))

    op.drop_table("chat_role")
    with op.batch_alter_table("chat_keyword_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_keyword_hit_message_id"))

    op.drop_table("chat_keyword_hit")
    with op.batch_alter_table("chat_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_chat_attachment_platform_sha256"))
        batch_op.drop_index(batch_op.f("ix_chat_attachment_message_id"))
        batch_op.drop_index(batch_op.f("ix_chat_attachment_chat_id"))

    op.drop_table("chat_attachment")
    with op.batch_alter_table("chat_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_participant_username"))
        batch_op.drop_index(batch_op.f("ix_chat_participant_platform_user_id"))
        batch_op.drop_index(batch_op.f("ix_chat_participant_phone"))
        batch_op.drop_index(batch_op.f("ix_chat_participant_device_id"))
        batch_op.drop_index("ix_chat_participant_chat_key")
        batch_op.drop_index(batch_op.f("ix_chat_participant_chat_id"))

    op.drop_table("chat_participant")
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_message_chat_id"))

    op.drop_table("chat_message")
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_platform_id"))
        batch_op.drop_index(batch_op.f("ix_chat_import_id"))
        batch_op.drop_index(batch_op.f("ix_chat_device_id"))

    op.drop_table("chat")
    with op.batch_alter_table("chat_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_import_source_sha256"))
        batch_op.drop_index(batch_op.f("ix_chat_import_device_id"))

    op.drop_table("chat_import")
