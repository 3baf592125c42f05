"""Review settings on both databases: each user's blur and greyscale never below the
unit's floor (minimum blur and greyscale required, set by an admin only), the unit's
labels on keys 5-9, every change audited with the old and new values."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.errors import NotPermitted, UsageError
from phunt.review import settings, thumb_store
from phunt.review.thumbs import DEFAULT_BLUR
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database

from .test_queue import ReviewWorld, build_review_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> ReviewWorld:
    return build_review_world(database, tmp_path / "world")


def _audit(database: Database, action: str) -> list[dict[str, object]]:
    with database.session() as s:
        query = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
        return [dict(r.details, actor=r.actor) for r in s.scalars(query)]


def test_the_unit_floor_raises_and_refuses(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        mine = settings.settings(s, world.analyst)
        assert (mine.blur, mine.grey, mine.unit_minimum, mine.grey_required) == (
            DEFAULT_BLUR, True, settings.UNIT_MINIMUM_DEFAULT, False,
        )  # fmt: skip
        settings.save_settings(s, world.analyst, 2, False)
        with pytest.raises(NotPermitted):
            settings.set_unit_minimum(s, world.analyst, 0)
        settings.set_unit_minimum(s, world.admin, 3, grey=True)
    with database.session() as s:
        mine = settings.settings(s, world.analyst)
        assert (mine.blur, mine.grey, mine.unit_minimum, mine.grey_required) == (3, True, 3, True)
        with pytest.raises(UsageError, match="requires greyscale"):
            settings.save_settings(s, world.analyst, 4, False)
        with pytest.raises(UsageError, match="below the unit's minimum of 3"):
            settings.save_settings(s, world.analyst, 2, True)
        with pytest.raises(UsageError, match="requires greyscale"):
            thumb_store.reveal(s, world.analyst, world.files["a/alone"], blur=0, grey=False)
        grey = thumb_store.reveal(s, world.analyst, world.files["a/alone"], blur=0)
        assert grey.media_type == "image/jpeg"
    assert _audit(database, "review.unit_minimum") == [
        {"old": 1, "new": 3, "grey_before": False, "grey": True, "actor": "admin1"}
    ]
    assert [a["blur"] for a in _audit(database, "review.settings")] == [2]
    with database.session() as s:  # the floor lowered again: the user's own level is back
        settings.set_unit_minimum(s, world.admin, 1, grey=False)
        mine = settings.settings(s, world.analyst)
        assert (mine.blur, mine.grey) == (2, False)


def test_the_unit_labels(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        assert settings.unit_labels(s) == {}
        with pytest.raises(NotPermitted):
            settings.set_unit_labels(s, world.analyst, ["Drawing"])
        assert settings.set_unit_labels(s, world.admin, [" Drawing ", "", "Game"]) == {
            5: "Drawing", 6: "Game",
        }  # fmt: skip
    with database.session() as s:
        assert settings.unit_labels(s) == {5: "Drawing", 6: "Game"}
        settings.set_unit_labels(s, world.admin, ["Game"])
        assert settings.unit_labels(s) == {5: "Game"}
        with pytest.raises(UsageError, match="at most 5"):
            settings.set_unit_labels(s, world.admin, list("abcdef"))
        with pytest.raises(UsageError, match="must differ"):
            settings.set_unit_labels(s, world.admin, ["x", "x"])
        with pytest.raises(UsageError, match="at most 100"):
            settings.set_unit_labels(s, world.admin, ["x" * 101])
    assert [a["labels"] for a in _audit(database, "review.labels")] == [
        ["Drawing", "Game"],
        ["Game"],
    ]
