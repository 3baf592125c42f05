"""The rows the network is merged from, read back on both databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

from phunt.analysis import store
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.chats import store as chat_store
from phunt.hashsets import store as hashset_store
from phunt.schema.db import Database
from test_lib import TEST_DATA

DEVICES = TEST_DATA / "chats_devices"
PICTURE = DEVICES / "phone_a" / "Media" / "WhatsApp Images" / "IMG-20260110-WA0001.jpg"


def test_rows_of_one_imported_phone(database: Database, tmp_path: Path) -> None:
    known = tmp_path / "known.txt"
    known.write_text(hashlib.sha256(PICTURE.read_bytes()).hexdigest() + "\n")
    with database.session() as s:
        case = open_case(s, "CR 1/2026", "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
        add_device(s, "PH-A", "mobile phone", case_id=case.id)
        add_device(s, "PH-Z", "memory card")
        hashset_store.import_hash_list(s, str(known), name="unit-list")
        chat_store.import_export(
            s, DEVICES / "phone_a/msgstore.db", "PH-A", owner_phone="+919800000001"
        )
    with database.session() as s:
        devices, case_of = store.device_labels(s)
        chats = store.chats_by_id(s)
        rows = store.participants(s)
        roles = store.roles_by_participant(s)
        media = store.attachment_senders(s)
    assert sorted(devices.values()) == ["PH-A", "PH-Z"]
    assert sorted(case_of.values(), key=str) == ["CR 1/2026 (Cyber PS Kochi)", None]
    assert list(chats) == sorted(chats) and chats
    assert [p.id for p in rows] == sorted(p.id for p in rows)
    assert {p.chat_id for p in rows} <= set(chats)
    owner = next(p for p in rows if p.phone == "+919800000001" and chats[p.chat_id].kind == "group")
    assert {"creator", "admin"} <= roles[owner.id]
    bad = [m for m in media if m[2]]
    assert bad and all(m[3] in chats for m in bad)
    assert bad[0][0] == hashlib.sha256(PICTURE.read_bytes()).hexdigest()
