"""The review queue of a device or a case: uncategorised pictures and videos, near
copies gathered into one item, filters, pages and scope (both databases).

The world is made with the real services: two cases, a device each, a generated folder
ingested on each against a categorised list, with re-encoded and resized copies of a
generated picture, two encodings of a generated video and a WhatsApp export. Everything
is generated and benign.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from phunt.accounts import store as accounts
from phunt.accounts.access import Viewer
from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import create_operation
from phunt.errors import NotFoundError, UsageError
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.review import decisions
from phunt.review.queue import Filters, QueueItem, review_queue
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

CAMERA_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ReviewWorld:
    """Ids of the world, by the name of the file (``a/...`` on device A, ``b/...`` on B)."""

    case_a: int
    case_b: int
    device_a: int
    device_b: int
    files: dict[str, int]
    admin: Viewer
    analyst: Viewer


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A generated picture of coloured ellipses (benign, and far from any other seed's
    PDQ), drawn at 640 x 480 and resized to ``size``."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (640, 480), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = int(rng.integers(0, 600)), int(rng.integers(0, 440))
        box = (x, y, x + int(rng.integers(30, 260)), y + int(rng.integers(30, 200)))
        draw.ellipse(box, fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)


def _chat(folder: Path, attached: list[str]) -> None:
    """A WhatsApp text export (Android) attaching ``attached``, with neutral text."""
    lines = [
        '05/01/2026, 10:00 - Asha Example created group "Ward 9 Market"',
        "05/01/2026, 10:00 - Asha Example added Binu Sample",
        "05/01/2026, 10:01 - Asha Example: The stall rota is ready.",
    ]
    lines += [f"05/01/2026, 10:02 - Binu Sample: \u200e{name} (file attached)" for name in attached]
    (folder / "WhatsApp Chat with Ward 9 Market.txt").write_text("\n".join(lines) + "\n")


def _folder_a(root: Path) -> dict[str, Path]:
    camera = root / "DCIM" / "Camera"
    whatsapp = root / "WhatsApp" / "Media" / "WhatsApp Images"
    telegram = root / "Pictures" / "Telegram"
    for folder in (camera, whatsapp, telegram, root / "Documents", root / "Movies"):
        folder.mkdir(parents=True)
    paths = {
        "a/original": camera / "IMG_0001.jpg",
        "a/resaved": whatsapp / "IMG-20250301-WA0001.jpg",
        "a/smaller": telegram / "copy-small.png",
        "a/alone": whatsapp / "IMG-20250301-WA0003.jpg",
        "a/listed": whatsapp / "IMG-20250301-WA0002.jpg",
        "a/video": root / "Movies" / "clip.mp4",
        "a/video-copy": root / "Movies" / "clip-reencoded.mp4",
        "a/video-other": root / "Movies" / "other.mp4",
    }
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Examplecam", "X100"
    scene(1).save(paths["a/original"], "JPEG", quality=92, exif=exif)
    scene(1, (480, 360)).save(paths["a/resaved"], "JPEG", quality=60)
    scene(1, (320, 240)).save(paths["a/smaller"], "PNG")
    scene(2).save(paths["a/alone"], "JPEG", quality=90)
    scene(3).save(paths["a/listed"], "JPEG", quality=90)
    shutil.copy(TEST_DATA / "video" / "original.mp4", paths["a/video"])
    shutil.copy(TEST_DATA / "video" / "reencoded.mp4", paths["a/video-copy"])
    shutil.copy(TEST_DATA / "video" / "different.mp4", paths["a/video-other"])
    (root / "Documents" / "notes.txt").write_text("bring the blue folder\n")
    stamp = CAMERA_TIME.timestamp()
    os.utime(paths["a/original"], (stamp, stamp))
    # Both shared in a chat where listed media was sent.
    _chat(whatsapp, [paths["a/alone"].name, paths["a/listed"].name])
    return paths


def build_review_world(database: Database, root: Path) -> ReviewWorld:
    """Record, ingest and list the world (see the module)."""
    paths = _folder_a(root / "device-a")
    (root / "device-b").mkdir()
    scene(1, (600, 450)).save(root / "device-b" / "IMG_9001.jpg", "JPEG", quality=70)
    listed = hashlib.md5(paths["a/listed"].read_bytes()).hexdigest()
    hash_list = root / "categorised.csv"
    hash_list.write_text(f"MD5,Category\n{listed},1\n")
    with database.session() as s:
        op = create_operation(s, "Review queue tests", "synthetic data only")
        statutes = ["POCSO s.15"]
        case_a = open_case(s, "CR 11/2026", "Cyber PS", "Ernakulam", statutes, operation=op.id)
        case_b = open_case(s, "CR 12/2026", "Cyber PS", "Kozhikode", statutes, operation=op.id)
        device_a = add_device(s, "EV-Q/1", "mobile phone", case_id=case_a.id)
        device_b = add_device(s, "EV-Q/2", "mobile phone", case_id=case_b.id)
        import_hash_list(
            s, str(hash_list), name="categorised", category_scheme="vics-us-2.0",
            source_agency="test unit",
        )  # fmt: skip
        ids = case_a.id, case_b.id, device_a.id, device_b.id
    ingest(database, str(root / "device-a"), "EV-Q/1", workers=1)
    ingest(database, str(root / "device-b"), "EV-Q/2", workers=1)
    with database.session() as s:
        admin_id = accounts.add_user(s, "admin1", "admin", "a long admin passphrase")
        analyst_id = accounts.add_user(s, "analyst1", "analyst", "a long analyst passphrase")
        accounts.assign(s, "analyst1", ids[0])
        rows = s.execute(select(EvidenceFile.id, EvidenceFile.path, EvidenceFile.device_id))
        by_path = {(device, path): file_id for file_id, path, device in rows}
    files = {}
    for name, path in paths.items():
        relative = str(path.relative_to(root / "device-a"))
        files[name] = next(
            i for (d, p), i in by_path.items() if d == ids[2] and p.endswith(relative)
        )
    files["b/copy"] = next(i for (d, _p), i in by_path.items() if d == ids[3])
    admin = Viewer(admin_id, "admin1", "admin", frozenset())
    analyst = Viewer(analyst_id, "analyst1", "analyst", frozenset({ids[0]}))
    return ReviewWorld(*ids, files, admin, analyst)


@pytest.fixture
def world(database: Database, tmp_path: Path) -> ReviewWorld:
    return build_review_world(database, tmp_path / "world")


def _items(database: Database, viewer: Viewer, **kwargs: object) -> list[QueueItem]:
    with database.session() as s:
        return review_queue(s, viewer, **kwargs).items  # type: ignore[arg-type]


def test_near_copies_are_one_item_with_their_count(database: Database, world: ReviewWorld) -> None:
    f = world.files
    queue = _items(database, world.analyst, device_id=world.device_a)
    picture = next(i for i in queue if f["a/original"] in i.members)
    assert picture.kind == "picture" and picture.count == 3
    assert set(picture.members) == {f["a/original"], f["a/resaved"], f["a/smaller"]}
    with database.session() as s:
        sizes = {i: n for i, n in s.execute(select(EvidenceFile.id, EvidenceFile.size))}
    assert picture.file_id == max(picture.members, key=lambda m: (sizes[m], -m))  # the largest
    assert picture.size == sizes[picture.file_id] and picture.evidence_number == "EV-Q/1"
    assert next(i for i in queue if f["a/alone"] in i.members).count == 1
    video = next(i for i in queue if f["a/video"] in i.members)
    assert video.kind == "video" and set(video.members) == {f["a/video"], f["a/video-copy"]}
    assert next(i for i in queue if f["a/video-other"] in i.members).count == 1
    shown = [m for item in queue for m in item.members]
    assert f["a/listed"] not in shown  # categorised by a list
    assert f["b/copy"] not in shown  # another device's copy
    assert len(shown) == len(set(shown)) == len(queue) + 3  # two copies of the picture, one video


def test_a_case_queue_spans_its_devices_and_no_other(
    database: Database, world: ReviewWorld
) -> None:
    with database.session() as s:
        a = review_queue(s, world.admin, case_id=world.case_a)
        b = review_queue(s, world.admin, case_id=world.case_b)
    assert [i.members for i in b.items] == [(world.files["b/copy"],)]
    assert a.total_files == 7 and a.total_items == 4


FILTERED = [
    (Filters(kind="video"), {"a/video", "a/video-other"}),
    (Filters(kind="picture"), {"a/original", "a/alone"}),
    (Filters(app="telegram"), {"a/smaller"}),
    (Filters(path="whatsapp images"), {"a/resaved", "a/alone"}),
    (Filters(camera="examplecam"), {"a/original"}),
    (Filters(camera="x100", path="dcim"), {"a/original"}),
    (Filters(flagged_chat=True), {"a/alone"}),
    (Filters(kind="picture", since=CAMERA_TIME, until=CAMERA_TIME), {"a/original"}),
]
"""Each filter, alone or combined, with the names of the items it keeps."""


def test_filters(database: Database, world: ReviewWorld) -> None:
    for filters, expected in FILTERED:
        items = _items(database, world.analyst, device_id=world.device_a, filters=filters)
        shown = {i.file_id for i in items}
        assert {name for name, file_id in world.files.items() if file_id in shown} == expected


def test_size_filters_and_pages(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        sizes = {i: n for i, n in s.execute(select(EvidenceFile.id, EvidenceFile.size))}
        alone = sizes[world.files["a/alone"]]
        exact = Filters(kind="picture", min_size=alone, max_size=alone)
        only = review_queue(s, world.analyst, device_id=world.device_a, filters=exact)
        pages = [
            review_queue(s, world.analyst, device_id=world.device_a, page=n, per_page=2)
            for n in (1, 2, 3)
        ]
        by_count = review_queue(s, world.analyst, device_id=world.device_a, sort="count")
    assert [i.file_id for i in only.items] == [world.files["a/alone"]]
    assert [len(p.items) for p in pages] == [2, 2, 0]
    assert len({i.file_id for p in pages for i in p.items}) == pages[0].total_items == 4
    assert [i.count for i in by_count.items] == [3, 2, 1, 1]


def test_a_new_ingest_joins_the_groups_it_copies(
    database: Database, world: ReviewWorld, tmp_path: Path
) -> None:
    before = _items(database, world.admin, case_id=world.case_a)
    more = tmp_path / "second-source"
    more.mkdir()
    scene(2, (500, 375)).save(more / "IMG_0002-copy.jpg", "JPEG", quality=70)
    ingest(database, str(more), "EV-Q/1", workers=1)
    after = _items(database, world.admin, case_id=world.case_a)
    alone = next(i for i in after if world.files["a/alone"] in i.members)
    assert len(after) == len(before) and alone.count == 2


def test_scope_and_bad_requests(database: Database, world: ReviewWorld) -> None:
    with database.session() as s:
        for where in ({"device_id": world.device_b}, {"case_id": world.case_b}):
            with pytest.raises(NotFoundError):
                review_queue(s, world.analyst, **where)  # type: ignore[arg-type]
        with pytest.raises(NotFoundError):
            review_queue(s, world.admin, device_id=999_999)
        videos = Filters(kind="video")
        empty = review_queue(s, world.admin, case_id=world.case_b, filters=videos, sort="count")
        assert (empty.items, empty.total_items, empty.total_files) == ([], 0, 0)
        with pytest.raises(UsageError, match="one device or one case"):
            review_queue(s, world.admin)
        with pytest.raises(UsageError, match="sort"):
            review_queue(s, world.admin, case_id=world.case_a, sort="colour")


def test_a_decided_file_leaves_the_queue_and_a_changed_one_stays_off(
    database: Database, world: ReviewWorld
) -> None:
    alone = world.files["a/alone"]
    before = [
        m
        for item in _items(database, world.analyst, device_id=world.device_a)
        for m in item.members
    ]
    assert alone in before
    with database.session() as s:
        decisions.decide(s, [alone], decisions.Choice(code=0))  # not pertinent
        decisions.decide(s, [alone], decisions.Choice(label="unit: seen"))  # a change
    after = [
        m
        for item in _items(database, world.analyst, device_id=world.device_a)
        for m in item.members
    ]
    assert alone not in after and set(after) == set(before) - {alone}
