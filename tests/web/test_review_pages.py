"""The review pages on both databases: the queue of a device or case with its filters and
near-duplicate groups, blurred grey thumbnails (never the evidence's bytes, 404 outside
the viewer's cases), reveals and settings audited, categorising a selection with every
change kept, propagation, the circulation view and the exports (generated pictures)."""

from __future__ import annotations

import base64
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import select
from starlette.testclient import TestClient

from phunt.audit.store import acting_as
from phunt.cases.devices import add_device
from phunt.hashsets.categories import VICS_US, Category
from phunt.hashsets.store import entries_of, import_hash_list
from phunt.ingest.job import ingest
from phunt.review.local_set import choose_local_set
from phunt.schema.audit import AuditRecord
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review import ReviewDecision

from .conftest import World

UNKNOWN = 10**6


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/no-such-page").text)
    assert found is not None
    return found.group(1)


def queue_items(html: str) -> list[int]:
    """The shown file of each item of a queue page, in order."""
    return [int(i) for i in re.findall(r'class="review-item" data-file="(\d+)"', html)]


def item_values(html: str) -> dict[int, str]:
    """Each item's checkbox value (its shown file, then its members)."""
    return {int(v.split(":")[0]): v for v in re.findall(r'name="item" value="([\d:,]+)"', html)}


def energy(data: bytes) -> float:
    """Mean squared Laplacian of the luminance: the fine detail blur takes away."""
    with Image.open(io.BytesIO(data)) as image:
        y = np.asarray(image.convert("L"), dtype=np.float64)
    lap = -4 * y[1:-1, 1:-1] + y[:-2, 1:-1] + y[2:, 1:-1] + y[1:-1, :-2] + y[1:-1, 2:]
    return float((lap**2).mean())


def colourless(data: bytes) -> bool:
    """Whether a picture has no colour: one channel, or three equal ones."""
    with Image.open(io.BytesIO(data)) as image:
        if image.mode == "L":
            return True
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    return bool(
        np.abs(rgb[..., 0] - rgb[..., 1]).max() <= 2
        and np.abs(rgb[..., 1] - rgb[..., 2]).max() <= 2
    )


def sharp_energy(path: Path) -> float:
    """The energy of the original picture downscaled the same way, without blur."""
    with Image.open(path) as image:
        small = image.convert("L")
        small.thumbnail((256, 256), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "PNG")
    return energy(out.getvalue())


def file_path(world: World, file_id: int) -> Path:
    with world.database.session() as s:
        return Path(s.get_one(EvidenceFile, file_id).path)


