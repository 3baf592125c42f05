"""The read models of the web pages, on both databases: figures, listings, scope, details."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import event
from sqlalchemy.orm import Session

from phunt.cases import browse
from phunt.cases.browse import Order
from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.cases.operations import add_raid, create_operation
from phunt.chats import store as chat_store
from phunt.errors import NotFoundError, UsageError
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from test_lib import TEST_DATA

T = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
PHONES = TEST_DATA / "chats_devices"


@dataclass(frozen=True)
class Ids:
    op: int
    other_op: int
    raids: tuple[int, int, int]
    cases: tuple[int, int, int]
    arrested: int
    free: int


def _folder(root: Path, shades: list[int]) -> list[bytes]:
    """Generated flat pictures (benign) and a note; returns the pictures' bytes."""
    root.mkdir(parents=True)
    (root / "note.txt").write_text("meeting at ten\n")
    out = []
    for i, shade in enumerate(shades):
        path = root / f"IMG_{i:04d}.png"
        Image.new("RGB", (64, 48), (shade, 255 - shade, 90)).save(path)
        out.append(path.read_bytes())
    return out


def _build(database: Database, tmp: Path) -> Ids:
    """P-Hunt: a raid in Ernakulam (case 1: two suspects, one arrested, two devices), one in
    Kollam (case 2 and a device still without a case); another operation's raid and case.
    Phone D1 holds two listed pictures and phone D3 one; both hold the same WhatsApp group."""
    with database.session() as s:
        op = create_operation(s, "P-Hunt").id
        other = create_operation(s, "Other").id
        r1 = add_raid(s, op, "Ernakulam", "Kakkanad flat 3", T, "SI Anil").id
        r2 = add_raid(s, op, "Kollam", "Chinnakada shop", T + timedelta(hours=1), "SI Beena").id
        r3 = add_raid(s, other, "Kollam", "Harbour road", T, "SI Chandran").id
        statutes = ["IT Act s.67B", "POCSO s.15"]
        c1 = open_case(
            s, "12/2026", "Cyber PS Kochi", "Ernakulam", statutes, operation=op, raid_id=r1
        )
        c2 = open_case(
            s, "7/2026", "Kollam East PS", "Kollam", statutes[:1], operation=op, raid_id=r2
        )
        c3 = open_case(s, "3/2026", "Harbour PS", "Kollam", [], operation=other, raid_id=r3)
        arrested = add_suspect(s, c1.id, "Arun Example", phones=["+919800000001"]).id
        arrest_suspect(s, arrested, T + timedelta(hours=2))
        free = add_suspect(s, c1.id, "Bindu Sample").id
        arrest_suspect(s, add_suspect(s, c2.id, "Cyril Test").id, T)
        add_device(s, "D1", "mobile phone", case_id=c1.id, suspect_id=arrested, raid_id=r1)
        add_device(s, "D2", "memory card", case_id=c1.id)
        add_device(s, "D3", "mobile phone", raid_id=r2)
        add_device(s, "D4", "laptop", case_id=c3.id)
        log_custody(s, "D1", "transferred", "HC Dev", T + timedelta(hours=5), "to the lab")
        log_custody(s, "D1", "seized", "SI Anil", T, "at the flat")
        ids = Ids(op, other, (r1, r2, r3), (c1.id, c2.id, c3.id), arrested, free)
    first = _folder(tmp / "d1", [10, 80, 150])
    third = _folder(tmp / "d3", [200])
    known = tmp / "known.txt"
    known.write_text("".join(hashlib.sha256(b).hexdigest() + "\n" for b in [*first[:2], *third]))
    with database.session() as s:
        import_hash_list(s, str(known), name="unit-list")
    ingest(database, str(tmp / "d1"), "D1")
    ingest(database, str(tmp / "d3"), "D3")
    with database.session() as s:
        chat_store.import_export(s, PHONES / "phone_a/msgstore.db", "D1")
        chat_store.import_export(s, PHONES / "phone_b/msgstore.db", "D3")
    return ids


