"""seal chat roles, media matches and keyword hits

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Reports state a suspect's roles in a group from ``chat_role``, and which attachments are
known material and which words were flagged from ``chat_media_match`` and
``chat_keyword_hit``: rows a court relies on, which migration 0016 left unsealed. They are
sealed from now on where a chat import writes them. A database that already holds a log
gets one ``audit.seal_existing`` record sealing, as this migration finds it, every row of
the three that has no seal yet (0016 seals them too when it runs with this code), as 0016
did for the first sealed tables: what was done to a row before it cannot be shown any
more, what is done after it can. Additive: no schema change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

#: Named here, not read from ``SEALED_TABLES``: what this migration seals stays what it is.
TABLES = ("chat_role", "chat_media_match", "chat_keyword_hit")


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from phunt.audit import store as audit
    from phunt.audit.seal import seal_where

    conn = op.get_bind()
    if not conn.execute(sa.text("SELECT COUNT(*) FROM audit_record")).scalar():
        return  # a new database: its rows are sealed as they are written
    meta = sa.MetaData()
    seals = sa.Table("audit_seal", meta, autoload_with=conn)
    scopes = []
    for name in TABLES:
        tbl = sa.Table(name, meta, autoload_with=conn)
        sealed = sa.select(seals.c.row_id).where(seals.c.table_name == name)
        unsealed = tbl.c.id.not_in(sealed)  # 0016 sealed them when it came after this fix
        if conn.execute(sa.select(sa.func.count()).select_from(tbl).where(unsealed)).scalar():
            scopes.append((tbl, unsealed))
    if not scopes:
        return  # nothing left unsealed: no record
    with Session(bind=conn) as session:  # joins the migration's transaction
        for tbl, unsealed in scopes:
            seal_where(session, tbl, unsealed)
        details = {
            "note": "chat roles, media matches and keyword hits as migration 0020 found them"
        }
        audit.append(session, "audit.seal_existing", "audit", "0020", details, actor="migration")


def downgrade() -> None:
    pass  # the seals stay: they are records in the log, which is never rewritten
