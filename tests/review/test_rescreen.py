"""Re-screening stored files against the local set: new matches, figures that follow."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from phunt.ingest.browse import list_devices
from phunt.review.decisions import Choice, decide
from phunt.review.local_set import choose_local_set, publish
from phunt.review.rescreen import rescreen
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch

from .conftest import ReviewWorld


def _matched(database: Database) -> dict[str, int]:
    with database.session() as s:
        return {d.evidence_number: d.matched_files for d in list_devices(s, None)[0]}


def test_rescreen_adds_matches_once(database: Database, world: ReviewWorld, tmp_path: Path) -> None:
    with database.session() as s:
        choose_local_set(s, "Unit set")
        decide(s, [world.files[("A1", "P0")]], Choice(1))
        publish(s, tmp_path)
    assert set(_matched(database).values()) == {0}
    with database.session() as s:
        found = rescreen(s, "Unit set")
        assert (found.entries, found.version) == (1, 1)
        # P0 on A1, A2 and X1 by SHA-256 (one hit per entry); its re-save on B1 by PDQ.
        assert (found.matches_added, found.files_newly_matched) == (4, 4)
        assert found.devices == {world.devices[d]: 1 for d in ("A1", "A2", "B1", "X1")}
        near = s.scalars(select(FileMatch).where(FileMatch.kind == "pdq", FileMatch.distance > 0))
        (match,) = list(near)
        assert match.threshold is not None and match.detail == {"rescreened": True}
        assert (match.category_code, match.category_scheme) == (1, "vics-us-2.0")
    assert _matched(database) == {"EV-A1": 1, "EV-A2": 1, "EV-B1": 1, "EV-X1": 1}
    with database.session() as s:
        again = rescreen(s, "Unit set", device_ids=[world.devices["A1"]])
        assert (again.entries, again.matches_added) == (1, 0)
        assert s.scalar(select(func.count()).select_from(FileMatch)) == 4
