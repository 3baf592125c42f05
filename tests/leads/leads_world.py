"""Helpers of the leads tests: the fixtures' mappings, both sources imported, and a
snapshot of every row of every table (to show a refused import changed nothing)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.leads.store import ImportSummary, import_leads
from phunt.schema.db import Database
from phunt.schema.metadata import metadata
from test_lib import TEST_DATA

LEADS = TEST_DATA / "leads"


def mapping(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((LEADS / f"{name}_mapping.json").read_text())
    return found


def import_both(s: Session, case_id: int | None = None) -> tuple[ImportSummary, ImportSummary]:
    """The NCRB workbook then the Interpol CSV, each with its mapping (so saved)."""
    ncrb = import_leads(
        s, LEADS / "ncrb_tips.xlsx", "NCRB", mapping=mapping("ncrb"), case_id=case_id
    )
    interpol = import_leads(
        s,
        LEADS / "interpol_referrals.csv",
        "Interpol",
        mapping=mapping("interpol"),
        case_id=case_id,
    )
    return ncrb, interpol


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with database.session() as s:
        for name, table in sorted(metadata.tables.items()):
            query = select(table).order_by(*table.primary_key.columns)
            out[name] = [tuple(row) for row in s.execute(query)]
    return out
