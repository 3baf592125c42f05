"""Decisions: set on one file or a selection, changed with every change kept and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from phunt.audit.store import acting_as
from phunt.errors import NotFoundError, UsageError
from phunt.review.decisions import NOT_PERTINENT, Choice, decide, history, list_decisions
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database

from .conftest import ReviewWorld


def test_a_change_supersedes_and_keeps_the_history(database: Database, world: ReviewWorld) -> None:
    file_id = world.files[("A1", "P0")]
    with database.session() as s, acting_as("analyst-one"):
        first = decide(s, [file_id], Choice(2, note="first look"))[0]
    with database.session() as s, acting_as("analyst-two"):
        second = decide(s, [file_id], Choice(1))[0]
    with database.session() as s:
        rows = history(s, file_id)
        assert [r.id for r in rows] == [first, second]
        assert [r.category_code for r in rows] == [2, 1]
        assert [r.decided_by for r in rows] == ["analyst-one", "analyst-two"]
        assert rows[0].superseded_by_id == second and rows[1].previous_id == first
        assert rows[1].current and not rows[0].current
        assert rows[1].category == "Child Abuse Material (CAM) (vics-us-2.0 1)"
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.action.like("review.%")))
        assert list(actions) == ["review.decide", "review.decide"]
        listed = list_decisions(s, device_id=world.devices["A1"])
        assert [d.id for d in listed] == [second]


def test_a_selection_and_a_repeat(database: Database, world: ReviewWorld) -> None:
    files = [world.files[("A1", "P1")], world.files[("A1", "P2")]]
    with database.session() as s:
        made = decide(s, files, Choice(NOT_PERTINENT, label="holiday photo"))
        again = decide(s, files, Choice(NOT_PERTINENT, label="holiday photo"))
        assert again == made  # the same decision again writes nothing
        assert len(list_decisions(s, include_superseded=True)) == 2
        assert {d.label for d in list_decisions(s, case_id=world.case_a)} == {"holiday photo"}


def test_a_label_alone_and_bad_choices(database: Database, world: ReviewWorld) -> None:
    file_id = world.files[("A1", "P2")]
    with database.session() as s:
        (made,) = decide(s, [file_id], Choice(label="unit: screenshot of a receipt"))
        assert history(s, file_id)[0].category_code is None
        assert made
        with pytest.raises(UsageError, match="category or a label"):
            decide(s, [file_id], Choice())
        with pytest.raises(UsageError, match="not a code"):
            decide(s, [file_id], Choice(7))


def test_scope_hides_other_cases(database: Database, world: ReviewWorld) -> None:
    b_file = world.files[("B1", "P1")]
    with database.session() as s:
        with pytest.raises(NotFoundError, match=str(b_file)):
            decide(s, [world.files[("A1", "P0")], b_file], Choice(1), {world.case_a})
        with pytest.raises(NotFoundError):
            history(s, b_file, {world.case_a})
        with pytest.raises(NotFoundError):
            decide(s, [10**9], Choice(1))
    with database.session() as s:
        assert list_decisions(s) == []  # the refused selection wrote nothing
