"""An incremental re-screen (the review's, after each decision) stores exactly what a full
one would: the same match rows, the same job figures and the same audit facts, whether
the new version adds an entry, drops one, or was not preceded by a screen of every device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.review.decisions import Choice, decide
from phunt.review.local_set import choose_local_set, publish
from phunt.review.rescreen import rescreen
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch, IngestJob

from .conftest import ReviewWorld

SET = "Unit set"


def _state(session: Session) -> tuple[list[tuple[Any, ...]], dict[int, int], dict[str, Any]]:
    """The set's match rows (without ids), each job's matched count, the last audit facts
    (without ``since``, which says how the screen was done)."""
    matches = [
        (m.file_id, m.entry, m.version, m.kind, m.distance, m.threshold, m.variant,
         m.category_code, m.category_scheme, m.quality, m.detail)
        for m in session.scalars(select(FileMatch).order_by(FileMatch.file_id, FileMatch.entry))
    ]  # fmt: skip
    jobs = {j: n for j, n in session.execute(select(IngestJob.id, IngestJob.matched_files))}
    last = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
    assert last.action == "review.rescreen"
    facts = {k: v for k, v in last.details.items() if k != "since"}
    return matches, jobs, facts


def _both(session: Session) -> tuple[int | None, Any]:
    """Re-screen fully inside a savepoint rolled back, then incrementally; both states and
    the incremental screen's ``since``."""
    nested = session.begin_nested()
    rescreen(session, SET)
    session.flush()
    full = _state(session)
    nested.rollback()
    found = rescreen(session, SET, incremental=True)
    session.flush()
    assert _state(session) == full
    return found.since, full


def test_incremental_equals_full(database: Database, world: ReviewWorld, tmp_path: Path) -> None:
    p0, p1, p2 = (world.files[("A1", p)] for p in ("P0", "P1", "P2"))
    with database.session() as s:
        choose_local_set(s, SET)
        decide(s, [p0], Choice(1))
        publish(s, tmp_path)
        since, (matches, _jobs, facts) = _both(s)  # no screen before: all entries
        assert since is None and len(matches) == 4 and facts["entries"] == 1
    with database.session() as s:
        decide(s, [p1], Choice(2))
        publish(s, tmp_path)
        since, (matches, _jobs, facts) = _both(s)  # P1 appended: only it is searched
        assert since == 1 and len(matches) == 6 and facts["matches_added"] == 2
    with database.session() as s:
        decide(s, [p0], Choice(0))  # P0 leaves the set, P2 joins it
        decide(s, [p2], Choice(1))
        publish(s, tmp_path)
        since, (matches, _jobs, facts) = _both(s)
        assert since == 2 and facts["entries"] == 2 and facts["matches_added"] == 1
        assert [n for f, n, *_ in matches if f == p2] == [3]
    with database.session() as s:
        rescreen(s, SET, device_ids=[world.devices["A1"]])  # a partial screen is no base
        decide(s, [p0], Choice(3))
        publish(s, tmp_path)
        since, (_matches, _jobs, facts) = _both(s)
        assert since is None and facts["entries"] == 3
