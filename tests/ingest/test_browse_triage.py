"""A device's triage on both databases: counts equal the rows, near matches carry their
distances."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from browse_world import World, make_world
from phunt.ingest import browse_triage
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch, IngestJob


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def test_triage_counts_equal_the_rows_and_near_matches_carry_distances(
    database: Database, world: World
) -> None:
    with database.session() as s:
        t = browse_triage.triage_summary(s, world.dev_a)
        jobs = select(IngestJob.id).where(IngestJob.device_id == world.dev_a)
        matched = s.scalar(
            select(func.count(FileMatch.file_id.distinct())).where(FileMatch.job_id.in_(jobs))
        )
    assert (t.files, t.matched_files, t.exact_files, t.near_files) == (6, matched, 1, 2)
    groups = {(g.hash_set, g.category_code, g.near): g for g in t.groups}
    assert set(groups) == {("other", None, False), ("unit", 1, False), ("unit", 1, True),
                           ("unit", None, True)}  # fmt: skip
    assert groups[("unit", 1, True)].category == "Child Abuse Material (CAM) (vics-us-2.0 1)"
    assert groups[("unit", 1, False)].list_kind == "known-bad"
    assert groups[("other", None, False)].list_kind is None
    assert [(n.path, n.distance, n.threshold) for n in t.near] == [
        ("/DCIM/resized.JPG", 12, 31), ('<script>alert("x")</script>.jpg', 30, 31)
    ]  # fmt: skip
    assert t.near_total == 2
