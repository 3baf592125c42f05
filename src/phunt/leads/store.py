"""Lead sources, spreadsheet imports and the leads they hold, with the links between leads.

An import reads and checks the whole file before it writes a row, then writes in the
caller's transaction with one audit record sealing every row it wrote: a bad cell anywhere
leaves the database as it was. A report already imported from the same source (same
report id) is recognised and gains only the reported files it did not have; every lead
keeps its own source, and leads naming the same account, phone, e-mail or file are linked.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.seal import pending
from phunt.audit.store import current_actor
from phunt.cases.case_files import get_case
from phunt.errors import NotFoundError, UsageError
from phunt.leads.mapping import parse_mapping
from phunt.leads.reports import Report, ReportedFile, read_reports
from phunt.leads.sheets import read_sheet
from phunt.schema.base import Base
from phunt.schema.leads import Lead, LeadFile, LeadImport, LeadLink, LeadSource, LeadTarget, Target
from phunt.schema.scope import Scope, in_scope
from phunt.schema.types import utcnow

_CHUNK = 500


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    source: str
    file_name: str
    file_sha256: str
    rows: int
    new_leads: int
    known_leads: int
    new_files: int
    links: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class LinkRow:
    """Another lead linked to the one shown, and what they share."""

    lead_id: int
    report_id: str
    source: str
    reason: str
    value: str


@dataclass
class LeadDetail:
    lead: Lead
    source: str
    imported: LeadImport
    files: list[LeadFile]
    links: list[LinkRow] = field(default_factory=list)
    target: Target | None = None


def save_source(session: Session, name: str, mapping: dict[str, Any]) -> LeadSource:
    """Create a source with its column mapping, or replace the mapping of an existing one."""
    name = name.strip()
    if not name:
        raise UsageError("a lead source needs a name")
    checked = parse_mapping(mapping, name).as_json()
    found = session.scalar(select(LeadSource).where(LeadSource.name == name))
    if found is not None and found.mapping == checked:
        return found
    if found is None:
        found = LeadSource(name=name, mapping=checked)
        session.add(found)
    else:
        found.mapping = checked
    session.flush()
    audit.append(session, "lead_source.save", "lead_source", found.id, {"name": name} | checked)
    return found


def get_source(session: Session, ref: str | int) -> LeadSource:
    """A source by id or exact name."""
    found = None
    if isinstance(ref, int) or str(ref).isdigit():
        found = session.get(LeadSource, int(ref))
    if found is None:
        found = session.scalar(select(LeadSource).where(LeadSource.name == str(ref)))
    if found is None:
        raise NotFoundError(f"no lead source {ref!r} (give its column mapping to create it)")
    return found


def list_sources(session: Session) -> list[LeadSource]:
    return list(session.scalars(select(LeadSource).order_by(LeadSource.id)))


def import_leads(
    session: Session,
    path: Path,
    source: str | int,
    *,
    mapping: dict[str, Any] | None = None,
    case_id: int | None = None,
) -> ImportSummary:
    """Import a spreadsheet of reports from ``source`` (created or its mapping replaced
    when ``mapping`` is given); new leads belong to case ``case_id`` when given."""
    src = save_source(session, str(source), mapping) if mapping else get_source(session, source)
    if case_id is not None:
        get_case(session, case_id)
    sheet = read_sheet(path)
    reports = read_reports(sheet, parse_mapping(src.mapping, src.name))
    data = path.read_bytes()
    record = LeadImport(
        source_id=src.id,
        file_name=str(path),
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        rows=len(sheet.rows),
        imported_by=current_actor(),
    )
    session.add(record)
    session.flush()
    leads = _known(session, src.id, [r.report_id for r in reports])
    had = _files_of(session, list(leads.values()))
    new_leads = [_lead(r, src.id, record.id, case_id) for r in reports if r.report_id not in leads]
    for row, lead_id in zip(new_leads, _insert(session, Lead, new_leads), strict=True):
        row["id"] = leads[row["report_id"]] = lead_id
    new_files = [
        {"lead_id": lead_id, "name": f.name, "md5": f.md5, "sha1": f.sha1, "pdq": f.pdq}
        for r in reports
        for lead_id in [leads[r.report_id]]
        for f in r.files
        if f not in had.get(lead_id, set())
    ]
    _insert(session, LeadFile, new_files)
    record.new_leads, record.known_leads = len(new_leads), len(reports) - len(new_leads)
    links = _link(session, new_leads, new_files)
    summary = ImportSummary(
        record.id,
        src.name,
        path.name,
        record.file_sha256,
        record.rows,
        record.new_leads,
        record.known_leads,
        len(new_files),
        links,
    )
    details = summary.as_dict() | {"path": str(path), "case": case_id}
    audit.append(session, "leads.import", "lead_import", record.id, details)
    return summary


def _known(session: Session, source_id: int, report_ids: list[str]) -> dict[str, int]:
    """The ids of the leads of ``source_id`` already holding these report ids."""
    found: dict[str, int] = {}
    for chunk in _chunks(report_ids):
        query = select(Lead.report_id, Lead.id).where(
            Lead.source_id == source_id, Lead.report_id.in_(chunk)
        )
        found.update((report_id, lead_id) for report_id, lead_id in session.execute(query))
    return found


def _files_of(session: Session, lead_ids: list[int]) -> dict[int, set[ReportedFile]]:
    """The files already reported with each of ``lead_ids``."""
    found: dict[int, set[ReportedFile]] = defaultdict(set)
    for chunk in _chunks(lead_ids):
        for f in session.scalars(select(LeadFile).where(LeadFile.lead_id.in_(chunk))):
            found[f.lead_id].add(ReportedFile(f.name, f.md5, f.sha1, f.pdq))
    return found


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in bulk (no object per row), sealed with the next audit record;
    their ids, in order."""
    ids: list[int] = []
    query = insert(model).returning(model.__table__.c.id, sort_by_parameter_order=True)
    for chunk in _chunks(rows):
        ids.extend(session.scalars(query, chunk))
    if ids:
        pending(session).rows.setdefault(model.__tablename__, set()).update(ids)
    return ids


