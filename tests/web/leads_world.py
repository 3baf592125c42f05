"""The web world's leads: one report per case naming files of that case's device, each
resolved to a target with a raid planned on it (no outcome, so the world's raids, cases
and devices stay as the other tests count them).

Lead A (case A) reports device A's exact match by MD5, its near match by PDQ and a file
no device holds, and names the phone that is in both cases' chats: corroborated 2 of 3,
seen in chat A (and in chat B, which only those who see every case are shown). Lead B
(case B) reports device B's exact match: 1 of 1.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from phunt.leads.raids import plan_raid
from phunt.leads.store import import_leads
from phunt.leads.targets import resolve_lead
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from phunt.schema.leads import Lead

SOURCE = "web-tips"
COLUMNS = {
    "report_id": "Report",
    "incident_time": "Time",
    "platform": "Platform",
    "account": "Account",
    "phone": "Phone",
    "file_name": "File",
    "md5": "MD5",
    "pdq": "PDQ",
}
MAPPING = {"columns": COLUMNS, "zone": "Asia/Kolkata", "time_format": ""}
SHARED_PHONE = "+91 98000 00077"
ABSENT_MD5 = hashlib.md5(b"a file no device holds").hexdigest()


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS.values()))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(report: str, phone: str, name: str, md5: str = "", pdq: str = "") -> dict[str, str]:
    return {
        "Report": report,
        "Time": "2026-11-02T19:35:00",
        "Platform": "ExampleChat",
        "Account": f"@{report.lower()}",
        "Phone": phone,
        "File": name,
        "MD5": md5,
        "PDQ": pdq,
    }


def add_leads(
    database: Database, root: Path, ids: tuple[int, int, int], exact: dict[int, int], near: int
) -> dict[str, int]:
    """Import, resolve and plan the world's leads; ``ids`` are the operation, case A and
    case B, ``exact`` maps each case to its device's exact match, ``near`` is device A's
    near match. Returns the ids the tests ask pages about."""
    operation, case_a, case_b = ids
    with database.session() as s:
        a, b, n = (s.get(EvidenceFile, i) for i in (exact[case_a], exact[case_b], near))
        assert a is not None and b is not None and n is not None and n.pdq is not None
        rows_a = [
            _row("WEB-A-1", SHARED_PHONE, "market.jpg", md5=a.md5 or ""),
            _row("WEB-A-1", SHARED_PHONE, "stall.jpg", pdq=n.pdq),
            _row("WEB-A-1", SHARED_PHONE, "absent.jpg", md5=ABSENT_MD5),
        ]
        rows_b = [_row("WEB-B-1", "+91 98470 10002", "harbour.jpg", md5=b.md5 or "")]
        sheet_a = _sheet(root / "leads-a.csv", rows_a)
        sheet_b = _sheet(root / "leads-b.csv", rows_b)
        import_leads(s, sheet_a, SOURCE, mapping=MAPPING, case_id=case_a)
        import_leads(s, sheet_b, SOURCE, case_id=case_b)
        found: dict[str, int] = {}
        for key, report, case, district in (
            ("a", "WEB-A-1", case_a, "Ernakulam"),
            ("b", "WEB-B-1", case_b, "Kozhikode"),
        ):
            lead = s.scalars(select(Lead).where(Lead.report_id == report)).one()
            target = resolve_lead(
                s,
                lead.id,
                None,
                name=f"Target {key.upper()}",
                address=f"House {key.upper()}, Example Street",
                district=district,
                phones=[SHARED_PHONE if key == "a" else "+91 98470 10002"],
                subscriber_details="prepaid connection, registered 2025",
                subscriber_source="Example Mobile (nodal officer)",
            )
            plan = plan_raid(
                s,
                operation,
                target.id,
                team_lead="SI Officer One",
                planned_for=datetime(2026, 12, 12, 0, 30, tzinfo=UTC),
            )
            assert lead.case_id == case and target.case_id == case
            found |= {f"lead_{key}": lead.id, f"target_{key}": target.id, f"plan_{key}": plan.id}
        return found


def add_linked_lead(database: Database, root: Path, case_id: int) -> int:
    """A report in ``case_id`` naming lead A's phone, so linked to lead A; its id."""
    sheet = _sheet(root / "leads-linked.csv", [_row("WEB-B-2", SHARED_PHONE, "quay.jpg")])
    with database.session() as s:
        import_leads(s, sheet, SOURCE, case_id=case_id)
        return s.scalars(select(Lead.id).where(Lead.report_id == "WEB-B-2")).one()
