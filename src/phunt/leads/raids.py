"""Raid planning: raids of an operation planned on targets, and their outcome.

A plan is not a raid: the dashboard and the operation report count raids carried out. The
outcome is written through the case services (:mod:`phunt.cases`) as the raid, the case
registered, the suspects with their arrests and the devices seized, so every figure counts
it like a raid recorded by hand, and the plan keeps the raid and the case it led to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.cases.case_files import add_suspect, arrest_suspect, get_case, open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid, get_district, get_operation
from phunt.errors import NotFoundError, UsageError
from phunt.leads.targets import get_target, visible_targets
from phunt.schema.cases import DEVICE_KINDS, Case, Suspect
from phunt.schema.leads import Lead, LeadTarget, RaidPlan, Target
from phunt.schema.scope import Scope, in_scope


@dataclass(frozen=True)
class SeizedDevice:
    """A device seized at a raid, registered under its evidence number."""

    evidence_number: str
    kind: str
    make: str = ""
    model: str = ""
    imei: str = ""


def plan_raid(
    session: Session,
    operation: str | int,
    target_id: int,
    *,
    team_lead: str,
    planned_for: datetime,
    district: str | int | None = None,
    location: str = "",
) -> RaidPlan:
    """Plan a raid on a target; district and location default to the target's."""
    op = get_operation(session, operation)
    target = get_target(session, target_id, None)
    dist = get_district(session, district) if district is not None else target.district
    where = location.strip() or target.address
    if not where:
        raise UsageError(f"target {target.id} has no address: give the raid a location")
    if not team_lead.strip():
        raise UsageError("a raid needs a team lead")
    plan = RaidPlan(
        operation_id=op.id,
        target_id=target.id,
        district_id=dist.id,
        location=where,
        team_lead=team_lead.strip()[:200],
        planned_for=planned_for,
    )
    session.add(plan)
    session.flush()
    details = {
        "operation": op.name,
        "target": target.id,
        "district": dist.name,
        "location": where,
        "team_lead": plan.team_lead,
        "planned_for": planned_for.isoformat(),
    }
    audit.append(session, "raid_plan.create", "raid_plan", plan.id, details)
    return plan


def get_plan(session: Session, plan_id: int) -> RaidPlan:
    plan = session.get(RaidPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"no raid plan {plan_id}")
    return plan


def list_plans(
    session: Session, scope: Scope, *, operation: str | int | None = None
) -> list[RaidPlan]:
    """Plans of targets (or cases) the scope sees, in planned order."""
    visible = select(Target.id).where(visible_targets(scope))
    query = select(RaidPlan).where(
        or_(RaidPlan.target_id.in_(visible), in_scope(RaidPlan.case_id, scope))
    )
    if operation is not None:
        query = query.where(RaidPlan.operation_id == get_operation(session, operation).id)
    return list(session.scalars(query.order_by(RaidPlan.planned_for, RaidPlan.id)))


def record_outcome(
    session: Session,
    plan_id: int,
    *,
    raided_at: datetime,
    case_id: int | None = None,
    case_number: str = "",
    station: str = "",
    statutes: list[str] | None = None,
    target_arrested: bool = False,
    others_arrested: list[str] | None = None,
    devices: list[SeizedDevice] | None = None,
    note: str = "",
) -> RaidPlan:
    """Record what a planned raid found: the raid, the case registered (a new one from
    ``case_number`` and ``station``, or ``case_id``), arrests and devices seized."""
    plan = get_plan(session, plan_id)
    if plan.raid_id is not None:
        raise UsageError(
            f"the outcome of raid plan {plan.id} is recorded already (raid {plan.raid_id})"
        )
    others = [name.strip() for name in others_arrested or [] if name.strip()]
    if case_id is not None and case_number.strip():
        raise UsageError("give either an existing case or a new case number, not both")
    if (target_arrested or others) and case_id is None and not case_number.strip():
        raise UsageError("an arrest needs a case: give the case registered")
    for device in devices or []:  # checked before anything is written
        if device.kind not in DEVICE_KINDS:
            kinds = ", ".join(DEVICE_KINDS)
            raise UsageError(f"unknown device kind {device.kind!r} (choose from: {kinds})")
    raid = add_raid(
        session, plan.operation_id, plan.district_id, plan.location, raided_at, plan.team_lead
    )
    case = _case(session, plan, raid.id, raided_at, case_id, case_number, station, statutes)
    suspect = _suspects(session, plan.target, case, raided_at, target_arrested, others)
    for device in devices or []:
        add_device(
            session,
            device.evidence_number,
            device.kind,
            make=device.make,
            model=device.model,
            imei=device.imei,
            raid_id=raid.id,
            suspect_id=suspect.id if suspect is not None else None,
            case_id=case.id if case is not None else None,
        )
    plan.raid_id = raid.id
    plan.case_id = case.id if case is not None else None
    plan.outcome_note = note.strip()
    if case is not None:
        _give_case(session, plan.target, case.id)
    session.flush()
    details = {
        "raid": raid.id,
        "case": plan.case_id,
        "target_arrested": target_arrested,
        "others_arrested": others,
        "devices": [d.evidence_number for d in devices or []],
        "note": plan.outcome_note,
    }
    audit.append(session, "raid_plan.outcome", "raid_plan", plan.id, details)
    return plan


def _case(
    session: Session,
    plan: RaidPlan,
    raid_id: int,
    raided_at: datetime,
    case_id: int | None,
    number: str,
    station: str,
    statutes: list[str] | None,
) -> Case | None:
    if case_id is not None:
        return get_case(session, case_id)
    if not number.strip():
        return None
    return open_case(
        session,
        number,
        station,
        plan.district_id,
        statutes or [],
        operation=plan.operation_id,
        raid_id=raid_id,
        opened_at=raided_at,
    )


def _suspects(
    session: Session,
    target: Target,
    case: Case | None,
    at: datetime,
    target_arrested: bool,
    others: list[str],
) -> Suspect | None:
    """The target named as a suspect of the case (arrested or not), and others arrested."""
    if case is None:
        return None
    handles = session.scalars(
        select(Lead.account)
        .join(LeadTarget, LeadTarget.lead_id == Lead.id)
        .where(LeadTarget.target_id == target.id, Lead.account != "")
        .distinct()
    )
    suspect = add_suspect(
        session, case.id, target.name, phones=list(target.phones), handles=sorted(handles)
    )
    if target_arrested:
        arrest_suspect(session, suspect.id, at)
    for name in others:
        arrest_suspect(session, add_suspect(session, case.id, name).id, at)
    return suspect


def _give_case(session: Session, target: Target, case_id: int) -> None:
    """The case registered takes the target and its leads that had none, so the case's
    assignees see them."""
    if target.case_id is None:
        target.case_id = case_id
    lead_ids = select(LeadTarget.lead_id).where(LeadTarget.target_id == target.id)
    for lead in session.scalars(select(Lead).where(Lead.id.in_(lead_ids), Lead.case_id.is_(None))):
        lead.case_id = case_id