@pytest.fixture
def world(database: Database, tmp_path: Path) -> Ids:
    return _build(database, tmp_path)


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the block runs, to show a read costs a fixed number of them."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_dashboard_has_every_figure_per_district_and_in_total(
    database: Database, world: Ids
) -> None:
    with database.session() as s:
        board = browse.dashboard(s, "P-Hunt")
    rows = {r.district: r.as_dict() for r in board.rows}
    assert len(rows) == 14 and board.operation_id == world.op
    assert rows["Ernakulam"] == {
        "district": "Ernakulam",
        "raids": 1,
        "cases": 1,
        "arrests": 1,
        "devices": 2,
        "devices_ingested": 1,
        "matched_files": 2,
        "groups": 1,
    }
    assert rows["Kollam"] == {
        "district": "Kollam",
        "raids": 1,
        "cases": 1,
        "arrests": 1,
        "devices": 1,  # D3: no case yet, counted by its raid
        "devices_ingested": 1,
        "matched_files": 1,
        "groups": 1,
    }
    assert rows["Wayanad"]["raids"] == rows["Wayanad"]["groups"] == 0
    total = board.total.as_dict()
    assert total == {
        "district": "Total",
        "raids": 2,
        "cases": 2,
        "arrests": 2,
        "devices": 3,
        "devices_ingested": 2,
        "matched_files": 3,
        "groups": 1,  # the one group on two phones in two districts
    }


def test_dashboard_of_every_operation_and_unknown_operation(database: Database, world: Ids) -> None:
    with database.session() as s:
        board = browse.dashboard(s)
        kollam = next(r for r in board.rows if r.district == "Kollam")
        assert (board.operation_id, board.total.raids, board.total.cases) == (None, 3, 3)
        assert (kollam.raids, kollam.devices, kollam.matched_files) == (2, 2, 1)
        with pytest.raises(NotFoundError):
            browse.dashboard(s, 999)


def test_dashboard_costs_the_same_few_queries_whatever_the_size(
    database: Database, world: Ids
) -> None:
    with database.session() as s, _statements(s) as before:
        browse.dashboard(s, world.op)
    _grow(database, 30)
    with database.session() as s, _statements(s) as after:
        browse.dashboard(s, world.op)
    assert len(after) == len(before) <= 12


def test_operations_with_counts_sorted_and_paged(database: Database, world: Ids) -> None:
    with database.session() as s:
        page = browse.list_operations(s, Order(sort="raids", desc=True))
        assert [(o.name, o.raids, o.cases, o.devices) for o in page.rows] == [
            ("P-Hunt", 2, 2, 3),
            ("Other", 1, 1, 1),
        ]
        second = browse.list_operations(s, Order(per_page=1, page=2))
        assert ([o.name for o in second.rows], second.total) == (["Other"], 2)
        assert browse.operation(s, world.other_op).raids == 1
        with pytest.raises(NotFoundError):
            browse.operation(s, 999)


def test_raids_of_an_operation_sorted_and_their_cases_in_scope(
    database: Database, world: Ids
) -> None:
    r1, r2, _ = world.raids
    c1, c2, _ = world.cases
    with database.session() as s:
        page = browse.list_raids(s, operation_id=world.op, order=Order(sort="district"))
        assert [(r.district, r.location, r.cases, r.devices) for r in page.rows] == [
            ("Ernakulam", "Kakkanad flat 3", 1, 1),
            ("Kollam", "Chinnakada shop", 1, 1),
        ]
        assert page.total == 2 and page.rows[0].operation == "P-Hunt"
        latest = browse.list_raids(s, order=Order(sort="raided_at", desc=True, per_page=1))
        assert ([r.id for r in latest.rows], latest.total) == ([r2], 3)
        mine = browse.raid_detail(s, r1, frozenset({c1}))
        assert [c.number for c in mine.cases] == ["12/2026"]
        hidden = browse.raid_detail(s, r1, frozenset({c2}))
        assert hidden.cases == [] and hidden.raid.cases == 1  # the count is statewide
        with pytest.raises(NotFoundError):
            browse.raid_detail(s, 999, None)


