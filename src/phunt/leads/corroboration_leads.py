"""Corroboration of a lead, a target and a case, read from the leads and the seized devices.

The devices seized from a target are those of the raids planned on it once their outcome
is recorded (the raid a plan became), and those of the cases the target, its plans or its
leads belong to (the case's suspect's devices). A lead is corroborated on its target's
devices; a target and a case count the reported files of all their leads.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic.dataclasses import dataclass
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from phunt.errors import NotFoundError
from phunt.leads.corroboration import Found, Reported, Tally, find_on_devices, tally
from phunt.leads.corroboration_chats import Sighting, sightings
from phunt.leads.store import leads_of_case
from phunt.schema.cases import Device
from phunt.schema.leads import Lead, LeadFile, LeadTarget, RaidPlan, Target
from phunt.schema.scope import Scope


@dataclass(frozen=True)
class LeadCorroboration:
    """A lead's reported files found on its target's devices, and its phone or account
    seen in seized chats (those of the cases in the reader's scope)."""

    lead_id: int
    target_id: int | None
    device_ids: list[int]
    reported: list[Reported]
    found: list[Found]
    tally: Tally
    sightings: list[Sighting]

    def found_of(self, reported_id: int) -> list[Found]:
        return [f for f in self.found if f.reported_id == reported_id]


@dataclass(frozen=True)
class GroupCorroboration:
    """The leads of a target or a case, each corroborated, and their total."""

    leads: list[LeadCorroboration]
    tally: Tally


def reported_files(session: Session, lead_ids: Iterable[int]) -> list[Reported]:
    """The reported files of ``lead_ids``, in lead then file order."""
    ids = sorted(set(lead_ids))
    if not ids:
        return []
    query = select(LeadFile).where(LeadFile.lead_id.in_(ids))
    return [
        Reported(id=f.id, lead_id=f.lead_id, name=f.name, md5=f.md5, sha1=f.sha1, pdq=f.pdq)
        for f in session.scalars(query.order_by(LeadFile.lead_id, LeadFile.id))
    ]


def target_devices(session: Session, target_id: int) -> list[int]:
    """The devices seized from target ``target_id`` (see the module)."""
    target = session.get(Target, target_id)
    if target is None:
        raise NotFoundError(f"no target {target_id}")
    plans = session.execute(
        select(RaidPlan.raid_id, RaidPlan.case_id).where(RaidPlan.target_id == target_id)
    ).all()
    raids = {raid for raid, _case in plans if raid is not None}
    cases = {case for _raid, case in plans if case is not None}
    lead_cases = select(Lead.case_id).join(LeadTarget, LeadTarget.lead_id == Lead.id)
    cases |= {c for c in session.scalars(lead_cases.where(LeadTarget.target_id == target_id)) if c}
    if target.case_id is not None:
        cases.add(target.case_id)
    if not raids and not cases:
        return []
    query = select(Device.id).where(
        or_(Device.raid_id.in_(sorted(raids)), Device.case_id.in_(sorted(cases)))
    )
    return sorted(session.scalars(query))


def lead_target(session: Session, lead_id: int) -> int | None:
    """The target lead ``lead_id`` was resolved to, if any."""
    query = select(LeadTarget.target_id).where(LeadTarget.lead_id == lead_id)
    return session.scalars(query).first()


def corroborate_lead(session: Session, lead_id: int, scope: Scope) -> LeadCorroboration:
    """Lead ``lead_id``'s reported files on its target's devices, and where its phone or
    account was seen in the chats of the cases in ``scope``."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError(f"no lead {lead_id}")
    target_id = lead_target(session, lead_id)
    return _corroborate(session, lead, target_id, scope, {})


def _corroborate(
    session: Session,
    lead: Lead,
    target_id: int | None,
    scope: Scope,
    devices_of: dict[int, list[int]],
) -> LeadCorroboration:
    if target_id is not None and target_id not in devices_of:
        devices_of[target_id] = target_devices(session, target_id)
    devices = devices_of.get(target_id, []) if target_id is not None else []
    reported = reported_files(session, [lead.id])
    found = find_on_devices(session, reported, devices)
    seen = sightings(session, [lead.phone], [lead.account_key], scope)
    return LeadCorroboration(
        lead_id=lead.id,
        target_id=target_id,
        device_ids=devices,
        reported=reported,
        found=found,
        tally=tally(reported, found),
        sightings=seen,
    )


def _group(session: Session, leads: list[Lead], scope: Scope) -> GroupCorroboration:
    query = select(LeadTarget.lead_id, LeadTarget.target_id).where(
        LeadTarget.lead_id.in_([lead.id for lead in leads])
    )
    targets = {lead_id: target_id for lead_id, target_id in session.execute(query)}
    devices_of: dict[int, list[int]] = {}
    rows = [_corroborate(session, lead, targets.get(lead.id), scope, devices_of) for lead in leads]
    total = Tally(sum(r.tally.found for r in rows), sum(r.tally.reported for r in rows))
    return GroupCorroboration(rows, total)


def corroborate_target(session: Session, target_id: int, scope: Scope) -> GroupCorroboration:
    """Every lead resolved to target ``target_id``, corroborated, and their total."""
    if session.get(Target, target_id) is None:
        raise NotFoundError(f"no target {target_id}")
    query = select(Lead).join(LeadTarget, LeadTarget.lead_id == Lead.id)
    leads = list(session.scalars(query.where(LeadTarget.target_id == target_id).order_by(Lead.id)))
    return _group(session, leads, scope)


def corroborate_case(session: Session, case_id: int, scope: Scope) -> GroupCorroboration:
    """The leads of case ``case_id`` (:func:`phunt.leads.store.leads_of_case`),
    corroborated, and their total."""
    return _group(session, leads_of_case(session, case_id), scope)


def leads_naming(session: Session, phones: Iterable[str], accounts: Iterable[str]) -> list[int]:
    """Ids of the leads that name one of ``phones`` (E.164) or ``accounts`` (compared as
    :func:`phunt.leads.corroboration_chats.account_key` gives them): a seized chat's person
    shows the leads that reported them."""
    wanted_phones = sorted({p for p in phones if p})
    wanted_accounts = sorted({a for a in accounts if a})
    conditions = []
    if wanted_phones:
        conditions.append(Lead.phone.in_(wanted_phones))
    if wanted_accounts:
        conditions.append(Lead.account_key.in_(wanted_accounts))
    if not conditions:
        return []
    return list(session.scalars(select(Lead.id).where(or_(*conditions)).order_by(Lead.id)))
