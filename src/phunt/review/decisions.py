"""Review decisions: an examiner's category or label on stored files, every change kept.

Setting a decision on a file that has one writes a new row that names the old one, and
marks the old one superseded, in the same transaction as its audit record: a file's
history is its chain of rows, and the audit log says who changed what when. A category
travels with its scheme (VICS 2.0 unless told), as everywhere in phunt; "not pertinent"
is VICS 2.0 category 0. Files are read only within the viewer's scope (a set of case
ids, or None for all): a file outside it is refused as an unknown one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic.dataclasses import dataclass
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.errors import ConflictError, NotFoundError, UsageError
from phunt.hashsets.categories import VICS_US, Category, check_scheme, code_problem, label
from phunt.schema.cases import Device
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision
from phunt.schema.scope import Scope, in_scope

#: The VICS 2.0 code of "not pertinent".
NOT_PERTINENT = 0
#: Longest unit label, as the column holds it.
LABEL_MAX = 100


@dataclass(frozen=True)
class Choice:
    """What a decision says: a category (with its scheme), a unit label, or both."""

    code: int | None = None
    scheme: str = VICS_US
    label: str | None = None
    note: str | None = None

    def check(self) -> Choice:
        """This choice once it says something readable; otherwise a UsageError."""
        text = (self.label or "").strip() or None
        if self.code is None and text is None:
            raise UsageError("a decision needs a category or a label")
        check_scheme(self.scheme)
        if self.code is not None:
            problem = code_problem(self.code, self.scheme)
            if problem:
                raise UsageError(problem)
        if text is not None and len(text) > LABEL_MAX:
            raise UsageError(f"a label is at most {LABEL_MAX} characters")
        note = (self.note or "").strip() or None
        return Choice(self.code, self.scheme, text, note)


@dataclass(frozen=True)
class Decision:
    """One decision row with the file and device it is about."""

    id: int
    file_id: int
    path: str
    sha256: str | None
    device_id: int
    evidence_number: str
    case_id: int | None
    category_code: int | None
    category_scheme: str | None
    category: str | None
    label: str | None
    note: str | None
    decided_by: str
    decided_at: datetime
    previous_id: int | None
    superseded_by_id: int | None
    propagated_from_id: int | None

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _decisions() -> Select[ReviewDecision, str, str | None, Device]:
    return (
        select(ReviewDecision, EvidenceFile.path, EvidenceFile.sha256, Device)
        .join(EvidenceFile, EvidenceFile.id == ReviewDecision.file_id)
        .join(Device, Device.id == EvidenceFile.device_id)
    )


def _decision(row: Any) -> Decision:
    d, path, sha256, device = row
    meaning = None
    if d.category_code is not None and d.category_scheme is not None:
        meaning = label(Category(d.category_code, d.category_scheme))
    return Decision(
        d.id, d.file_id, path, sha256, device.id, device.evidence_number, device.case_id,
        d.category_code, d.category_scheme, meaning, d.label, d.note, d.decided_by,
        d.decided_at, d.previous_id, d.superseded_by_id, d.propagated_from_id,
    )  # fmt: skip


def visible_files(session: Session, file_ids: Sequence[int], scope: Scope) -> list[int]:
    """``file_ids`` (once each, in order) when every one is a stored file in ``scope``;
    otherwise a NotFoundError naming the first that is not (unknown and unseen alike)."""
    wanted = list(dict.fromkeys(file_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        query = (
            select(EvidenceFile.id)
            .join(Device, Device.id == EvidenceFile.device_id)
            .where(EvidenceFile.id.in_(chunk), in_scope(Device.case_id, scope))
        )
        found.update(session.scalars(query))
    for file_id in wanted:
        if file_id not in found:
            raise NotFoundError(f"no stored file {file_id}")
    return wanted


def current_rows(session: Session, file_ids: Sequence[int]) -> dict[int, ReviewDecision]:
    """The current decision row of each of ``file_ids`` that has one."""
    out: dict[int, ReviewDecision] = {}
    for start in range(0, len(file_ids), 5000):
        query = select(ReviewDecision).where(
            ReviewDecision.file_id.in_(file_ids[start : start + 5000]),
            ReviewDecision.superseded_by_id.is_(None),
        )
        out.update((row.file_id, row) for row in session.scalars(query))
    return out


def decide(
    session: Session,
    file_ids: Sequence[int],
    choice: Choice,
    scope: Scope = None,
    *,
    propagated_from: int | None = None,
    notes: Mapping[int, str] | None = None,
    seen: Mapping[int, int | None] | None = None,
) -> list[int]:
    """Record ``choice`` on each file (a selection is one call), superseding any current
    decision; returns the new decisions' ids in the order of ``file_ids``. A file whose
    current decision already says the same is left alone (no new row, its id returned).
    ``notes`` replaces the choice's note for the files it names (how a copy was found).

    The files' rows are locked first, so two examiners deciding on one file at once
    decide one after the other, never both superseding the same decision. ``seen`` maps a
    file to the current decision the user saw (None: none); when another was made since,
    a :class:`ConflictError` names it and nothing is recorded.
    """
    choice = choice.check()
    files = visible_files(session, file_ids, scope)
    ordered = sorted(files)  # one order for every writer: no deadlock
    for start in range(0, len(ordered), 5000):
        lock = select(EvidenceFile.id).where(EvidenceFile.id.in_(ordered[start : start + 5000]))
        session.execute(lock.order_by(EvidenceFile.id).with_for_update())
    current = current_rows(session, files)
    _check_seen(current, seen or {})
    who = audit.current_actor()
    made: list[ReviewDecision] = []
    ids: dict[int, ReviewDecision] = {}
    for file_id in files:
        this = choice
        if notes is not None and file_id in notes:
            this = Choice(choice.code, choice.scheme, choice.label, notes[file_id])
        old = current.get(file_id)
        if old is not None and _says(old, this):
            ids[file_id] = old
            continue
        row = ReviewDecision(
            file_id=file_id,
            category_code=this.code,
            category_scheme=None if this.code is None else this.scheme,
            label=this.label,
            note=this.note,
            decided_by=who,
            previous_id=None if old is None else old.id,
            propagated_from_id=propagated_from,
        )
        session.add(row)
        made.append(row)
        ids[file_id] = row
    session.flush()
    for row in made:
        if row.previous_id is not None:
            current[row.file_id].superseded_by_id = row.id
    if made:
        details: dict[str, Any] = {
            "decisions": [row.id for row in made],
            "files": [row.file_id for row in made],
            "replaced": [row.previous_id for row in made if row.previous_id is not None],
            "category": choice.code,
            "category_scheme": None if choice.code is None else choice.scheme,
            "label": choice.label,
            "note": choice.note,
            "propagated_from": propagated_from,
        }
        if notes is not None:
            details["notes"] = [row.note for row in made]
        action = "review.propagate" if propagated_from is not None else "review.decide"
        audit.append(session, action, "review_decision", made[0].id, details, actor=who)
    return [ids[file_id].id for file_id in files]


def _check_seen(current: Mapping[int, ReviewDecision], seen: Mapping[int, int | None]) -> None:
    for file_id, saw in seen.items():
        now = current.get(file_id)
        if (None if now is None else now.id) != saw:
            what = (
                "its decision was removed"
                if now is None
                else (
                    f"{now.decided_by} decided it at {now.decided_at:%Y-%m-%d %H:%M:%S} UTC "
                    f"(decision {now.id})"
                )
            )
            raise ConflictError(
                f"file {file_id}: {what} since you read it; reload it and decide again"
            )


def _says(row: ReviewDecision, choice: Choice) -> bool:
    scheme = None if choice.code is None else choice.scheme
    return (row.category_code, row.category_scheme, row.label, row.note) == (
        choice.code,
        scheme,
        choice.label,
        choice.note,
    )


def get_decision(session: Session, decision_id: int, scope: Scope = None) -> Decision:
    """One decision, if its file is in ``scope``."""
    query = _decisions().where(ReviewDecision.id == decision_id, in_scope(Device.case_id, scope))
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError(f"no review decision {decision_id}")
    return _decision(row)


def history(session: Session, file_id: int, scope: Scope = None) -> list[Decision]:
    """Every decision ever made on a file, oldest first."""
    visible_files(session, [file_id], scope)
    query = _decisions().where(ReviewDecision.file_id == file_id).order_by(ReviewDecision.id)
    return [_decision(row) for row in session.execute(query)]


def list_decisions(
    session: Session,
    scope: Scope = None,
    *,
    device_id: int | None = None,
    case_id: int | None = None,
    include_superseded: bool = False,
    limit: int = 0,
) -> list[Decision]:
    """Decisions (current ones unless asked) on files of a device, a case, or everything
    in ``scope``, newest first."""
    query = _decisions().where(in_scope(Device.case_id, scope))
    if device_id is not None:
        query = query.where(Device.id == device_id)
    if case_id is not None:
        query = query.where(Device.case_id == case_id)
    if not include_superseded:
        query = query.where(ReviewDecision.superseded_by_id.is_(None))
    query = query.order_by(ReviewDecision.id.desc())
    if limit:
        query = query.limit(limit)
    return [_decision(row) for row in session.execute(query)]


def propagated_from(session: Session, decision_id: int) -> list[int]:
    """Ids of the decisions that name ``decision_id`` as their source."""
    query = (
        select(ReviewDecision.id)
        .where(ReviewDecision.propagated_from_id == decision_id)
        .order_by(ReviewDecision.id)
    )
    return list(session.scalars(query))
