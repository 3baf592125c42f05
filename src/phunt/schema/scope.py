"""A viewer's scope as SQL: the one condition every read model filters by.

A scope is the set of case ids a viewer may read, or ``None`` for a viewer who sees every
case (:func:`phunt.web.deps.viewer_scope`). Rows of no case are kept only for ``None``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

Scope = frozenset[int] | None


def in_scope(case_column: Any, scope: Scope) -> ColumnElement[bool]:
    """The condition that keeps rows whose case (``case_column``) is in ``scope``."""
    if scope is None:
        return true()
    condition: ColumnElement[bool] = case_column.in_(sorted(scope))
    return condition