def near_copy(source: Path, target: Path) -> Path:
    """``source`` re-saved smaller as a JPEG: a near copy (PDQ within the threshold)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as img:
        img.resize((img.width * 3 // 4, img.height * 3 // 4)).save(target, "JPEG", quality=60)
    return target


def add_device_with_copies(
    world: World, number: str, case_id: int, copies: list[tuple[Path, bool]]
) -> int:
    """A new device of ``case_id`` ingested from a folder of copies (near when True,
    else exact) of the given pictures; its id."""
    folder = world.evidence / number.replace("/", "-")
    for n, (source, near) in enumerate(copies):
        target = folder / "DCIM" / f"copy-{n}.jpg"
        if near:
            near_copy(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    with world.database.session() as s, acting_as("admin"):
        device = add_device(s, number, "mobile phone", case_id=case_id).id
    ingest(world.database, str(folder), number, workers=1)
    return device


def unmatched_pictures(client: TestClient, world: World) -> list[int]:
    page = client.get(f"/review/devices/{world.device_a}")
    assert page.status_code == 200
    return queue_items(page.text)


def test_the_queue_lists_uncategorised_pictures_and_groups_near_copies(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst")
    shown = unmatched_pictures(analyst, web_world)
    # Four pictures: the two on the world's list stay, as that list gives no category.
    assert len(shown) == 4 and {web_world.matched_file_a, web_world.near_file_a} < set(shown)
    assert web_world.hostile_file_a not in shown  # a text file is not reviewed
    first = file_path(web_world, shown[0])
    add_device_with_copies(web_world, "EV-A/2", web_world.case_a, [(first, True), (first, False)])
    page = analyst.get(f"/review/cases/{web_world.case_a}").text
    assert len(queue_items(page)) == 4  # the three copies are one item
    grouped = item_values(page)[queue_items(page)[0]]
    assert len(grouped.split(":")[1].split(",")) == 3 and "3 near copies" in page
    assert "4 items (6 files" in page
    assert analyst.get(f"/review/devices/{web_world.device_b}").status_code == 404
    assert analyst.get(f"/review/cases/{web_world.case_b}").status_code == 404
    assert analyst.get(f"/review/cases/{UNKNOWN}").status_code == 404
    assert client_for("auditor").get(f"/review/devices/{web_world.device_a}").status_code == 403


def test_the_queue_filters(web_world: World, client_for: Callable[[str], TestClient]) -> None:
    analyst = client_for("analyst")
    base = f"/review/devices/{web_world.device_a}"
    everything = queue_items(analyst.get(base).text)
    paths = {f: str(file_path(web_world, f)) for f in everything}
    in_camera = [f for f in everything if "DCIM/Camera" in paths[f]]
    assert 0 < len(in_camera) < len(everything)
    assert queue_items(analyst.get(base + "?path=dcim/camera").text) == in_camera
    assert queue_items(analyst.get(base + "?kind=video").text) == []
    assert queue_items(analyst.get(base + "?kind=picture&min_size=&max_size=").text) == everything
    assert queue_items(analyst.get(base + "?min_size=999999999").text) == []
    assert queue_items(analyst.get(base + "?camera=no-such-camera").text) == []
    assert queue_items(analyst.get(base + "?until=2000-01-01").text) == []
    assert queue_items(analyst.get(base + "?since=2000-01-01").text) == everything
    # The chat is flagged for sharing the listed picture, the one file it shares.
    assert queue_items(analyst.get(base + "?flagged=1").text) == [web_world.matched_file_a]
    assert analyst.get(base + "?min_size=lots").status_code == 400
    assert analyst.get(base + "?kind=document").status_code == 400


def test_thumbnails_are_blurred_grey_never_stored_and_scoped(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst = client_for("analyst")
    picture = web_world.matched_file_a
    thumb = analyst.get(f"/review/files/{picture}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["cache-control"] == "no-store"
    original = file_path(web_world, picture)
    assert thumb.content != original.read_bytes() and colourless(thumb.content)
    assert energy(thumb.content) < 0.25 * sharp_energy(original)
    other = analyst.get(f"/review/files/{web_world.matched_file_b}/thumb")
    unknown = analyst.get(f"/review/files/{UNKNOWN}/thumb")
    assert other.status_code == unknown.status_code == 404 and other.text == unknown.text
    assert (
        client_for("supervisor").get(f"/review/files/{web_world.matched_file_b}/thumb").status_code
        == 200
    )
    assert analyst.get(f"/review/files/{web_world.hostile_file_a}/thumb").status_code == 415


def test_a_reveal_is_audited_and_the_unit_floor_holds(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    analyst, admin = client_for("analyst"), client_for("admin")
    picture = web_world.near_file_a
    url = f"/review/files/{picture}/reveal"
    assert analyst.post(url, data={"blur": "0"}).status_code == 403  # no CSRF token
    shown = analyst.post(url, data={"blur": "0", "colour": "true", "csrf_token": csrf(analyst)})
    assert shown.status_code == 200 and 'src="data:image/jpeg;base64,' in shown.text
    src = re.search(r'src="data:image/jpeg;base64,([^"]+)"', shown.text)
    assert src is not None
    sharp = base64.b64decode(src.group(1))
    assert not colourless(sharp) and energy(sharp) > energy(
        analyst.get(f"/review/files/{picture}/thumb").content
    )
    with web_world.database.session() as s:
        reveals = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "review.reveal")))
    assert [(r.actor, r.object_id, r.details["blur"]) for r in reveals] == [
        ("analyst", str(picture), 0)
    ]
    assert reveals[0].at is not None
    # The unit's floor: an admin sets it; the analyst's own setting cannot go below it.
    token = csrf(analyst)
    assert (
        analyst.post(
            "/review/settings",
            data={"blur": "4", "grey": "true", "csrf_token": token},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert (
        analyst.post(
            "/review/settings/unit", data={"min_blur": "0", "csrf_token": token}
        ).status_code
        == 403
    )
    at_four = energy(analyst.get(f"/review/files/{picture}/thumb").content)
    floor = {"min_blur": "5", "require_grey": "true", "csrf_token": csrf(admin)}
    assert (
        admin.post("/review/settings/unit", data=floor, follow_redirects=False).status_code == 303
    )
    page = analyst.get("/review/settings").text
    assert '<option value="5" selected>5</option>' in page and '<option value="4"' not in page
    refused = analyst.post(
        "/review/settings", data={"blur": "4", "grey": "true", "csrf_token": token}
    )
    assert refused.status_code == 400 and "below the unit&#39;s minimum of 5" in refused.text
    colour = analyst.post(url, data={"blur": "0", "colour": "true", "csrf_token": token})
    assert colour.status_code == 400 and "requires greyscale" in colour.text
    grey = analyst.post(url, data={"blur": "0", "csrf_token": token})
    assert grey.status_code == 200
    assert energy(analyst.get(f"/review/files/{picture}/thumb").content) < at_four
    with web_world.database.session() as s:
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions.count("review.reveal") == 2 and "review.unit_minimum" in actions


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


def test_device_and_case_pages_lead_to_their_queue(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    queue = f'href="/review/devices/{web_world.device_a}"'
    case_queue = f'href="/review/cases/{web_world.case_a}"'
    analyst, auditor = client_for("analyst"), client_for("auditor")
    assert queue in analyst.get(f"/devices/{web_world.device_a}").text
    assert case_queue in analyst.get(f"/cases/{web_world.case_a}").text
    assert queue not in auditor.get(f"/devices/{web_world.device_a}").text  # no review role
    assert case_queue not in auditor.get(f"/cases/{web_world.case_a}").text
