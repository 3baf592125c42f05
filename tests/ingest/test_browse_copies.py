"""Where else a file's content lies, on both databases: same SHA-256 and PDQ near copies
at the kind's threshold, within the viewer's scope."""

from __future__ import annotations

import pytest

from browse_world import BASE, World, add_file, add_job, flipped, make_world
from phunt.hashing.kinds import pdq_threshold
from phunt.ingest import browse_copies
from phunt.schema.db import Database
from phunt.schema.ingest import IngestJob


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def test_where_else_finds_copies_and_near_copies_in_scope_only(
    database: Database, world: World
) -> None:
    known = world.files["known"]
    with database.session() as s:
        everywhere = browse_copies.where_else(s, known, None)
        mine = browse_copies.where_else(s, known, {world.case_a})
    assert {c.evidence_number for c in everywhere.same} == {"EV-B", "EV-X"}
    assert everywhere.same_total == 2 and everywhere.threshold == pdq_threshold()
    # Within the threshold (inclusive), not the same content, quality high enough.
    assert [(c.file_id, c.distance) for c in everywhere.near] == [
        (world.files["near"], 12), (world.files["near_b"], pdq_threshold())
    ]  # fmt: skip
    assert everywhere.near[1].case_number == "13/2026"
    assert mine.same == [] and mine.same_total == 0
    assert [c.file_id for c in mine.near] == [world.files["near"]]


def test_the_picture_index_follows_new_ingests(database: Database, world: World) -> None:
    with database.session() as s:
        before = browse_copies.where_else(s, world.files["known"], None).near_total
        job = add_job(s, "EV-B", "/evidence/b2")
        new = add_file(s, job, world.dev_b, 1, "/n.jpg", sha256="3" * 64, pdq=flipped(BASE, 3),
                    pdq_quality=100)  # fmt: skip
        s.get(IngestJob, job).files = 1  # type: ignore[union-attr]
    with database.session() as s:
        after = browse_copies.where_else(s, world.files["known"], None)
    assert after.near_total == before + 1 and after.near[0].file_id == new
