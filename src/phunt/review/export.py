"""Export of the unit's decisions, to share with Project VIC and partner units.

The current categorised decisions in the viewer's scope go through the hash-list writer
registry: VICS 2.0 (every category, "not pertinent" included, so a partner learns what
was cleared too) or a plain list (the known-bad ones only: a plain list has no category,
and whoever imports it takes every line as known-bad). One entry per content; the
examiners' names stay at home (no provenance fields). The file's SHA-256 is audited.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy.orm import Session

import phunt.hashsets.plain_writer  # noqa: F401  (registers the "plain" writer)
from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.hashing.crypto import sha256_file
from phunt.hashsets.writers import WRITERS
from phunt.output_path import check_target, output_path
from phunt.review.local_set import decision_entries
from phunt.schema.scope import Scope

#: Export formats and whether they carry categories.
FORMATS = {"vics": True, "plain": False}


def export_decisions(
    session: Session, out: str, *, fmt: str = "vics", scope: Scope = None, force: bool = False,
    own: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Write the decisions to ``out`` (refusing to replace a file unless ``force``);
    returns what the audit records. ``own``: phunt's own folder in the data folder that
    the web writes its downloads into (:func:`phunt.output_path.check_target`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (choose from: {', '.join(FORMATS)})")
    check_target(out, force=force, own=own)  # before the work: never into the data folder
    writer = WRITERS.get(fmt)()
    entries = decision_entries(session, scope, known_bad_only=not FORMATS[fmt], provenance=False)
    meta = (
        {"profile": "US"} if fmt == "vics" else {"title": "known-bad files categorised by review"}
    )
    with output_path(out, force=force, own=own) as partial:
        with open(partial, "w", encoding="utf-8", newline="") as fh:
            written = writer.write(entries, fh, metadata=meta)
        digest = sha256_file(str(partial))
    details = {
        "format": fmt,
        "file": os.path.abspath(out),
        "sha256": digest,
        "entries": written,
        "scope": None if scope is None else sorted(scope),
    }
    audit.append(session, "review.export", "review_decision", "export", details)
    return details
