"""The review tests' world: three devices of one operation whose stored files share pictures.

Generated benign pictures are hashed once per run (SHA-256, MD5, SHA-1, PDQ); each test
records an operation with case A (devices A1 and A2), case B (device B1) and a device of
another operation, and stores their files as an ingest would (rows of a finished job):
picture P0 is on A1, copied exactly to A2 and re-saved smaller (a near copy) to B1; P1
is on A1 and B1; P2 only on A1; P0 is also on the other operation's device.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.cases.case_files import open_case
from phunt.cases.devices import add_device
from phunt.cases.operations import add_raid, create_operation
from phunt.demo import make_device_folder
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, IngestJob


@dataclass(frozen=True)
class Picture:
    """A generated picture's stored hashes."""

    sha256: str
    md5: str
    sha1: str
    pdq: str
    quality: int
    path: Path


@dataclass(frozen=True)
class ReviewWorld:
    case_a: int
    case_b: int
    devices: dict[str, int]
    files: dict[tuple[str, str], int]
    """(device, picture name) -> stored file id."""


def _hashes(path: Path) -> Picture:
    from phunt.hashing.pdq import hash_image_file

    data = path.read_bytes()
    pdq = hash_image_file(str(path)).hash
    return Picture(
        hashlib.sha256(data).hexdigest(),
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        pdq.hex,
        int(pdq.quality or 0),
        path,
    )


@pytest.fixture(scope="session")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Picture]:
    """P0, P1, P2 and P0's smaller re-save ("P0-near"), hashed."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("review-pictures")
    made = make_device_folder(folder, seed=7, pictures=3)
    near = folder / "near.jpg"
    shutil.copy(made[0], near)
    with Image.open(near) as img:
        img.resize((img.width * 3 // 4, img.height * 3 // 4)).save(near, "JPEG", quality=60)
    out = {f"P{i}": _hashes(path) for i, path in enumerate(made)}
    out["P0-near"] = _hashes(near)
    return out


PLACES = {
    "A1": ["P0", "P1", "P2"],
    "A2": ["P0"],
    "B1": ["P0-near", "P1"],
    "X1": ["P0"],
}


def build(database: Database, pictures: dict[str, Picture]) -> ReviewWorld:
    """Record the world and store its files (see the module)."""
    t0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    files: dict[tuple[str, str], int] = {}
    with database.session() as s:
        op = create_operation(s, "Review test operation", "synthetic data only")
        other = create_operation(s, "Another operation", "synthetic data only")
        raid = add_raid(s, op.id, "Ernakulam", "Shop 1, Market Road", t0, "SI Example")
        raid_x = add_raid(s, other.id, "Kozhikode", "House 2, Beach Road", t0, "SI Sample")
        case_a = open_case(s, "CR 1/2026", "Cyber PS", "Ernakulam", ["IT Act s.67B"],
                           operation=op.id, raid_id=raid.id)  # fmt: skip
        case_b = open_case(s, "CR 2/2026", "Cyber PS", "Ernakulam", ["IT Act s.67B"],
                           operation=op.id, raid_id=raid.id)  # fmt: skip
        devices = {}
        for name, case_id, raid_id in (
            ("A1", case_a.id, raid.id),
            ("A2", case_a.id, raid.id),
            ("B1", case_b.id, raid.id),
            ("X1", None, raid_x.id),
        ):
            device = add_device(s, f"EV-{name}", "mobile phone", case_id=case_id, raid_id=raid_id)
            devices[name] = device.id
            job = IngestJob(
                device_id=device.id,
                source_path=f"/evidence/{name}",
                source_kind="folder",
                status="finished",
                files=len(PLACES[name]),
            )
            s.add(job)
            s.flush()
            for seq, picture in enumerate(PLACES[name]):
                p = pictures[picture]
                row = EvidenceFile(
                    job_id=job.id, device_id=device.id, seq=seq,
                    path=f"DCIM/Camera/{picture}.jpg", size=1000, md5=p.md5, sha1=p.sha1,
                    sha256=p.sha256, mime="image/jpeg", pdq=p.pdq, pdq_quality=p.quality,
                    pdq_mode="image",
                )  # fmt: skip
                s.add(row)
                s.flush()
                files[(name, picture)] = row.id
        return ReviewWorld(case_a.id, case_b.id, devices, files)


@pytest.fixture
def world(database: Database, pictures: dict[str, Picture]) -> ReviewWorld:
    return build(database, pictures)
