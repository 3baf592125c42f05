"""Read models of devices on both databases: the scoped listing and one device with its
custody, jobs and problem files, checked against rows the test wrote itself."""

from __future__ import annotations

import pytest

from browse_world import World, make_world
from phunt.errors import NotFoundError
from phunt.ingest import browse
from phunt.schema.db import Database


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def test_device_detail_has_custody_jobs_hashes_and_problem_files(
    database: Database, world: World
) -> None:
    with database.session() as s:
        d = browse.device_detail(s, world.dev_a)
        assert browse.device_ref(s, world.dev_a) == browse.DeviceRef(
            world.dev_a, "EV-A", world.case_a
        )
        with pytest.raises(NotFoundError):
            browse.device_detail(s, 999)
    assert (d.evidence_number, d.make, d.imei, d.case_number) == (
        "EV-A", "Acme", "356938035643809", "12/2026",
    )  # fmt: skip
    assert d.suspect == "Arun Example" and [c.action for c in d.custody] == ["seized", "received"]
    folder, image = d.jobs
    assert folder.source_sha256 == "1" * 64 and folder.verified is None
    assert image.segments == {"a.E02": "3" * 64} and image.verified is False
    assert [p.path for p in d.problems] == ["/bad.zip", "/img/lost.doc"]
    assert d.problem_files == 2 and [p.path for p in d.damaged] == ["/img/lost.doc"]


def test_device_listing_is_scoped_sorted_and_counted(database: Database, world: World) -> None:
    with database.session() as s:
        everything, total = browse.list_devices(s, None)
        assert total == 3 and [d.evidence_number for d in everything] == ["EV-A", "EV-B", "EV-X"]
        mine, total = browse.list_devices(s, {world.case_a})
        assert total == 1 and mine[0].files == 6 and mine[0].matched_files == 3
        by_files, _ = browse.list_devices(s, None, sort="files", desc=True)
        assert [d.evidence_number for d in by_files] == ["EV-A", "EV-B", "EV-X"]
        of_b, total = browse.list_devices(s, None, case_id=world.case_b)
        assert total == 1 and of_b[0].case_number == "13/2026"
        assert browse.list_devices(s, set())[1] == 0
        with pytest.raises(NotFoundError):
            browse.list_devices(s, None, case_id=999)
