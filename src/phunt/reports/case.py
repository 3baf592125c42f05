"""The case report (``phunt report case ID``): the case, then every device of it as the
device report shows it, with the case's totals first. The inputs are the device reports'
inputs together, so ``verify`` names the device and file that changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from phunt.ingest.browse import device_detail
from phunt.reports.device import DeviceSection, device_section
from phunt.reports.facts import as_of
from phunt.reports.facts_device import case_device_ids, case_facts
from phunt.reports.facts_leads import case_lead_facts
from phunt.reports.manifest import Built, digest
from phunt.reports.render import render_html
from phunt.schema.db import Session

KIND = "case"


def build(session: Session, options: Mapping[str, Any]) -> Built:
    """The report of case ``options["case_id"]`` read at audit record ``options["as_of"]``
    (the newest fact record when absent)."""
    point = as_of(session, options.get("as_of"))
    case = case_facts(session, int(options["case_id"]))
    ids = case_device_ids(session, case.id)
    sections = [device_section(session, device_detail(session, i), case) for i in ids]
    inputs = {"audit": digest(point.as_input()), "case": digest(asdict(case))}
    inputs["devices"] = digest([s.device.evidence_number for s in sections])
    leads = case_lead_facts(session, case.id)
    inputs["leads"] = digest(asdict(leads))
    labels = {"case": "the case", "audit": "the audit record read at", "devices": "its devices"}
    labels["leads"] = "its leads and their corroboration"
    for s in sections:
        inputs |= s.inputs
        labels |= s.labels
    context = {
        "title": f"Case report {case.number}, {case.station}",
        "as_of": point,
        "case": case,
        "sections": sections,
        "totals": _totals(sections),
        "leads": leads,
        "inputs": inputs,
        "labels": labels,
    }
    html = render_html("case.html", context)
    opts = {"case_id": case.id, "subject": f"{case.number} {case.station}", "as_of": point.seq}
    return Built(html, inputs, labels, opts)


def _totals(sections: list[DeviceSection]) -> dict[str, Any]:
    """The case's figures: matched files per device, by category and by match kind."""
    by_category: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for s in sections:
        by_category.update(dict(s.by_category))
        by_kind.update(dict(s.by_kind))
    return {
        "devices": [(s.device.evidence_number, s.device.kind, len(s.files)) for s in sections],
        "matched_files": sum(len(s.files) for s in sections),
        "by_category": sorted(by_category.items()),
        "by_kind": sorted(by_kind.items()),
        "groups": sum(len(s.chats.groups) for s in sections),
    }
