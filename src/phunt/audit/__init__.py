"""The tamper-evident audit log: every state-changing action, hash-chained, the rows it
wrote sealed by it, and its head signed into checkpoints kept outside the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from phunt.audit.anchor import Checkpoint


def latest_checkpoint(session: Session) -> Checkpoint | None:
    """The newest signed checkpoint of the log (what reports show), or None."""
    from phunt.audit.anchor import latest_checkpoint as latest

    return latest(session)
