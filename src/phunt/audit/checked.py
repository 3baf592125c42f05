"""The audit page's cheap view of the chain: the last completed verification, stored, and
a walk of only the records written since.

Walking a million records takes about half a minute, too long for every page view. A
full verification (``phunt audit verify``'s check, run from the page on request) is
stored with who ran it, when and how far it reached, and is itself audited; a view then
checks that the record it reached still has the hash it had, and walks the records after
it. What was checked when is said in words, so records not verified on a view are never
called intact on its authority.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit.store import (
    GENESIS,
    Verdict,
    append,
    current_actor,
    head_of,
    verify,
    verify_after,
)
from phunt.schema.audit import AuditRecord, AuditVerification
from phunt.schema.types import utcnow


@dataclass(frozen=True)
class Verified:
    """A stored verification: who, when, how far (``records``), and its verdict."""

    at: datetime
    actor: str
    records: int
    head: str
    full: bool
    ok: bool
    first_bad: int | None
    problem: str | None
    detail: str


@dataclass(frozen=True)
class PageCheck:
    """What a view of the page knows: the last stored verification (or None), the records
    walked on this view (``first``..``last``; none when ``first > last``), and the verdict
    whose ``scope`` says both in words."""

    last: Verified | None
    first: int
    last_seq: int
    verdict: Verdict


def verify_and_record(session: Session) -> Verdict:
    """Run the full check (chain, seals, sealed rows) and store its verdict, audited.

    How far it reached is the head read before the walk, so it never claims records
    written while it ran."""
    seq, head = head_of(session)
    verdict = verify(session)
    row = AuditVerification(
        at=utcnow(),
        actor=current_actor(),
        records=seq,
        head=head,
        full=True,
        ok=verdict.ok,
        first_bad=verdict.first_bad,
        problem=verdict.problem,
        detail=verdict.detail if not verdict.ok else verdict.scope,
    )
    session.add(row)
    session.flush()
    details = {"records": seq, "ok": verdict.ok, "first_bad": verdict.first_bad}
    append(session, "audit.verify", "audit_verification", row.id, details | {"full": True})
    return verdict


def last_verification(session: Session) -> Verified | None:
    """The newest stored verification, or None when the chain was never verified."""
    newest = select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1)
    row = session.scalars(newest).first()
    if row is None:
        return None
    return Verified(
        row.at, row.actor, row.records, row.head, row.full,
        row.ok, row.first_bad, row.problem, row.detail,
    )  # fmt: skip


def in_utc(at: datetime) -> str:
    """A stored verification's time in UTC, to the minute (stored naive times are UTC)."""
    return f"{at.replace(tzinfo=at.tzinfo or UTC).astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def page_check(session: Session, shown: Callable[[datetime], str] = in_utc) -> PageCheck:
    """The chain's status for a page view: the stored verdict for the records the last
    verification reached, and a walk of the records after them only.

    ``shown`` writes the last verification's time in the scope's sentence: a page passes
    the formatting of the times around it (its zone's), so the two read alike."""
    last = last_verification(session)
    seq, head = (last.records, last.head) if last is not None else (0, GENESIS)
    if last is not None and not last.ok:
        said = f"no record checked on this view; {_said(last, shown)}"
        broken = Verdict(False, last.records, last.first_bad, last.problem, last.detail, scope=said)
        return PageCheck(last, 1, 0, broken)
    if seq:
        reached = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == seq))
        if reached != head:
            problem = "deleted" if reached is None else "altered"
            detail = f"record {seq}, where the last verification ended, changed since"
            said = f"record {seq} checked on this view; {_said(last, shown)}"
            return PageCheck(last, seq, seq, Verdict(False, seq, seq, problem, detail, scope=said))
    now, _ = head_of(session)  # read first: never claim a record appended during the walk
    # Never verified: the whole chain, as ``verify`` walks it (a restored case's signed
    # prefix included), without the seals and rows.
    verdict = verify_after(session, seq, head) if seq else verify(session, rows=False, seals=False)
    walked = f"{_records(seq + 1, now)} checked on this view (chain links only)"
    if seq >= now:
        walked = "no new record since"
    said = f"{walked}; {_said(last, shown)}"
    if verdict.scope:
        said = f"{said}; {verdict.scope}"
    return PageCheck(last, seq + 1, now, replace(verdict, scope=said))


def _records(first: int, last: int) -> str:
    """``records 7 to 10``, or ``record 7`` when that is the only one."""
    return f"record {first}" if first == last else f"records {first} to {last}"


def _said(last: Verified | None, shown: Callable[[datetime], str]) -> str:
    if last is None:
        return "no verification stored before"
    kind = "full verification" if last.full else "verification"
    reach = _records(1, last.records) if last.records else "the empty log"
    outcome = "intact" if last.ok else f"broken at record {last.first_bad}"
    return (
        f"{reach}: {outcome} by the {kind} of {last.actor} at {shown(last.at)}, "
        "not re-checked on this view"
    )
