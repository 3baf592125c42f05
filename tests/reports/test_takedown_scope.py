"""A case's takedown names only what its own devices show, on both databases: the same
group id held on another case's device adds no member, admin, name or phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from phunt.reports.takedown_requests import write_takedown
from phunt.schema.db import Database
from reports_more_world import _chat, _member, _message, make_world, pdf_text

OTHER_ADMIN, OTHER_PHONE = "Bela Other", "+919800000055"


def test_a_case_letter_and_csv_leave_out_another_case_people(
    database: Database, tmp_path: Path
) -> None:
    world = make_world(database)
    with database.session() as s:  # case B's device holds case A's Telegram group too
        tg = _chat(s, world.device_b, "telegram", "1001234567", "Ward 9 Market", "supergroup", True)
        _member(s, tg, world.device_b, "u55", OTHER_ADMIN, ("admin",), phone=OTHER_PHONE)
        _member(s, tg, world.device_b, "u11", "Asha Elsewhere", phone="+919800000011")
        _member(s, tg, world.device_b, "u66", "Third Person", phone="+919800000066")
        _message(s, tg, "900", "another copy", bad=True, days=40)
    with database.session() as s:
        write_takedown(s, tmp_path, case=world.case_a)
    text = (tmp_path / "takedown.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    tg_row = next(r for r in rows if r["platform"] == "telegram")
    assert tg_row["admins"] == "Asha Example (+919800000011, user11)"
    assert tg_row["members_seen"] == "3"
    assert tg_row["evidence_message_ids"] == "EV-A/1: 305, 310"
    assert tg_row["devices"] == "EV-A/1"
    letter = " ".join(pdf_text(tmp_path / "takedown-telegram.pdf").split())
    assert "Asha Example" in letter
    for leak in (OTHER_ADMIN, OTHER_PHONE, "Asha Elsewhere", "+919800000066", "EV-B/1"):
        assert leak not in text, leak
        assert leak not in letter, leak

    (tmp_path / "b").mkdir()
    with database.session() as s:
        write_takedown(s, tmp_path / "b", case=world.case_b)
    other = list(csv.DictReader(io.StringIO((tmp_path / "b" / "takedown.csv").read_text())))
    tg_b = next(r for r in other if r["platform"] == "telegram")
    assert tg_b["admins"] == f"{OTHER_ADMIN} ({OTHER_PHONE})"
    assert tg_b["members_seen"] == "3"
