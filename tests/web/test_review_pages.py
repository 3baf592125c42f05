"""The review pages on both databases: the queue of a device or case with its filters and
near-duplicate groups, blurred grey thumbnails and video strips (never the evidence's
bytes, 404 outside the viewer's cases), reveals and settings audited (generated
pictures). Categorising is in ``test_review_decisions.py``."""

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
from phunt.ingest.job import ingest
from phunt.review.thumbs import SIDE, STRIP_FRAMES
from phunt.schema.audit import AuditRecord
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

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


def test_a_video_is_reviewed_by_a_strip_of_blurred_grey_frames(
    web_world: World, client_for: Callable[[str], TestClient]
) -> None:
    folder = web_world.evidence / "video-device" / "DCIM"
    folder.mkdir(parents=True)
    shutil.copy(TEST_DATA / "video" / "original.mp4", folder / "clip.mp4")
    with web_world.database.session() as s, acting_as("admin"):
        device = add_device(s, "EV-A/9", "mobile phone", case_id=web_world.case_a).id
    ingest(web_world.database, str(folder.parent), "EV-A/9", workers=1)
    analyst = client_for("analyst")
    page = analyst.get(f"/review/devices/{device}?kind=video").text
    [clip] = queue_items(page)
    strip = analyst.get(f"/review/files/{clip}/thumb")
    assert strip.status_code == 200 and colourless(strip.content)
    with Image.open(io.BytesIO(strip.content)) as image:
        width, height = image.size
    assert width % STRIP_FRAMES == 0 and max(width // STRIP_FRAMES, height) == SIDE
    assert queue_items(analyst.get(f"/review/devices/{device}?kind=picture").text) == []
