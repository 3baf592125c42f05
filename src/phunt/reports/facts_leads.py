"""The case report's leads: each report that led to the case, and which of its reported
files were found on the devices seized (by MD5, SHA-1, or PDQ with the distance).

Read through :mod:`phunt.leads.corroboration_leads`, the same code the lead, target and
case pages use, so the report and the pages give the same "N of M" counts. A report sees
every case (``scope`` ``None``): chats where a lead's phone or account was seen are not
listed here, as they may be another case's evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from phunt.leads.corroboration_leads import corroborate_case
from phunt.schema.leads import Lead


@dataclass(frozen=True)
class FoundFacts:
    """A reported file found on a device: where, and by which hash at what distance."""

    evidence_number: str
    path: str
    by: str
    distance: int


@dataclass(frozen=True)
class ReportedFacts:
    name: str
    md5: str | None
    sha1: str | None
    pdq: str | None
    found: list[FoundFacts]


@dataclass(frozen=True)
class LeadFacts:
    """One lead of the case as the report states it."""

    source: str
    report_id: str
    incident_at: datetime
    incident_zone: str
    platform: str
    account: str
    phone: str
    ip: str
    files: list[ReportedFacts]
    found: int
    reported: int


@dataclass(frozen=True)
class CaseLeadFacts:
    """The case's leads and "corroborated: ``found`` of ``reported`` reported files found"."""

    leads: list[LeadFacts]
    found: int
    reported: int


def case_lead_facts(session: Session, case_id: int) -> CaseLeadFacts:
    """The leads of case ``case_id`` with their reported files found on its devices."""
    group = corroborate_case(session, case_id, None)
    leads = []
    for row in group.leads:
        lead = session.get(Lead, row.lead_id)
        assert lead is not None  # read in this session a moment ago
        files = [
            ReportedFacts(
                name=r.name,
                md5=r.md5,
                sha1=r.sha1,
                pdq=r.pdq,
                found=[
                    FoundFacts(f.evidence_number, f.path, f.by, f.distance)
                    for f in row.found_of(r.id)
                ],
            )
            for r in row.reported
        ]
        leads.append(
            LeadFacts(
                source=lead.source.name,
                report_id=lead.report_id,
                incident_at=lead.incident_at,
                incident_zone=lead.incident_zone,
                platform=lead.platform,
                account=lead.account,
                phone=lead.phone,
                ip=lead.ip if lead.port is None else f"{lead.ip} port {lead.port}",
                files=files,
                found=row.tally.found,
                reported=row.tally.reported,
            )
        )
    return CaseLeadFacts(leads, group.tally.found, group.tally.reported)
