"""Thumbnails for a viewer: blurred and grey at the viewer's settings, cached and deleted
with the case, never the evidence's bytes, 404 outside the viewer's cases, reveals and
settings audited, the unit's minimum enforced (both databases, generated pictures)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete, func, select

from phunt.errors import CorruptInput, NotFoundError, NotPermitted, UsageError, WrongFormat
from phunt.review import thumb_store
from phunt.review.thumbs import DEFAULT_BLUR
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review_media import ReviewThumbnail

from .test_queue import ReviewWorld, build_review_world
from .test_thumbs import high_frequency_energy


@pytest.fixture
def world(database: Database, tmp_path: Path) -> ReviewWorld:
    return build_review_world(database, tmp_path / "world")


def _cached(database: Database) -> dict[int, int]:
    with database.session() as s:
        query = select(ReviewThumbnail.file_id, func.count()).group_by(ReviewThumbnail.file_id)
        return {file_id: n for file_id, n in s.execute(query)}


def _path(database: Database, file_id: int) -> Path:
    with database.session() as s:
        return Path(s.get_one(EvidenceFile, file_id).path)


def test_a_thumbnail_is_blurred_grey_and_cached(database: Database, world: ReviewWorld) -> None:
    original = world.files["a/original"]
    with database.session() as s:
        thumb = thumb_store.thumbnail(s, world.analyst, original)
        sharp = thumb_store.reveal(s, world.analyst, original, blur=0, grey=False)
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert image.mode == "L" and max(image.size) == 256
    with Image.open(io.BytesIO(sharp.data)) as image:
        rgb = np.asarray(image, dtype=np.int16)
    assert image.mode == "RGB" and np.abs(rgb[..., 0] - rgb[..., 2]).mean() > 5
    assert high_frequency_energy(thumb) < 0.25 * high_frequency_energy(sharp)
    assert _cached(database) == {original: 2}
    _path(database, original).unlink()  # the cache answers without the evidence
    with database.session() as s:
        assert thumb_store.thumbnail(s, world.analyst, original).data == thumb.data
    with database.session() as s, pytest.raises(Exception, match="cannot be read"):
        thumb_store.thumbnail(s, world.analyst, original, fmt="png")  # not cached


def test_no_thumbnail_is_the_evidence_itself(database: Database, world: ReviewWorld) -> None:
    for name, file_id in world.files.items():
        if name.startswith("b/"):
            continue
        evidence = _path(database, file_id).read_bytes()
        with database.session() as s:
            made = [
                thumb_store.thumbnail(s, world.admin, file_id, fmt="png"),
                thumb_store.reveal(s, world.admin, file_id, blur=0, grey=False, fmt="png"),
            ]
        for thumb in made:
            assert thumb.data != evidence and evidence[:64] not in thumb.data


def test_other_cases_are_not_found(database: Database, world: ReviewWorld) -> None:
    other = world.files["b/copy"]
    with database.session() as s:
        with pytest.raises(NotFoundError) as unknown:
            thumb_store.thumbnail(s, world.analyst, 999_999)
        with pytest.raises(NotFoundError) as hidden:
            thumb_store.thumbnail(s, world.analyst, other)
        assert str(hidden.value) == str(unknown.value).replace("999999", str(other))
        with pytest.raises(NotFoundError) as hidden_reveal:
            thumb_store.reveal(s, world.analyst, other, blur=0)
        assert str(hidden_reveal.value) == str(hidden.value)
        assert thumb_store.thumbnail(s, world.admin, other).width > 0
    assert set(_cached(database)) == {other}


def test_a_reveal_is_audited_with_who_and_when(database: Database, world: ReviewWorld) -> None:
    alone = world.files["a/alone"]
    with database.session() as s:
        thumb_store.reveal(s, world.analyst, alone, blur=1)
        with pytest.raises(UsageError, match="lowers the blur"):
            thumb_store.reveal(s, world.analyst, alone, blur=DEFAULT_BLUR)
    with database.session() as s:
        [record] = s.scalars(select(AuditRecord).where(AuditRecord.action == "review.reveal"))
        assert (record.actor, record.object_type) == ("analyst1", "file")
        assert record.object_id == str(alone)
        assert record.details == {"blur": 1, "grey": True, "default_blur": DEFAULT_BLUR}
        assert record.at is not None


def test_the_unit_minimum_bounds_every_setting(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        assert thumb_store.settings(s, world.analyst).blur == DEFAULT_BLUR
        thumb_store.save_settings(s, world.analyst, 2, False)
        with pytest.raises(NotPermitted):
            thumb_store.set_unit_minimum(s, world.analyst, 0)
        thumb_store.set_unit_minimum(s, world.admin, 4)
    with database.session() as s:
        mine = thumb_store.settings(s, world.analyst)
        assert (mine.blur, mine.grey, mine.unit_minimum) == (4, False, 4)
        with pytest.raises(UsageError, match="below the unit's minimum of 4"):
            thumb_store.save_settings(s, world.analyst, 3, True)
        thumb_store.save_settings(s, world.analyst, 5, True)
        thumb = thumb_store.thumbnail(s, world.analyst, world.files["a/alone"])
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions.count("review.settings") == 2 and actions.count("review.unit_minimum") == 1
    with database.session() as s:
        [row] = s.scalars(select(ReviewThumbnail))
        assert (row.blur, row.grey, row.data) == (5, True, thumb.data)


def test_the_cache_goes_with_the_case_and_the_file(database: Database, world: ReviewWorld) -> None:
    f = world.files
    with database.session() as s:
        for name in ("a/original", "a/smaller", "a/video"):
            thumb_store.thumbnail(s, world.admin, f[name])
        thumb_store.thumbnail(s, world.admin, f["b/copy"])
    with database.session() as s:
        s.execute(delete(EvidenceFile).where(EvidenceFile.id == f["a/smaller"]))
    assert set(_cached(database)) == {f["a/original"], f["a/video"], f["b/copy"]}
    with database.session() as s:
        assert thumb_store.drop_case_thumbnails(s, world.case_a) == 2
    assert set(_cached(database)) == {f["b/copy"]}


def test_unusable_files_are_clear_errors(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        notes = s.scalar(select(EvidenceFile.id).where(EvidenceFile.path.endswith("notes.txt")))
    assert notes is not None
    alone = _path(database, world.files["a/alone"])
    alone.write_bytes(alone.read_bytes()[:400])  # the evidence damaged after ingest
    with database.session() as s:
        with pytest.raises(WrongFormat, match="not a picture or a video"):
            thumb_store.thumbnail(s, world.admin, notes)
        with pytest.raises(CorruptInput) as damaged:
            thumb_store.thumbnail(s, world.admin, world.files["a/alone"])
    assert damaged.value.path == str(alone)
    assert _cached(database) == {}
