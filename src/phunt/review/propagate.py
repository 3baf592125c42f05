"""Propagation: a decision applied to every copy of its file across the operation.

Copies are the files with the same SHA-256 and the pictures within the PDQ hash kind's
threshold (at its quality minimum) of the decided one as it is, turned or mirrored
(:mod:`phunt.review.groups_dihedral`), found in the index a file's "where else" view uses
(:mod:`phunt.ingest.browse_copies`), on devices of the same
operation (of the whole database when the device is in none) and of the viewer's cases.
First a preview says how many files, devices and cases that is; applying records one
decision per copy naming its source, its note saying how the copy was found (same
content, or the PDQ distance and the turn or mirror), so nobody has to look at those
copies again.
Copies whose current decision already says the same are left out.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from phunt.errors import UsageError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest.browse_copies import picture_index
from phunt.review import groups_dihedral as dihedral
from phunt.review.decisions import Choice, current_rows, decide, get_decision
from phunt.schema.cases import Case, Device, Raid
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision
from phunt.schema.scope import Scope, in_scope

_CHUNK = 5000


@dataclass(frozen=True)
class Reach:
    """How a copy was found: the same SHA-256 (distance 0, ``orig``), or a picture within
    the PDQ threshold of the decided one as it is or ``transform``-ed (turned or mirrored,
    :mod:`phunt.review.groups_dihedral`), at ``distance``."""

    file_id: int
    distance: int
    transform: str = "orig"

    @property
    def note(self) -> str:
        """What a propagated decision's note says of it."""
        if self.transform == "orig":
            return f"PDQ distance {self.distance}" if self.distance else "same content"
        return f"{dihedral.WORDS[self.transform]}, PDQ distance {self.distance}"


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
    turned: int = 0
    """Near copies found turned or mirrored (counted in ``near``)."""
    reach: list[Reach] = field(default_factory=list)
    """How each of ``file_ids`` was found, in their order."""

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__) | {"files": len(self.file_ids)}
        del out["reach"]  # one per file: kept out of the summary
        return out


def preview(session: Session, decision_id: int, scope: Scope = None) -> Preview:
    """The copies ``decision_id`` would be applied to, within ``scope``."""
    decision = get_decision(session, decision_id, scope)
    if not decision.current:
        raise_superseded(decision_id, decision.superseded_by_id)
    source = session.get(EvidenceFile, decision.file_id)
    assert source is not None
    candidates: dict[int, Reach] = {}
    if source.pdq is not None and (source.pdq_quality or 0) >= pdq_quality_min():
        candidates = _near(session, source.pdq)
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
    how = [Reach(f, 0) if f in exact else candidates[f] for f in files]
    return Preview(
        decision_id,
        files,
        sum(1 for f in files if f in exact),
        sum(1 for f in files if f not in exact),
        devices,
        cases,
        sum(1 for f in files if f in current),
        sum(1 for r in how if r.transform != "orig"),
        how,
    )


def apply(session: Session, decision_id: int, scope: Scope = None) -> list[int]:
    """Record the decision on every copy :func:`preview` finds; returns the new ids (in
    the order of the preview's files). Each copy's note says how it was found."""
    found = preview(session, decision_id, scope)
    if not found.file_ids:
        return []
    choice = _choice_of(session, decision_id)
    notes = {r.file_id: f"{choice.note} ({r.note})" for r in found.reach}
    return decide(session, found.file_ids, choice, scope, propagated_from=decision_id, notes=notes)


def _near(session: Session, pdq: str) -> dict[int, Reach]:
    """Stored pictures within the PDQ threshold of ``pdq`` as it is, or else turned or
    mirrored (the closest)."""
    found = dihedral.search(picture_index(session), [pdq], pdq_threshold())
    return {f: Reach(f, distance, turned) for (_k, f), (distance, turned) in found.items()}


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