def _lead(report: Report, source_id: int, import_id: int, case_id: int | None) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "import_id": import_id,
        "report_id": report.report_id,
        "case_id": case_id,
        "incident_at": report.incident_at,
        "incident_zone": report.incident_zone,
        "platform": report.platform,
        "account": report.account,
        "account_key": report.account_key,
        "phone": report.phone,
        "phone_raw": report.phone_raw,
        "email": report.email,
        "ip": report.ip,
        "port": report.port,
        "isp": report.isp,
        "location": report.location,
        "sheet_row": report.sheet_row,
        "created_at": utcnow(),
    }


def _link(session: Session, leads: list[dict[str, Any]], files: list[dict[str, Any]]) -> int:
    """Link every lead written now to every lead naming its account, phone, e-mail or
    reported file; the number of links made."""
    pairs: set[tuple[int, int, str, str]] = set()
    for reason, column in (
        ("account", Lead.account_key),
        ("phone", Lead.phone),
        ("email", Lead.email),
    ):
        values = {str(lead[column.key]) for lead in leads} - {""}
        holders: dict[str, set[int]] = defaultdict(set)
        for chunk in _chunks(sorted(values)):
            for lead_id, value in session.execute(select(Lead.id, column).where(column.in_(chunk))):
                holders[value].add(lead_id)
        new = {lead["id"] for lead in leads}
        pairs |= _pairs(holders, new, reason)
    file_holders: dict[str, set[int]] = defaultdict(set)
    changed = {f["lead_id"] for f in files}
    for kind in ("md5", "sha1", "pdq"):
        column = getattr(LeadFile, kind)
        values = {f[kind] for f in files} - {None}
        for chunk in _chunks(sorted(values)):
            query = select(LeadFile.lead_id, column).where(column.in_(chunk))
            for lead_id, value in session.execute(query):
                file_holders[f"{kind}:{value}"].add(lead_id)
    pairs |= _pairs(file_holders, changed, "file")
    pairs -= _existing(session, pairs)
    rows = [{"lead_a": a, "lead_b": b, "reason": r, "value": v} for a, b, r, v in sorted(pairs)]
    _insert(session, LeadLink, rows)
    return len(pairs)


