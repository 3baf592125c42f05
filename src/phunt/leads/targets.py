"""Targets: the people leads resolve to, and the order in which to go after them.

An investigator resolves a lead to a person once the subscriber details of its IP address,
phone or account come back (from an ISP, a telecom operator, a platform), and says from
whom, since the raid and the court rely on it. Targets are ranked within their district by
what the unit holds against them: reports, reported files on the unit's known-bad lists,
accounts named by more than one report, and seized group chats their numbers or accounts
are already in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.store import current_actor
from phunt.cases.operations import get_district
from phunt.chats.store import GROUP_KINDS
from phunt.errors import NotFoundError, UsageError
from phunt.hashsets.store import list_hash_sets, load_hash_sets
from phunt.leads.store import get_lead, visible
from phunt.matching.engine import MatchEngine
from phunt.phones import parse_phone
from phunt.schema.cases import District
from phunt.schema.chats import ChatParticipant, ChatRecord
from phunt.schema.leads import Lead, LeadFile, LeadTarget, Target
from phunt.schema.scope import Scope


@dataclass
class TargetRow:
    """A target with the figures that rank it (``rank``: 1 is first in its district)."""

    id: int
    name: str
    district: str
    address: str
    phones: list[str]
    case_id: int | None
    reports: int = 0
    known_bad_files: int = 0
    accounts_seen_again: int = 0
    chat_groups: int = 0
    rank: int = 0
    lead_ids: list[int] = field(default_factory=list)

    def priority(self) -> tuple[int, int, int, int]:
        """What ranks a target, weightiest first."""
        return (self.known_bad_files, self.reports, self.chat_groups, self.accounts_seen_again)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_lead(
    session: Session,
    lead_id: int,
    scope: Scope,
    *,
    target_id: int | None = None,
    name: str = "",
    address: str = "",
    district: str | int | None = None,
    phones: list[str] | None = None,
    subscriber_details: str = "",
    subscriber_source: str = "",
) -> Target:
    """Resolve a lead to an existing target, or to a new one described by the rest."""
    lead = get_lead(session, lead_id, scope)
    done = session.scalar(select(LeadTarget).where(LeadTarget.lead_id == lead.id))
    if done is not None:
        if target_id is None or done.target_id != target_id:
            raise UsageError(f"lead {lead.id} is already resolved to target {done.target_id}")
        return get_target(session, done.target_id, scope)
    if target_id is not None:
        target = get_target(session, target_id, scope)
    else:
        target = _new_target(
            session, name, address, district, phones, subscriber_details, subscriber_source
        )
    if target.case_id is None:
        target.case_id = lead.case_id  # the lead's case follows it to its target
    elif lead.case_id is None:
        lead.case_id = target.case_id
    session.add(LeadTarget(lead_id=lead.id, target_id=target.id, resolved_by=current_actor()))
    session.flush()
    details = {
        "lead": lead.id,
        "report_id": lead.report_id,
        "target": target.id,
        "name": target.name,
        "district": target.district.name,
        "phones": target.phones,
        "subscriber_source": target.subscriber_source,
    }
    audit.append(session, "lead.resolve", "lead", lead.id, details)
    return target


def _new_target(
    session: Session,
    name: str,
    address: str,
    district: str | int | None,
    phones: list[str] | None,
    details: str,
    source: str,
) -> Target:
    if not name.strip():
        raise UsageError("a new target needs a name (or give the id of an existing target)")
    if district is None:
        raise UsageError("a new target needs a district")
    if details.strip() and not source.strip():
        raise UsageError("say from whom the subscriber details came (an ISP, an operator ...)")
    target = Target(
        name=name.strip()[:200],
        address=address.strip(),
        district_id=get_district(session, district).id,
        phones=sorted({parse_phone(p) for p in phones or [] if p.strip()}),
        subscriber_details=details.strip(),
        subscriber_source=source.strip()[:200],
    )
    session.add(target)
    session.flush()
    return target


def visible_targets(scope: Scope) -> ColumnElement[bool]:
    """Targets of a case in scope, or with a lead of one."""
    if scope is None:
        return Target.id.is_not(None)
    cases = sorted(scope)
    of_leads = select(LeadTarget.target_id).join(Lead, Lead.id == LeadTarget.lead_id)
    return or_(Target.case_id.in_(cases), Target.id.in_(of_leads.where(Lead.case_id.in_(cases))))


def get_target(session: Session, target_id: int, scope: Scope) -> Target:
    """A target the scope sees; one it does not see is "not found"."""
    target = session.get(Target, target_id)
    if target is None or (
        not visible(target.case_id, scope)
        and session.scalar(select(Target.id).where(Target.id == target_id, visible_targets(scope)))
        is None
    ):
        raise NotFoundError(f"no target {target_id}")
    return target


def list_targets(
    session: Session, scope: Scope, *, district: str | int | None = None
) -> list[TargetRow]:
    """Targets by district name, then priority (highest first), then id."""
    query = select(Target, District.name).join(District, District.id == Target.district_id)
    query = query.where(visible_targets(scope))
    if district is not None:
        query = query.where(Target.district_id == get_district(session, district).id)
    rows = {
        t.id: TargetRow(t.id, t.name, name, t.address, list(t.phones), t.case_id)
        for t, name in session.execute(query)
    }
    if not rows:
        return []
    leads = _leads_by_target(session, list(rows))
    for target_id, target_leads in leads.items():
        row = rows[target_id]
        row.lead_ids = [lead.id for lead in target_leads]
        row.reports = len(target_leads)
    _count_known_bad(session, rows, leads)
    _count_accounts(session, rows, leads)
    _count_groups(session, rows, leads)
    ordered = sorted(
        rows.values(), key=lambda r: (r.district, tuple(-n for n in r.priority()), r.id)
    )
    place: dict[str, int] = defaultdict(int)
    for row in ordered:
        place[row.district] += 1
        row.rank = place[row.district]
    return ordered


def _leads_by_target(session: Session, target_ids: list[int]) -> dict[int, list[Lead]]:
    query = (
        select(LeadTarget.target_id, Lead)
        .join(Lead, Lead.id == LeadTarget.lead_id)
        .where(LeadTarget.target_id.in_(target_ids))
        .order_by(Lead.id)
    )
    out: dict[int, list[Lead]] = defaultdict(list)
    for target_id, lead in session.execute(query):
        out[target_id].append(lead)
    return out


def _count_known_bad(
    session: Session, rows: dict[int, TargetRow], leads: dict[int, list[Lead]]
) -> None:
    """Reported files of each target that a known-bad list holds (any hash; PDQ within the
    engine's threshold), each file counted once."""
    names = [hs.name for hs in list_hash_sets(session) if hs.kind == "known-bad"]
    owner = {lead.id: target_id for target_id, ls in leads.items() for lead in ls}
    if not names or not owner:
        return
    files = list(session.scalars(select(LeadFile).where(LeadFile.lead_id.in_(sorted(owner)))))
    engine = MatchEngine()
    load_hash_sets(engine, session, names)
    queries = [(f, value) for f in files for value in (f.md5, f.sha1, f.pdq) if value]
    hits = engine.lookup_many([value for _, value in queries])
    listed = {f.id for (f, _), found in zip(queries, hits, strict=True) if _reportable(found)}
    for f in files:
        if f.id in listed:
            rows[owner[f.lead_id]].known_bad_files += 1


def _reportable(hits: list[Any]) -> bool:
    return any(hit.listed.reportable for hit in hits)


def _count_accounts(
    session: Session, rows: dict[int, TargetRow], leads: dict[int, list[Lead]]
) -> None:
    """Accounts of a target's reports that more than one report names."""
    keys = {lead.account_key for ls in leads.values() for lead in ls} - {""}
    if not keys:
        return
    query = (
        select(Lead.account_key, func.count())
        .where(Lead.account_key.in_(sorted(keys)))
        .group_by(Lead.account_key)
    )
    again = {key for key, count in session.execute(query) if count > 1}
    for target_id, ls in leads.items():
        rows[target_id].accounts_seen_again = len({lead.account_key for lead in ls} & again)


def _count_groups(
    session: Session, rows: dict[int, TargetRow], leads: dict[int, list[Lead]]
) -> None:
    """Seized group chats (one per platform id, however many phones held it) in which a
    target's phone numbers or its reports' phones or accounts take part."""
    for target_id, row in rows.items():
        ls = leads.get(target_id, [])
        phones = sorted(set(row.phones) | {lead.phone for lead in ls} - {""})
        names = sorted({lead.account_key for lead in ls} - {""})
        if not phones and not names:
            continue
        who: list[ColumnElement[bool]] = []
        if phones:
            who.append(ChatParticipant.phone.in_(phones))
        if names:
            handle = func.lower(func.ltrim(ChatParticipant.username, "@"))
            who.append(handle.in_(names))
        query = (
            select(func.count(func.distinct(ChatRecord.platform_id)))
            .join(ChatParticipant, ChatParticipant.chat_id == ChatRecord.id)
            .where(ChatRecord.kind.in_(GROUP_KINDS), or_(*who))
        )
        row.chat_groups = int(session.scalar(query) or 0)
