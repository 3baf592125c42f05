"""Propagation to exact and near copies across the operation, within the viewer's scope."""

from __future__ import annotations

from phunt.review.decisions import Choice, decide, history, list_decisions
from phunt.review.propagate import apply, preview
from phunt.schema.db import Database

from .conftest import ReviewWorld


def test_preview_then_apply(database: Database, world: ReviewWorld) -> None:
    f = world.files
    with database.session() as s:
        (source,) = decide(s, [f[("A1", "P0")]], Choice(1))
        seen = preview(s, source)
        # A2 has the same bytes, B1 a smaller re-save; X1 is another operation's device.
        assert seen.file_ids == sorted([f[("A2", "P0")], f[("B1", "P0-near")]])
        assert (seen.exact, seen.near, seen.devices, seen.cases) == (1, 1, 2, 2)
        assert seen.replacing == 0
    with database.session() as s:
        made = apply(s, source)
        assert len(made) == 2
        copies = list_decisions(s, device_id=world.devices["B1"])
        assert [(d.category_code, d.propagated_from_id) for d in copies] == [(1, source)]
        assert history(s, f[("X1", "P0")]) == []
    with database.session() as s:
        assert preview(s, source).file_ids == []  # nothing left to apply


def test_scope_limits_the_copies(database: Database, world: ReviewWorld) -> None:
    f = world.files
    with database.session() as s:
        (source,) = decide(s, [f[("A1", "P1")]], Choice(2))
        decide(s, [f[("B1", "P1")]], Choice(0))
        assert preview(s, source, frozenset({world.case_a})).file_ids == []
        everyone = preview(s, source)
        assert everyone.file_ids == [f[("B1", "P1")]] and everyone.replacing == 1
        apply(s, source)
        assert [d.category_code for d in history(s, f[("B1", "P1")])] == [0, 2]
