"""Propagation: a decision applied to every copy of its file across the operation.

Copies are the files with the same SHA-256 and the pictures within the PDQ hash kind's
threshold (at its quality minimum) of the decided one, found by the same code as a
file's "where else" view (:mod:`phunt.ingest.browse_copies`), on devices of the same
operation (of the whole database when the device is in none) and of the viewer's cases.
First a preview says how many files, devices and cases that is; applying records one
decision per copy naming its source, so nobody has to look at those copies again.
Copies whose current decision already says the same are left out.
"""

from __future__ import annotations

from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import UsageError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest.browse_copies import near_pictures
from phunt.review.decisions import Choice, current_rows, decide, get_decision
from phunt.schema.cases import Case, Device, Raid
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision
from phunt.schema.scope import Scope, in_scope

_CHUNK = 5000


@dataclass(frozen=True)
class Preview:
    """What applying a decision to its copies would do."""

    decision_id: int
    file_ids: list[int]
    exact: int
    near: int
    devices: int
    cases: int
    replacing: int
    """Copies that have another current decision, which the propagation supersedes."""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {"files": len(self.file_ids)}


def preview(session: Session, decision_id: int, scope: Scope = None) -> Preview:
    """The copies ``decision_id`` would be applied to, within ``scope``."""
    decision = get_decision(session, decision_id, scope)
    if not decision.current:
        raise_superseded(decision_id, decision.superseded_by_id)
    source = session.get(EvidenceFile, decision.file_id)
    assert source is not None
    candidates: dict[int, int] = {}
    if source.pdq is not None and (source.pdq_quality or 0) >= pdq_quality_min():
        candidates.update(near_pictures(session, source.pdq, pdq_threshold()))
    operation = _operation_of(session, source.device_id)
    exact: set[int] = set()
    if source.sha256 is not None:
        same = _in_reach(select(EvidenceFile.id), operation, scope).where(
            EvidenceFile.sha256 == source.sha256
        )
        exact = set(session.scalars(same))
    near_ids = sorted(set(candidates) - exact)
    reach: set[int] = set(exact)
    for start in range(0, len(near_ids), _CHUNK):
        query = _in_reach(select(EvidenceFile.id), operation, scope)
        reach.update(
            session.scalars(query.where(EvidenceFile.id.in_(near_ids[start : start + _CHUNK])))
        )
    reach.discard(source.id)
    choice = _choice_of(session, decision_id)
    current = current_rows(session, sorted(reach))
    same_already = {f for f, row in current.items() if _same(row, choice)}
    files = sorted(reach - same_already)
    devices, cases = _spread(session, files)
    return Preview(
        decision_id,
        files,
        sum(1 for f in files if f in exact),
        sum(1 for f in files if f not in exact),
        devices,
        cases,
        sum(1 for f in files if f in current),
    )


def apply(session: Session, decision_id: int, scope: Scope = None) -> list[int]:
    """Record the decision on every copy :func:`preview` finds; returns the new ids."""
    found = preview(session, decision_id, scope)
    if not found.file_ids:
        return []
    choice = _choice_of(session, decision_id)
    return decide(session, found.file_ids, choice, scope, propagated_from=decision_id)


def raise_superseded(decision_id: int, by: int | None) -> None:
    raise UsageError(f"review decision {decision_id} was replaced by {by}: propagate that one")


def _choice_of(session: Session, decision_id: int) -> Choice:
    row = session.get(ReviewDecision, decision_id)
    assert row is not None
    note = f"propagated from review decision {decision_id}"
    scheme = row.category_scheme or Choice().scheme
    return Choice(row.category_code, scheme, row.label, note)


def _same(row: ReviewDecision, choice: Choice) -> bool:
    return (row.category_code, row.label) == (choice.code, choice.label) and (
        choice.code is None or row.category_scheme == choice.scheme
    )


def _operation_of(session: Session, device_id: int) -> int | None:
    query = (
        select(func.coalesce(Case.operation_id, Raid.operation_id))
        .select_from(Device)
        .outerjoin(Case, Case.id == Device.case_id)
        .outerjoin(Raid, Raid.id == Device.raid_id)
        .where(Device.id == device_id)
    )
    found: int | None = session.scalar(query)
    return found


def _in_reach(query: Any, operation: int | None, scope: Scope) -> Any:
    """``query`` of files limited to devices of ``operation`` (all when None) in scope."""
    query = (
        query.join(Device, Device.id == EvidenceFile.device_id)
        .outerjoin(Case, Case.id == Device.case_id)
        .outerjoin(Raid, Raid.id == Device.raid_id)
        .where(in_scope(Device.case_id, scope))
    )
    if operation is not None:
        query = query.where(func.coalesce(Case.operation_id, Raid.operation_id) == operation)
    return query


def _spread(session: Session, file_ids: list[int]) -> tuple[int, int]:
    """How many devices and cases ``file_ids`` lie on."""
    devices: set[int] = set()
    cases: set[int] = set()
    for start in range(0, len(file_ids), _CHUNK):
        query = (
            select(Device.id, Device.case_id)
            .join(EvidenceFile, EvidenceFile.device_id == Device.id)
            .where(EvidenceFile.id.in_(file_ids[start : start + _CHUNK]))
            .distinct()
        )
        for device_id, case_id in session.execute(query):
            devices.add(device_id)
            if case_id is not None:
                cases.add(case_id)
    return len(devices), len(cases)
