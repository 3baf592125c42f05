"""A small world with a row of every sealed table, written by the real services: a case
with its operation, raid, suspect and device, custody, a hash set (imported, an entry
disabled), an ingest of a phone folder that matches and holds a chat, a chat export
imported (with a watched word), a review decision, and leads imported, linked, resolved
and raided (``tests/audit/test_seal_*.py``)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.cases.operations import add_raid, create_operation
from phunt.chats import store as chat_store
from phunt.chats.keywords import Watchlist
from phunt.hashsets import store as hashset_store
from phunt.hashsets.store_disable import disable_entry
from phunt.ingest.job import ingest
from phunt.leads.raids import SeizedDevice, plan_raid, record_outcome
from phunt.leads.store import import_leads
from phunt.leads.targets import resolve_lead
from phunt.review.decisions import Choice, decide
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
LEADS = TEST_DATA / "leads"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"
SHA = hashlib.sha256(PICTURE.read_bytes()).hexdigest()
AT = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)


def make_world(database: Database, tmp_path: Path, *, leads: bool = True) -> None:
    """Every sealed table gets rows, each through the service that writes it (the leads
    tables only with ``leads``: a test rewinding to a revision before them leaves them out)."""
    known = tmp_path / "known.txt"
    known.write_text(SHA + "\n" + "ab" * 32 + "\n")
    with database.session() as s:
        create_operation(s, "P-Hunt")
        raid = add_raid(s, "P-Hunt", "Ernakulam", "Kakkanad", AT, "SI Devika").id
        case = open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"]).id
        suspect = add_suspect(s, case, "Ravi Example", phones=["98470 00001"]).id
        add_device(s, "PH-A", "mobile phone", case_id=case, raid_id=raid, suspect_id=suspect)
        add_device(s, "PH-B", "mobile phone", case_id=case)
        log_custody(s, "PH-A", "seized", "SI Devika", AT)
        hashset_store.import_hash_list(s, str(known), name="unit-list")
        disable_entry(s, "unit-list", "ab" * 32, "a known false positive")
    ingest(database, str(DEVICES / "phone_a"), "PH-A")
    with database.session() as s:
        chat_store.import_export(
            s, DEVICES / "phone_b/msgstore.db", "PH-B", watchlist=Watchlist(["chairs"])
        )
        file_id = s.query(EvidenceFile.id).filter(EvidenceFile.sha256 == SHA).scalar()
        assert file_id is not None
        decide(s, [file_id], Choice(label="needs second look"))
        log_custody(s, "PH-A", "transferred", "HC Anand", AT)
    if not leads:
        return
    with database.session() as s:
        mapping = json.loads((LEADS / "ncrb_mapping.json").read_text(encoding="utf-8"))
        import_leads(s, LEADS / "ncrb_tips.xlsx", "NCRB", mapping=mapping)
        target = resolve_lead(
            s, 1, None, name="Target One", district="Ernakulam", address="Kakkanad"
        ).id
        plan = plan_raid(s, "P-Hunt", target, team_lead="SI Devika", planned_for=AT)
        record_outcome(
            s,
            plan.id,
            raided_at=AT,
            case_number="CR 3/2026",
            station="Cyber PS Kochi",
            devices=[SeizedDevice("PH-L", "mobile phone")],
        )
