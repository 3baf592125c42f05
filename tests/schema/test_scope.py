"""A viewer's scope as SQL: rows of their cases only, rows of no case only for all."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select

from phunt.schema.scope import Scope, in_scope

ROWS = Table("row", MetaData(), Column("id", Integer, primary_key=True), Column("case_id", Integer))


@pytest.mark.parametrize(
    ("scope", "kept"),
    [(None, [1, 2, 3]), (frozenset({1}), [1]), (frozenset({1, 2}), [1, 2]), (frozenset(), [])],
)
def test_a_scope_keeps_its_cases_rows(scope: Scope, kept: list[int]) -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        ROWS.create(conn)
        conn.execute(ROWS.insert(), [{"id": 1, "case_id": 1}, {"id": 2, "case_id": 2}])
        conn.execute(ROWS.insert(), [{"id": 3, "case_id": None}])
        query = select(ROWS.c.id).where(in_scope(ROWS.c.case_id, scope)).order_by(ROWS.c.id)
        assert list(conn.scalars(query)) == kept
    engine.dispose()
