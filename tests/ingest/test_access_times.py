"""Ingest and ``phunt hash`` leave the evidence's access times alone (O_NOATIME where the
system allows it) and record the times as they were before phunt read the files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import TEST_DATA

pytestmark = pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="no O_NOATIME here")


def _past(path: Path) -> float:
    """Access time ten days back, before the modification time: even a relatime mount
    moves it on the next read."""
    st = path.stat()
    os.utime(path, (st.st_mtime - 10 * 86400, st.st_mtime))
    return path.stat().st_atime


def _evidence(root: Path) -> list[Path]:
    """A folder of files this test owns: pictures (one past the size read whole, which
    the picture stage opens itself), a video and a text."""
    (root / "DCIM").mkdir(parents=True)
    noise = Image.frombytes("RGB", (3500, 3500), os.urandom(3500 * 3500 * 3))
    noise.save(root / "DCIM" / "scan.png", compress_level=0)  # about 37 MB: not read whole
    (root / "clip.mp4").write_bytes((TEST_DATA / "video" / "original.mp4").read_bytes())
    picture = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").save(picture, "PNG")
    (root / "gradient.png").write_bytes(picture.getvalue())
    Image.linear_gradient("L").convert("RGB").save(root / "DCIM" / "IMG_0001.jpg", quality=90)
    (root / "notes.txt").write_text("shopping list\n" * 50)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    probe = files[0]
    before = _past(probe)
    with probe.open("rb") as fh:
        fh.read()
    if probe.stat().st_atime == before:
        pytest.skip("this file system does not update access times")
    return files


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_leaves_access_times_and_records_them_from_before(
    database: Database, tmp_path: Path, workers: int
) -> None:
    files = _evidence(tmp_path / "ev")
    before = {f.name: _past(f) for f in files}
    with database.session() as s:
        add_device(s, "EV-A", "other")
    summary = ingest(database, str(tmp_path / "ev"), "EV-A", workers=workers)
    assert summary.errors == 0 and summary.files == 5
    assert {f.name: f.stat().st_atime for f in files} == before
    with database.session() as s:
        stored = {Path(f.path).name: f.accessed for f in s.scalars(select(EvidenceFile))}
    for name, atime in before.items():
        assert stored[name] == datetime.fromtimestamp(atime, UTC), name


def test_hash_leaves_access_times(tmp_path: Path) -> None:
    files = _evidence(tmp_path / "ev")
    before = {f.name: _past(f) for f in files}
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "phunt", "hash", str(tmp_path / "ev"), "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 5
    assert {f.name: f.stat().st_atime for f in files} == before
