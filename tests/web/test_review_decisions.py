"""Categorising on both databases: a selection with every change kept, the unit's labels,
propagation (what first, then applied, the device and dashboard figures following), the
circulation view and the exports of the decisions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.audit.store import acting_as
from phunt.hashsets.categories import VICS_US, Category
from phunt.hashsets.store import entries_of, import_hash_list
from phunt.review.local_set import choose_local_set
from phunt.schema.audit import AuditRecord
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision

from .conftest import World
from .test_review_pages import (
    add_device_with_copies,
    csrf,
    file_path,
    item_values,
    queue_items,
)


def current_decisions(world: World) -> dict[int, tuple[int | None, str | None, str, int | None]]:
    """file id -> (category, label, who, source decision) of the current decisions."""
    with world.database.session() as s:
        rows = s.scalars(select(ReviewDecision).where(ReviewDecision.superseded_by_id.is_(None)))
        return {
            r.file_id: (r.category_code, r.label, r.decided_by, r.propagated_from_id) for r in rows
        }


def test_a_selection_is_categorised_and_every_change_kept(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst")
    base = f"/review/devices/{web_world.device_a}"
    page = analyst.get(base).text
    values = item_values(page)
    first, second = queue_items(page)[:2]
    token = csrf(analyst)
    form = {"item": [values[first], values[second]], "choice": "2", "note": "seen twice",
            "back": base, "csrf_token": token}  # fmt: skip
    done = analyst.post("/review/decide", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == base
    assert current_decisions(web_world) == {
        first: (2, None, "analyst", None),
        second: (2, None, "analyst", None),
    }
    assert set(queue_items(analyst.get(base).text)) == set(queue_items(page)) - {first, second}
    change = {"item": [f"{first}:{first}"], "choice": "0", "back": "https://elsewhere.example/",
              "csrf_token": token}  # fmt: skip
    moved = analyst.post("/review/decide", data=change, follow_redirects=False)
    assert moved.headers["location"] == "/review/settings"  # never off the site
    history = analyst.get(f"/review/files/{first}").text
    rows = re.findall(r'<tr data-decision="(\d+)">(.*?)</tr>', history, re.S)
    assert len(rows) == 2
    assert "0 · Non-Pertinent" in rows[0][1] and "current" in rows[0][1]
    assert f"replaced by {rows[0][0]}" in rows[1][1] and "seen twice" in rows[1][1]
    assert "analyst" in rows[0][1] and "analyst" in rows[1][1]
    b_file = f"{web_world.matched_file_b}:{web_world.matched_file_b}"
    other = analyst.post(
        "/review/decide", data={"item": [b_file], "choice": "1", "csrf_token": token}
    )
    assert other.status_code == 404
    no_key = {"item": [values[first]], "choice": "7", "csrf_token": token}
    assert analyst.post("/review/decide", data=no_key).status_code == 400
    assert analyst.get(f"/review/files/{web_world.matched_file_b}").status_code == 404


def test_unit_labels_take_keys_after_the_categories(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    admin = client_for("admin")
    labels = {"labels": "Drawing\nScreenshot of a game\n", "csrf_token": csrf(admin)}
    assert (
        admin.post("/review/settings/labels", data=labels, follow_redirects=False).status_code
        == 303
    )
    page = admin.get(f"/review/devices/{web_world.device_a}").text
    keys = re.findall(r'data-key="(\d)"[^>]*><kbd>\d</kbd> ([^<]+)</button>', page)
    assert keys == [("0", "Not pertinent"), ("1", "Child Abuse Material (CAM)"),
                    ("2", "Child Exploitive (Non-CAM) / Age Difficult"),
                    ("3", "CGI/Animation - Child Exploitive"), ("4", "Comparison Images"),
                    ("5", "Drawing"), ("6", "Screenshot of a game")]  # fmt: skip
    first = queue_items(page)[0]
    form = {"item": [f"{first}:{first}"], "choice": "6", "csrf_token": csrf(admin)}
    assert admin.post("/review/decide", data=form).status_code == 200
    assert current_decisions(web_world)[first] == (None, "Screenshot of a game", "admin", None)
    analyst = client_for("analyst")
    assert (
        analyst.post(
            "/review/settings/labels", data={**labels, "csrf_token": csrf(analyst)}
        ).status_code
        == 403
    )


def figures(client: TestClient, world: World, devices: list[int]) -> tuple[list[int], int]:
    """Each device page's matched files, and the dashboard's total of matched files."""
    per_device = []
    for device in devices:
        page = client.get(f"/devices/{device}").text
        found = re.search(r'id="triage-matched"[^>]*>(\d+)<', page)
        assert found is not None
        per_device.append(int(found.group(1)))
    board = client.get("/dashboard").text
    total = re.search(r'data-figure="matched_files">(\d+)<', board)
    assert total is not None
    return per_device, int(total.group(1))


def three_devices(world: World) -> tuple[int, list[int]]:
    """A picture of device A on no list, with a near copy on a new device of case A and an
    exact and a near copy on a new device of case B; the picture and the three devices."""
    listed = (world.matched_file_a, world.near_file_a)
    pictures = [f for f in world.file_ids_a if file_path(world, f).suffix == ".jpg"]
    picture = next(f for f in pictures if f not in listed)
    source = file_path(world, picture)
    a2 = add_device_with_copies(world, "EV-A/2", world.case_a, [(source, True)])
    b2 = add_device_with_copies(world, "EV-B/2", world.case_b, [(source, False), (source, True)])
    with world.database.session() as s, acting_as("admin"):
        choose_local_set(s, "unit-local")
    return picture, [world.device_a, a2, b2]


def test_propagation_says_what_first_then_applies_and_the_figures_follow(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    supervisor = client_for("supervisor")
    picture, devices = three_devices(web_world)
    before = figures(supervisor, web_world, devices)
    empty = supervisor.get(f"/review/files/{picture}/propagate")
    assert empty.status_code == 200 and "has no decision yet" in empty.text
    token = csrf(supervisor)
    form = {"item": [f"{picture}:{picture}"], "choice": "1", "csrf_token": token}
    assert supervisor.post("/review/decide", data=form, follow_redirects=False).status_code == 303
    dialog = supervisor.get(f"/review/files/{picture}/propagate").text
    assert "3 files on 2 devices in 2 cases: 1 with the same content, 2 near copies" in dialog
    done = supervisor.post(f"/review/files/{picture}/propagate", data={"csrf_token": token},
                           follow_redirects=False)  # fmt: skip
    assert done.headers["location"] == f"/review/files/{picture}?done=3"
    decided = current_decisions(web_world)
    source = decided[picture]
    copies = {f: d for f, d in decided.items() if f != picture}
    assert len(copies) == 3 and {d[:3] for d in copies.values()} == {(1, None, "supervisor")}
    after = figures(supervisor, web_world, devices)
    assert after[0] == [before[0][0] + 1, before[0][1] + 1, before[0][2] + 2]
    assert after[1] == before[1] + 4 and source[3] is None
    # The same again: nothing left to apply.
    assert "Nothing to apply" in supervisor.get(f"/review/files/{picture}/propagate").text
    # The analyst (case A) sees only case A's copies in the dialog and the circulation.
    analyst = client_for("analyst")
    view = analyst.get(f"/review/files/{picture}/circulation").text
    assert "2 devices, 1 cases, 1 suspects" in view and "EV-B/2" not in view
    assert "CR 202/2026" not in view and "EV-A/2" in view
    full = supervisor.get(f"/review/files/{picture}/circulation").text
    assert "3 devices, 2 cases, 1 suspects" in full and "EV-B/2" in full
    assert analyst.get(f"/review/files/{web_world.matched_file_b}/circulation").status_code == 404


def test_the_circulation_names_the_chats_and_the_earliest_time(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst")
    view = analyst.get(f"/review/files/{web_world.matched_file_a}/circulation").text
    row = re.search(rf'<tr data-device="{web_world.device_a}">(.*?)</tr>', view, re.S)
    assert row is not None and "Ward 9 Market" in row.group(1)
    assert "05/01/2026" in row.group(1)  # the message that carried it
    assert "Arun Example" in row.group(1)


def test_the_decisions_export_as_vics_and_as_a_plain_list(
    web_world: World, client_for: Callable[[str], TestClient], tmp_path: Path
) -> None:
    investigator = client_for("investigator")
    page = investigator.get(f"/review/devices/{web_world.device_a}").text
    first, second = queue_items(page)[:2]
    token = csrf(investigator)
    for file_id, key in ((first, "1"), (second, "0")):
        form = {"item": [f"{file_id}:{file_id}"], "choice": key, "csrf_token": token}
        investigator.post("/review/decide", data=form)
    assert 'id="export-vics"' in investigator.get("/review/settings").text
    vics = investigator.post("/review/export", data={"fmt": "vics", "csrf_token": token})
    assert vics.status_code == 200 and "attachment" in vics.headers["content-disposition"]
    assert "investigator" not in vics.text  # the examiners' names stay at home
    received = tmp_path / "received.json"
    received.write_bytes(vics.content)
    with web_world.database.session() as s, acting_as("admin"):
        sha = {f: s.get_one(EvidenceFile, f).sha256 for f in (first, second)}
        import_hash_list(s, str(received), name="Re-imported")
        back = {e.hashes["sha256"]: e.category for _n, e in entries_of(s, "Re-imported")}
    assert back == {sha[first]: Category(1, VICS_US), sha[second]: Category(0, VICS_US)}
    plain = investigator.post("/review/export", data={"fmt": "plain", "csrf_token": token})
    lines = [x for x in plain.text.splitlines() if x and not x.startswith("#")]
    assert lines == [sha[first]]
    with web_world.database.session() as s:
        audited = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "review.export")))
    assert [len(r.details["sha256"]) for r in audited] == [64, 64]
    analyst = client_for("analyst")
    assert 'id="export-vics"' not in analyst.get("/review/settings").text
    assert (
        analyst.post(
            "/review/export", data={"fmt": "vics", "csrf_token": csrf(analyst)}
        ).status_code
        == 403
    )


def test_a_second_decision_screens_only_its_entry_and_the_figures_follow_at_once(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    supervisor = client_for("supervisor")
    picture, devices = three_devices(web_world)
    listed = (picture, web_world.matched_file_a, web_world.near_file_a)
    pictures = [f for f in web_world.file_ids_a if file_path(web_world, f).suffix == ".jpg"]
    other = next(f for f in pictures if f not in listed)
    token = csrf(supervisor)
    for step, decided in enumerate((other, picture)):
        before = figures(supervisor, web_world, devices)
        form = {"item": [f"{decided}:{decided}"], "choice": "1", "csrf_token": token}
        assert (
            supervisor.post("/review/decide", data=form, follow_redirects=False).status_code == 303
        )
        after = figures(supervisor, web_world, devices)
        with web_world.database.session() as s:
            query = select(AuditRecord).where(AuditRecord.action == "review.rescreen")
            last = s.scalars(query.order_by(AuditRecord.seq.desc()).limit(1)).one()
            assert (last.details["version"], last.details["since"]) == (step + 1, step or None)
    # The picture itself on A, its near copy on A/2, its exact and near copies on B/2.
    assert after[0] == [before[0][0] + 1, before[0][1] + 1, before[0][2] + 2]
    assert after[1] == before[1] + 4
