"""Takedown requests, on both databases: one CSV row per group that shared listed files
(merged across devices, neutral and private chats left out), cells safe for spreadsheets,
a letter per platform that names each group's evidence, and the same bytes twice."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from phunt.errors import UsageError
from phunt.reports.manifest import manifest_path
from phunt.reports.takedown_csv import HEADER
from phunt.reports.takedown_requests import write_takedown
from phunt.schema.chats import ChatRecord
from phunt.schema.db import Database
from reports_more_world import (
    TELEGRAM_LINK,
    WHATSAPP_LINK,
    World,
    make_world,
    page_one_ink,
    pdf_text,
)


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_csv_and_letters_for_the_operation(
    database: Database, world: World, tmp_path: Path
) -> None:
    dirs = [tmp_path / "a", tmp_path / "b"]
    for folder in dirs:
        folder.mkdir()
        with database.session() as s:
            written = write_takedown(s, folder, operation=world.operation_id, officer="examiner")
        assert [m.output for m in written] == [
            "takedown.csv", "takedown-telegram.pdf", "takedown-whatsapp.pdf"
        ]  # fmt: skip
    for name in ("takedown.csv", "takedown-telegram.pdf", "takedown-whatsapp.pdf"):
        assert (dirs[0] / name).read_bytes() == (dirs[1] / name).read_bytes(), name
        assert json.loads(manifest_path(dirs[0] / name).read_bytes())["output"] == name

    rows = _rows(dirs[0] / "takedown.csv")
    assert tuple(rows[0]) == HEADER
    assert [(r["platform"], r["group_id"], r["title"]) for r in rows] == [
        ("telegram", "1001234567", "Ward 9 Market"),
        ("whatsapp", "120363000000@g.us", "Harbour Traders"),
    ]
    tg, wa = rows
    assert tg["invite_links"] == f"{TELEGRAM_LINK} (message 320, EV-A/1)"
    assert (tg["members_seen"], tg["admins"]) == ("3", "Asha Example (+919800000011, user11)")
    assert tg["evidence_message_ids"] == "EV-A/1: 305, 310"
    assert (tg["first_activity_ist"], tg["last_activity_ist"]) == (
        "29/10/2026 06:30 IST", "27/11/2026 06:30 IST"
    )  # fmt: skip
    assert wa["invite_links"] == f"{WHATSAPP_LINK} (message ABCD02, EV-B/1)"
    assert (wa["members_seen"], wa["admins"]) == ("2", "Chitra Test (+919800000033)")
    assert wa["evidence_message_ids"] == "EV-B/1: ABCD01"

    letter = " ".join(pdf_text(dirs[0] / "takedown-telegram.pdf").split())
    admin = "Asha Example (+919800000011, user11)"
    for value in ("1001234567", "Ward 9 Market", TELEGRAM_LINK, "EV-A/1: 305, 310", admin):
        assert value in letter, value
    assert "Dr. Meera Example" in letter and "IT Act s.67B" in letter
    assert "Harbour Traders" not in letter
    whatsapp = " ".join(pdf_text(dirs[0] / "takedown-whatsapp.pdf").split())
    assert "120363000000@g.us" in whatsapp and "EV-B/1: ABCD01" in whatsapp
    assert page_one_ink(dirs[0] / "takedown-telegram.pdf", tmp_path) > 500


def test_one_case_a_hostile_title_and_a_group_without_id(
    database: Database, world: World, tmp_path: Path
) -> None:
    with database.session() as s:
        chat = s.query(ChatRecord).filter_by(platform_id="title:Family").one()
        chat.known_bad, chat.title = True, '=HYPERLINK("http://x")'
    with database.session() as s:
        write_takedown(s, tmp_path, case=world.case_a)
    rows = _rows(tmp_path / "takedown.csv")
    assert [(r["platform"], r["group_id"]) for r in rows] == [
        ("telegram", "1001234567"), ("whatsapp", "")
    ]  # fmt: skip
    assert rows[1]["title"] == '\'=HYPERLINK("http://x")'  # never a formula
    assert rows[1]["invite_links"] == "" and rows[1]["evidence_message_ids"] == ""
    letter = " ".join(pdf_text(tmp_path / "takedown-whatsapp.pdf").split())
    assert "not recorded in the export" in letter


def test_refusals(database: Database, world: World, tmp_path: Path) -> None:
    with database.session() as s:
        with pytest.raises(UsageError, match="one of"):
            write_takedown(s, tmp_path)
        with pytest.raises(UsageError, match="one of"):
            write_takedown(s, tmp_path, case=1, operation=1)
        with pytest.raises(UsageError, match="no such folder"):
            write_takedown(s, tmp_path / "missing", case=world.case_a)
        write_takedown(s, tmp_path, case=world.case_b)
        with pytest.raises(UsageError, match="exists"):
            write_takedown(s, tmp_path, case=world.case_b)


def test_a_letter_verifies_until_its_groups_change(
    database: Database, world: World, tmp_path: Path
) -> None:
    from phunt.reports.verify import verify_report
    from phunt.schema.chats import ChatMessage

    with database.session() as s:
        write_takedown(s, tmp_path, case=world.case_a)
    letter = tmp_path / "takedown-telegram.pdf"
    with database.session() as s:
        assert verify_report(letter, s).ok
        s.query(ChatMessage).filter_by(platform_message_id="305").one().known_bad = False
    with database.session() as s:
        result = verify_report(letter, s)
    assert not result.ok and result.changed == ["groups"]