def test_cases_listed_only_in_scope_and_sorted_by_counts(database: Database, world: Ids) -> None:
    c1, c2, c3 = world.cases
    with database.session() as s:
        every = browse.list_cases(s, scope=None, order=Order(sort="devices", desc=True))
        assert [c.id for c in every.rows] == [c1, c3, c2]  # 2, 1, 0 devices; ties by id
        assert every.total == 3
        by_number = browse.list_cases(s, scope=None, order=Order(sort="number"))
        assert [c.number for c in by_number.rows] == ["12/2026", "3/2026", "7/2026"]
        of_op = browse.list_cases(s, scope=None, operation_id=world.op)
        assert [c.id for c in of_op.rows] == [c1, c2]
        scoped = browse.list_cases(s, scope=frozenset({c2, c3}), operation_id=world.op)
        assert ([c.id for c in scoped.rows], scoped.total) == ([c2], 1)
        assert browse.list_cases(s, scope=frozenset()).total == 0
        row = scoped.rows[0]
        assert (row.district, row.operation, row.suspects, row.arrests) == (
            "Kollam",
            "P-Hunt",
            1,
            1,
        )
        with pytest.raises(UsageError, match="cannot sort by 'statutes'"):
            browse.list_cases(s, scope=None, order=Order(sort="statutes"))
        with pytest.raises(UsageError):
            browse.list_cases(s, scope=None, order=Order(page=0))


def test_case_detail_has_suspects_devices_and_custody_in_time_order(
    database: Database, world: Ids
) -> None:
    with database.session() as s:
        detail = browse.case_detail(s, world.cases[0])
    assert detail.case.statutes == ["IT Act s.67B", "POCSO s.15"]
    assert (detail.case.number, detail.case.station) == ("12/2026", "Cyber PS Kochi")
    assert [(p.name, p.arrested_at) for p in detail.suspects] == [
        ("Arun Example", T + timedelta(hours=2)),
        ("Bindu Sample", None),
    ]
    assert detail.suspects[0].phones == ["+919800000001"]
    d1, d2 = detail.devices
    assert (d1.evidence_number, d1.suspect, d1.ingests, d1.files, d1.matched_files) == (
        "D1",
        "Arun Example",
        1,
        4,
        2,
    )
    assert [(e.action, e.actor, e.at) for e in d1.custody] == [
        ("seized", "SI Anil", T),
        ("transferred", "HC Dev", T + timedelta(hours=5)),
    ]
    assert (d2.evidence_number, d2.ingests, d2.custody) == ("D2", 0, [])
    with database.session() as s, pytest.raises(NotFoundError):
        browse.case_detail(s, 999)


def test_suspects_in_scope_and_a_suspects_devices(database: Database, world: Ids) -> None:
    c1, c2, _ = world.cases
    with database.session() as s:
        listed = browse.list_suspects(s, scope=frozenset({c1}), order=Order(sort="name"))
        assert [p.name for p in listed.rows] == ["Arun Example", "Bindu Sample"]
        assert browse.list_suspects(s, scope=frozenset({c1}), case_id=c2).total == 0
        assert browse.list_suspects(s, scope=None).total == 3
        detail = browse.suspect_detail(s, world.arrested)
        assert (detail.case.id, [d.evidence_number for d in detail.devices]) == (c1, ["D1"])
        assert browse.suspect_case(s, world.free) == c1
        assert browse.suspect_detail(s, world.free).devices == []
        with pytest.raises(NotFoundError):
            browse.suspect_case(s, 999)


def _grow(database: Database, n: int) -> None:
    """``n`` more raids, cases, suspects and devices with custody in the first operation."""
    with database.session() as s:
        for i in range(n):
            raid = add_raid(s, "P-Hunt", "Thrissur", f"House {i}", T, "SI Example")
            case = open_case(s, f"{100 + i}/2026", "Town PS", "Thrissur", [], operation="P-Hunt")
            case.raid_id = raid.id
            add_suspect(s, case.id, f"Person {i}")
            add_device(s, f"X{i}", "mobile phone", case_id=case.id, raid_id=raid.id)
            log_custody(s, f"X{i}", "seized", "SI Example", T)


def test_listings_and_details_cost_a_fixed_number_of_queries(
    database: Database, world: Ids
) -> None:
    _grow(database, 30)
    with database.session() as s:
        with _statements(s) as seen:
            page = browse.list_cases(s, scope=None, order=Order(per_page=100))
        assert page.total == 33 and len(seen) == 2  # the page and its total
        with _statements(s) as seen:
            raids = browse.list_raids(s, operation_id=world.op, order=Order(per_page=100))
        assert raids.total == 32 and len(seen) == 2
        with _statements(s) as seen:
            browse.case_detail(s, world.cases[0])
        assert len(seen) <= 5
