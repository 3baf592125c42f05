"""``/api/v1/leads`` and ``/api/v1/targets``: reports, the targets they resolved to, and
how far the devices seized from them corroborate the reports.

A lead or target belongs to a case (:attr:`phunt.schema.leads.Lead.case_id`): the case's
assignees see it, and those who see every case; one of no case yet only the latter. Any
other id answers 404 exactly as an unknown one. Every lead, target and case answers
"corroborated: N of M reported files found" (:mod:`phunt.leads.corroboration_leads`), and
a lead lists where its phone or account was seen in the chats of the caller's cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from phunt.accounts.access import Action, Viewer
from phunt.cases.browse import case_row
from phunt.leads import store, targets
from phunt.leads.corroboration import Found, Tally
from phunt.leads.corroboration_chats import Sighting, account_key
from phunt.leads.corroboration_leads import (
    LeadCorroboration,
    corroborate_case,
    corroborate_lead,
    corroborate_target,
    leads_naming,
)
from phunt.schema.db import Session
from phunt.schema.leads import Lead
from phunt.web.deps import DbSession, api_viewer, check_case, viewer_scope

CaseReader = Annotated[Viewer, api_viewer(Action.VIEW_CASES)]

router = APIRouter(prefix="/api/v1", tags=["leads"])


class TallyOut(BaseModel):
    """``text`` is the sentence every page shows: "corroborated: N of M reported files found"."""

    found: int
    reported: int
    text: str


class ReportedOut(BaseModel):
    """A reported file and where it was found (``by`` md5, sha1 or pdq with the distance)."""

    id: int
    name: str
    md5: str | None
    sha1: str | None
    pdq: str | None
    found: list[Found]


class LeadOut(BaseModel):
    id: int
    source: str
    report_id: str
    case_id: int | None
    incident_at: datetime
    incident_zone: str
    platform: str
    account: str
    phone: str
    email: str
    ip: str
    port: int | None
    isp: str
    location: str
    target_id: int | None
    corroboration: TallyOut


class LinkOut(BaseModel):
    """Another lead naming the same account, phone, e-mail or file (only leads the caller
    may open are listed)."""

    lead_id: int
    reason: str
    value: str


class LeadDetail(LeadOut):
    files: list[ReportedOut]
    links: list[LinkOut]
    device_ids: list[int]
    seen_in_chats: list[Sighting]


class TargetOut(BaseModel):
    id: int
    name: str
    district: str
    address: str
    phones: list[str]
    case_id: int | None
    reports: int
    known_bad_files: int
    accounts_seen_again: int
    chat_groups: int
    rank: int
    """1: the first to go after in its district."""
    corroboration: TallyOut


class TargetDetail(TargetOut):
    subscriber_details: str
    subscriber_source: str
    leads: list[LeadOut]


class LeadRef(BaseModel):
    """A lead named on a person's page: it reports one of their phones or accounts."""

    id: int
    source: str
    report_id: str
    platform: str
    account: str
    phone: str


class CaseLeads(BaseModel):
    case_id: int
    leads: list[LeadOut]
    corroboration: TallyOut


def tally_out(t: Tally) -> TallyOut:
    return TallyOut(found=t.found, reported=t.reported, text=str(t))


def lead_out(lead: Lead, c: LeadCorroboration) -> LeadOut:
    return LeadOut(
        id=lead.id,
        source=lead.source.name,
        report_id=lead.report_id,
        case_id=lead.case_id,
        incident_at=lead.incident_at,
        incident_zone=lead.incident_zone,
        platform=lead.platform,
        account=lead.account,
        phone=lead.phone,
        email=lead.email,
        ip=lead.ip,
        port=lead.port,
        isp=lead.isp,
        location=lead.location,
        target_id=c.target_id,
        corroboration=tally_out(c.tally),
    )


def lead_list(session: Session, viewer: Viewer, case_id: int | None = None) -> list[LeadOut]:
    """The leads the viewer may open (of one case when ``case_id``), each corroborated."""
    scope = viewer_scope(viewer)
    leads = store.list_leads(session, scope, case_id=case_id)
    return [lead_out(lead, corroborate_lead(session, lead.id, scope)) for lead in leads]


def lead_detail(session: Session, viewer: Viewer, lead_id: int) -> LeadDetail:
    """One lead the viewer may open: its files found, links, and chat sightings."""
    scope = viewer_scope(viewer)
    detail = store.lead_detail(session, lead_id, scope)
    c = corroborate_lead(session, lead_id, scope)
    files = [
        ReportedOut(id=r.id, name=r.name, md5=r.md5, sha1=r.sha1, pdq=r.pdq, found=c.found_of(r.id))
        for r in c.reported
    ]
    links = [
        LinkOut(lead_id=link.lead_id, reason=link.reason, value=link.value)
        for link in detail.links  # those the scope sees: store.lead_detail decides
    ]
    base = lead_out(detail.lead, c).model_dump()
    return LeadDetail.model_validate(
        {
            **base,
            "files": files,
            "links": links,
            "device_ids": c.device_ids,
            "seen_in_chats": c.sightings,
        }
    )


