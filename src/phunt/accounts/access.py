"""The one table of who may do what, and the viewer every page and API call acts as.

Pure: no SQL. The web layer asks :meth:`Viewer.may` for the action a route performs
(403 when not) and :meth:`Viewer.sees_case` for the case an object belongs to (404 when
not, so that ids outside the viewer's cases are not confirmed). Supervisors, admins and
auditors see every case; investigators and analysts only the cases assigned to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

ROLES: tuple[str, ...] = ("admin", "supervisor", "investigator", "analyst", "auditor")


class Action(StrEnum):
    """What a route does, as far as permission goes."""

    VIEW_STATS = "view_stats"  # statewide counts (dashboard figures)
    VIEW_CASES = "view_cases"  # case-scoped reads, filtered by the viewer's scope
    VIEW_HASHSETS = "view_hashsets"  # hash sets, versions, diffs, disables
    VIEW_AUDIT = "view_audit"  # the audit log and its chain status
    EDIT_CASES = "edit_cases"  # changes to case data from the web (custody events ...)
    ASSIGN_CASES = "assign_cases"  # assign and unassign users to cases
    MANAGE_USERS = "manage_users"  # add and disable users, issue tokens
    REVIEW = "review"  # see thumbnails, categorise and propagate decisions
    SET_REVIEW_MINIMUM = "set_review_minimum"  # the unit's least blur and greyscale floor
    WRITE_REPORTS = "write_reports"  # court reports, certificates, exports, takedowns
    VERIFY_AUDIT = "verify_audit"  # run the full audit-chain check from the web, recorded


_EVERY_ROLE = frozenset(ROLES)

PERMISSIONS: Mapping[Action, frozenset[str]] = MappingProxyType(
    {
        Action.VIEW_STATS: _EVERY_ROLE,
        Action.VIEW_CASES: _EVERY_ROLE,
        Action.VIEW_HASHSETS: _EVERY_ROLE,
        Action.VIEW_AUDIT: frozenset({"admin", "supervisor", "auditor"}),
        Action.EDIT_CASES: frozenset({"admin", "supervisor", "investigator"}),
        Action.ASSIGN_CASES: frozenset({"admin", "supervisor"}),
        Action.MANAGE_USERS: frozenset({"admin"}),
        Action.REVIEW: frozenset({"admin", "supervisor", "investigator", "analyst"}),
        Action.SET_REVIEW_MINIMUM: frozenset({"admin"}),
        Action.WRITE_REPORTS: frozenset({"admin", "supervisor", "investigator"}),
        Action.VERIFY_AUDIT: frozenset({"admin", "supervisor"}),
    }
)

#: Roles that see every case; the others see only the cases assigned to them.
SEES_ALL: frozenset[str] = frozenset({"admin", "supervisor", "auditor"})


def may(role: str, action: Action) -> bool:
    """Whether ``role`` may perform ``action`` (an unknown role may do nothing)."""
    return role in PERMISSIONS[action]


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as the pages and API see them: role and assigned cases."""

    user_id: int
    name: str
    role: str
    case_ids: frozenset[int]

    @property
    def sees_all(self) -> bool:
        return self.role in SEES_ALL

    def sees_case(self, case_id: int | None) -> bool:
        """Whether objects of ``case_id`` are visible; objects of no case only to those
        who see all, since no assignment covers them."""
        if self.sees_all:
            return True
        return case_id is not None and case_id in self.case_ids

    def may(self, action: Action) -> bool:
        return may(self.role, action)
