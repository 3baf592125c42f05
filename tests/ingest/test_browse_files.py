"""A device's file listing and a file's detail on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from browse_world import World, make_world
from phunt.errors import NotFoundError
from phunt.ingest import browse_files
from phunt.schema.db import Database


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def test_file_listing_pages_sorts_and_filters(database: Database, world: World) -> None:
    def paths(**kwargs: Any) -> tuple[list[str], int]:
        filters = kwargs.pop("filters", browse_files.FileFilter())
        with database.session() as s:
            rows, total = browse_files.device_files(s, world.dev_a, filters, **kwargs)
        return [r.path for r in rows], total

    first, total = paths(limit=2)
    assert total == 6 and first == ["/DCIM/known.jpg", "/DCIM/resized.JPG"]
    assert paths(limit=2, offset=4)[0] == ["/bad.zip", "/img/lost.doc"]
    assert paths(sort="size", desc=True, limit=1)[0] == ["/bad.zip"]
    assert paths(sort="matches", desc=True, limit=1)[0] == ["/DCIM/known.jpg"]
    assert paths(filters=browse_files.FileFilter(matched=True))[1] == 3
    assert paths(filters=browse_files.FileFilter(mime="image"))[1] == 3
    assert paths(filters=browse_files.FileFilter(mime="image/png"))[0] == [
        '<script>alert("x")</script>.jpg'
    ]
    assert paths(filters=browse_files.FileFilter(path="RESIZED"))[0] == ["/DCIM/resized.JPG"]
    assert paths(filters=browse_files.FileFilter(path="100%"))[0] == ["/notes_100%.txt"]
    assert paths(filters=browse_files.FileFilter(path="_"))[0] == ["/notes_100%.txt"]
    assert paths(filters=browse_files.FileFilter(problems=True))[1] == 2
    with database.session() as s:
        rows, _ = browse_files.device_files(s, world.dev_a, sort="matches", desc=True, limit=1)
        assert (rows[0].matches, rows[0].min_distance) == (2, 0)
        assert browse_files.file_types(s, world.dev_a) == [
            ("image/jpeg", 2), ("image/png", 1), ("text/plain", 1)
        ]  # fmt: skip


def test_file_detail_has_every_match_with_list_version_kind_and_distance(
    database: Database, world: World
) -> None:
    with database.session() as s:
        f = browse_files.file_detail(s, world.files["near"])
        assert browse_files.file_case(s, world.files["near"]) == world.case_a
        with pytest.raises(NotFoundError):
            browse_files.file_case(s, 999)
        known = browse_files.file_detail(s, world.files["known"])
    assert (f.evidence_number, f.source_path, f.pdq_quality) == ("EV-A", "/evidence/a", 90)
    (m,) = f.matches
    assert (m.hash_set, m.version, m.kind, m.near, m.distance, m.threshold) == (
        "unit", 1, "pdq", True, 12, 31,
    )  # fmt: skip
    assert [(m.hash_set, m.kind, m.list_kind) for m in known.matches] == [
        ("other", "md5", None), ("unit", "sha1", "known-bad")
    ]  # fmt: skip
    assert known.exif == {"make": "ExampleCam"} and known.md5 == "d" * 32