def _pairs(
    holders: dict[str, set[int]], new: set[int], reason: str
) -> set[tuple[int, int, str, str]]:
    out: set[tuple[int, int, str, str]] = set()
    for value, ids in holders.items():
        ordered = sorted(ids)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a in new or b in new:
                    out.add((a, b, reason, value[:320]))
    return out


def _existing(
    session: Session, pairs: set[tuple[int, int, str, str]]
) -> set[tuple[int, int, str, str]]:
    found: set[tuple[int, int, str, str]] = set()
    for chunk in _chunks(sorted({a for a, _, _, _ in pairs})):
        query = select(LeadLink.lead_a, LeadLink.lead_b, LeadLink.reason, LeadLink.value)
        for a, b, reason, value in session.execute(query.where(LeadLink.lead_a.in_(chunk))):
            found.add((a, b, reason, value))
    return found


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def list_leads(
    session: Session,
    scope: Scope,
    *,
    source: str | int | None = None,
    case_id: int | None = None,
    target_id: int | None = None,
) -> list[Lead]:
    """Leads the scope sees, oldest report first."""
    where: list[ColumnElement[bool]] = [in_scope(Lead.case_id, scope)]
    if source is not None:
        where.append(Lead.source_id == get_source(session, source).id)
    if case_id is not None:
        where.append(Lead.case_id == case_id)
    if target_id is not None:
        targeted = select(LeadTarget.lead_id).where(LeadTarget.target_id == target_id)
        where.append(Lead.id.in_(targeted))
    query = select(Lead).where(*where).order_by(Lead.incident_at, Lead.id)
    return list(session.scalars(query))


def get_lead(session: Session, lead_id: int, scope: Scope) -> Lead:
    """A lead the scope sees; one it does not see is "not found", not confirmed."""
    lead = session.get(Lead, lead_id)
    if lead is None or not visible(lead.case_id, scope):
        raise NotFoundError(f"no lead {lead_id}")
    return lead


def visible(case_id: int | None, scope: Scope) -> bool:
    """What :func:`phunt.schema.scope.in_scope` keeps, for one row already read."""
    return scope is None or (case_id is not None and case_id in scope)


def lead_detail(session: Session, lead_id: int, scope: Scope) -> LeadDetail:
    """A lead with its source, import, files, linked leads and target.

    Only the linked leads the scope sees are listed, and those it does not see are not
    counted either: a link names a report id, a source and the shared phone, account,
    e-mail or file, and even a count would confirm that another case holds them (ids of
    other cases are not confirmed, as :func:`get_lead` does). The CLI and the web both
    read links here, so ``phunt --as`` and the pages show the same ones."""
    lead = get_lead(session, lead_id, scope)
    imported = session.get(LeadImport, lead.import_id)
    assert imported is not None  # a foreign key
    rows = session.execute(
        select(LeadLink, Lead, LeadSource)
        .join(Lead, or_(Lead.id == LeadLink.lead_a, Lead.id == LeadLink.lead_b))
        .join(LeadSource, LeadSource.id == Lead.source_id)
        .where(or_(LeadLink.lead_a == lead_id, LeadLink.lead_b == lead_id), Lead.id != lead_id)
        .where(in_scope(Lead.case_id, scope))
        .order_by(LeadLink.reason, Lead.id)
    )
    links = [
        LinkRow(linked.id, linked.report_id, src.name, link.reason, link.value)
        for link, linked, src in rows
    ]
    target = session.scalar(
        select(Target)
        .join(LeadTarget, LeadTarget.target_id == Target.id)
        .where(LeadTarget.lead_id == lead_id)
    )
    return LeadDetail(lead, lead.source.name, imported, list(lead.files), links, target)


def leads_of_case(session: Session, case_id: int) -> list[Lead]:
    """The leads of a case: its own and those of targets it was registered for."""
    of_targets = select(LeadTarget.lead_id).join(Target, Target.id == LeadTarget.target_id)
    query = select(Lead).where(
        or_(Lead.case_id == case_id, Lead.id.in_(of_targets.where(Target.case_id == case_id)))
    )
    return list(session.scalars(query.order_by(Lead.id)))
