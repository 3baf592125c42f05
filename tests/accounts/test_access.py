"""The table of who may do what, as the issue states it, and the viewer's case scope."""

from __future__ import annotations

import pytest

from phunt.accounts.access import PERMISSIONS, ROLES, SEES_ALL, Action, Viewer, may

EXPECTED = {
    Action.VIEW_STATS: set(ROLES),
    Action.VIEW_CASES: set(ROLES),
    Action.VIEW_HASHSETS: set(ROLES),
    Action.VIEW_AUDIT: {"admin", "supervisor", "auditor"},
    Action.EDIT_CASES: {"admin", "supervisor", "investigator"},
    Action.ASSIGN_CASES: {"admin", "supervisor"},
    Action.MANAGE_USERS: {"admin"},
    Action.REVIEW: {"admin", "supervisor", "investigator", "analyst"},
    Action.SET_REVIEW_MINIMUM: {"admin"},
    Action.WRITE_REPORTS: {"admin", "supervisor", "investigator"},
    Action.VERIFY_AUDIT: {"admin", "supervisor"},
}


def test_every_action_has_a_row_and_only_known_roles() -> None:
    assert set(PERMISSIONS) == set(Action)
    for roles in PERMISSIONS.values():
        assert roles <= set(ROLES)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES)
def test_may_follows_the_issue(role: str, action: Action) -> None:
    assert may(role, action) is (role in EXPECTED[action])
    assert Viewer(1, "x", role, frozenset()).may(action) is (role in EXPECTED[action])


def test_auditor_reads_everything_and_changes_nothing() -> None:
    reads = {Action.VIEW_STATS, Action.VIEW_CASES, Action.VIEW_HASHSETS, Action.VIEW_AUDIT}
    assert {a for a in Action if may("auditor", a)} == reads


def test_unknown_role_may_do_nothing() -> None:
    assert not any(may("root", a) for a in Action)
    assert not Viewer(1, "x", "root", frozenset({1})).sees_all


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        PERMISSIONS[Action.MANAGE_USERS] = frozenset(ROLES)  # type: ignore[index]


def test_scope_of_assigned_roles() -> None:
    assert {"admin", "supervisor", "auditor"} == SEES_ALL
    for role in ("investigator", "analyst"):
        viewer = Viewer(7, "asha", role, frozenset({3}))
        assert not viewer.sees_all
        assert viewer.sees_case(3)
        assert not viewer.sees_case(4)
        assert not viewer.sees_case(None)


@pytest.mark.parametrize("role", sorted(SEES_ALL))
def test_roles_that_see_all(role: str) -> None:
    viewer = Viewer(1, "ravi", role, frozenset())
    assert viewer.sees_all
    assert viewer.sees_case(99) and viewer.sees_case(None)