def target_out(row: targets.TargetRow, t: Tally) -> TargetOut:
    return TargetOut.model_validate(row.as_dict() | {"corroboration": tally_out(t)})


def target_list(session: Session, viewer: Viewer, district: str | None) -> list[TargetOut]:
    """The targets the viewer may open, by district then priority, each corroborated."""
    scope = viewer_scope(viewer)
    return [
        target_out(row, corroborate_target(session, row.id, scope).tally)
        for row in targets.list_targets(session, scope, district=district)
    ]


def target_detail(session: Session, viewer: Viewer, target_id: int) -> TargetDetail:
    """One target the viewer may open, its priority inputs and its leads corroborated."""
    scope = viewer_scope(viewer)
    target = targets.get_target(session, target_id, scope)
    rows = targets.list_targets(session, scope, district=target.district_id)
    row = next(r for r in rows if r.id == target.id)
    group = corroborate_target(session, target.id, scope)
    leads = {lead.id: lead for lead in store.list_leads(session, scope, target_id=target.id)}
    extra = {
        "subscriber_details": target.subscriber_details,
        "subscriber_source": target.subscriber_source,
        "leads": [lead_out(leads[c.lead_id], c) for c in group.leads if c.lead_id in leads],
    }
    return TargetDetail.model_validate(target_out(row, group.tally).model_dump() | extra)


def case_tally(session: Session, viewer: Viewer, case_id: int) -> TallyOut:
    """A case's "corroborated: N of M" line, for the case page (the case is checked there)."""
    return tally_out(corroborate_case(session, case_id, viewer_scope(viewer)).tally)


def case_leads(session: Session, viewer: Viewer, case_id: int) -> CaseLeads:
    """The leads of a case the viewer sees, and the case's corroboration."""
    check_case(viewer, case_id)
    case_row(session, case_id)  # an unknown case is a 404 for those who see all too
    scope = viewer_scope(viewer)
    group = corroborate_case(session, case_id, scope)
    leads = {lead.id: lead for lead in store.leads_of_case(session, case_id)}
    return CaseLeads(
        case_id=case_id,
        leads=[lead_out(leads[c.lead_id], c) for c in group.leads],
        corroboration=tally_out(group.tally),
    )


def person_leads(
    session: Session, viewer: Viewer, phones: list[str], accounts: list[str]
) -> list[LeadRef]:
    """The leads the viewer may open that name one of a chat person's ``phones`` (E.164)
    or ``accounts`` (usernames, platform ids)."""
    keys = [k for k in (account_key(a) for a in accounts) if k]
    named = set(leads_naming(session, phones, keys))
    if not named:
        return []
    return [
        LeadRef(
            id=lead.id,
            source=lead.source.name,
            report_id=lead.report_id,
            platform=lead.platform,
            account=lead.account,
            phone=lead.phone,
        )
        for lead in store.list_leads(session, viewer_scope(viewer))
        if lead.id in named
    ]


@router.get("/leads", response_model=list[LeadOut])
def get_leads(session: DbSession, viewer: CaseReader) -> list[LeadOut]:
    """The leads of the caller's cases (every lead for those who see all), corroborated."""
    return lead_list(session, viewer)


@router.get("/leads/{lead_id}", response_model=LeadDetail)
def get_lead(session: DbSession, viewer: CaseReader, lead_id: int) -> LeadDetail:
    """A lead: the report, its files and where each was found, linked leads, and the
    chats where its phone or account was seen."""
    return lead_detail(session, viewer, lead_id)


@router.get("/targets", response_model=list[TargetOut])
def get_targets(
    session: DbSession,
    viewer: CaseReader,
    district: Annotated[str | None, Query(max_length=100)] = None,
) -> list[TargetOut]:
    """Targets by district, then priority (reports, known-bad files reported, accounts
    seen again, groups already found in seized chats), each corroborated."""
    return target_list(session, viewer, district)


@router.get("/targets/{target_id}", response_model=TargetDetail)
def get_target(session: DbSession, viewer: CaseReader, target_id: int) -> TargetDetail:
    """A target, its priority inputs, and its leads corroborated."""
    return target_detail(session, viewer, target_id)


@router.get("/cases/{case_id}/leads", response_model=CaseLeads)
def get_case_leads(session: DbSession, viewer: CaseReader, case_id: int) -> CaseLeads:
    """The leads of a case and "corroborated: N of M reported files found" for it."""
    return case_leads(session, viewer, case_id)
