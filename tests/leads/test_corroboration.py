"""Corroboration on both databases: a lead's reported files on its target's devices only,
each counted once however many copies lie there, the exact hash preferred to PDQ; a
lead's phone seen in a seized chat within the reader's scope; and the person's side."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.demo import make_device_folder
from phunt.hashing.pdq import hash_image_file
from phunt.ingest.job import ingest
from phunt.leads.corroboration import Reported, Tally, find_on_devices, tally
from phunt.leads.corroboration_chats import account_key, phone_key
from phunt.leads.corroboration_leads import (
    corroborate_case,
    corroborate_lead,
    corroborate_target,
    leads_naming,
)
from phunt.leads.store import import_leads, list_leads
from phunt.leads.targets import resolve_lead
from phunt.schema.db import Database

PHONE = "+91 98000 54321"
MAPPING = {
    "columns": {
        "report_id": "id",
        "incident_time": "time",
        "phone": "phone",
        "file_name": "file",
        "md5": "md5",
        "sha1": "sha1",
        "pdq": "pdq",
    },
    "zone": "UTC",
    "time_format": "",
}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _pdq(path: Path) -> str:
    return hash_image_file(str(path)).hash.hex


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "time", "phone", "file", "md5", "sha1", "pdq"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _world(database: Database, root: Path) -> dict[str, int]:
    """Case A's phone holds picture 0 twice and picture 2; case B's phone holds picture 1
    and a chat with the lead's phone. The lead (case A) reports pictures 0 (MD5 and PDQ),
    1 (SHA-1) and one on no device; a second lead of no case reports picture 2."""
    pics = make_device_folder(root / "a", seed=31, pictures=3)
    shutil.copy(pics[0], root / "a" / "Documents" / "copy.jpg")
    make_device_folder(root / "b", seed=32, pictures=1)
    chat = [
        '03/11/2026, 09:00 - Ravi Example created group "Ward Market"',
        f"03/11/2026, 09:00 - Ravi Example added {PHONE}",
        f"03/11/2026, 09:02 - {PHONE}: meeting at ten",
    ]
    (root / "b" / "WhatsApp Chat with Ward Market.txt").write_text("\n".join(chat) + "\n")
    base = {"time": "2026-11-03T10:00:00", "phone": "", "md5": "", "sha1": "", "pdq": ""}
    one = base | {"id": "R-1", "phone": PHONE}
    rows = [
        one | {"file": "zero.jpg", "md5": _md5(pics[0]), "pdq": _pdq(pics[0])},
        one | {"file": "one.jpg", "sha1": hashlib.sha1(pics[1].read_bytes()).hexdigest()},
        one | {"file": "none.jpg", "md5": hashlib.md5(b"on no device").hexdigest()},
        base | {"id": "R-2", "file": "two.jpg", "md5": _md5(pics[2])},
    ]
    shutil.move(pics[1], root / "b" / "Documents" / "forwarded.jpg")
    with database.session() as s:
        statutes = ["IT Act s.67B"]
        case_a = open_case(s, "CR 1/2026", "Cyber PS Thrissur", "Thrissur", statutes).id
        case_b = open_case(s, "CR 2/2026", "Cyber PS Kollam", "Kollam", statutes).id
        add_device(s, "EV-1/1", "mobile phone", case_id=case_a)
        add_device(s, "EV-2/1", "mobile phone", case_id=case_b)
        import_leads(s, _sheet(root / "one.csv", rows[:3]), "tips", mapping=MAPPING, case_id=case_a)
        import_leads(s, _sheet(root / "two.csv", rows[3:]), "tips")
        lead_1, lead_2 = (lead.id for lead in list_leads(s, None))
    with database.session() as s:
        target = resolve_lead(s, lead_1, None, name="T One", district="Thrissur").id
    ingest(database, str(root / "a"), "EV-1/1", workers=1)
    ingest(database, str(root / "b"), "EV-2/1", workers=1)
    return dict(case_a=case_a, case_b=case_b, lead_1=lead_1, lead_2=lead_2, target=target)


@pytest.fixture
def world(database: Database, tmp_path: Path) -> dict[str, int]:
    return _world(database, tmp_path)


def test_a_lead_is_corroborated_by_its_targets_devices_only(
    database: Database, world: dict[str, int]
) -> None:
    with database.session() as s:
        got = corroborate_lead(s, world["lead_1"], None)
        assert got.target_id == world["target"]
        assert str(got.tally) == "corroborated: 1 of 3 reported files found"
        # picture 0 twice on the phone, each by MD5 (preferred to its PDQ at distance 0);
        # picture 1 lies only on case B's phone, which was not seized from the target
        rows = sorted((f.name, f.by, f.distance, f.path.endswith("copy.jpg")) for f in got.found)
        assert rows == [("zero.jpg", "md5", 0, False), ("zero.jpg", "md5", 0, True)]
        unresolved = corroborate_lead(s, world["lead_2"], None)
        assert (unresolved.device_ids, unresolved.found) == ([], [])
        assert str(unresolved.tally) == "corroborated: 0 of 1 reported files found"
        assert str(corroborate_target(s, world["target"], None).tally) == str(got.tally)
        case = corroborate_case(s, world["case_a"], None)
        assert [c.lead_id for c in case.leads] == [world["lead_1"]]
        assert corroborate_case(s, world["case_b"], None).tally == Tally(0, 0)


def test_a_leads_phone_in_a_seized_chat_is_shown_within_the_scope(
    database: Database, world: dict[str, int]
) -> None:
    with database.session() as s:
        everyone = corroborate_lead(s, world["lead_1"], None).sightings
        assert [(x.by, x.value, x.chat_title, x.evidence_number) for x in everyone] == [
            ("phone", "+919800054321", "Ward Market", "EV-2/1")
        ]
        assert everyone[0].person == "phone:+919800054321"
        assert corroborate_lead(s, world["lead_1"], frozenset({world["case_a"]})).sightings == []
        case_b = frozenset({world["case_b"]})
        assert len(corroborate_lead(s, world["lead_1"], case_b).sightings) == 1
        # the person's side: the chat member's phone names the lead
        assert leads_naming(s, ["+919800054321"], []) == [world["lead_1"]]
        assert leads_naming(s, [], ["nobody"]) == []


def test_find_on_devices_keeps_the_pdq_distance_and_the_device_filter(
    database: Database, world: dict[str, int], tmp_path: Path
) -> None:
    picture = next((tmp_path / "a").rglob("IMG_31000.jpg"))  # twice on the phone
    pdq = _pdq(picture)
    flipped = pdq[:-1] + format(int(pdq[-1], 16) ^ 0x3, "x")  # two bits apart
    reported = [Reported(id=1, lead_id=1, name="near", md5=None, sha1=None, pdq=flipped)]
    with database.session() as s:
        ids = [d for d in corroborate_lead(s, world["lead_1"], None).device_ids]
        found = find_on_devices(s, reported, ids)
        assert [(f.by, f.distance) for f in found] == [("pdq", 2), ("pdq", 2)]
        assert find_on_devices(s, reported, []) == []
    assert tally(reported, found) == Tally(1, 1)


def test_reported_phones_and_accounts_are_compared_as_chats_store_them() -> None:
    assert phone_key("+91 98000 54321") == "+919800054321"
    assert phone_key("not a phone") is None and phone_key("  ") is None
    assert account_key(" @Blue_Kettle ") == "blue_kettle"
    assert account_key("@") is None and account_key(None) is None
