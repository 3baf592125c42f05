"""Ingest, ``phunt hash`` and ``phunt scan`` leave the evidence's access times alone
(O_NOATIME where the system allows it), a plain file's and every segment's of a disk image
alike, and record the times as they were before phunt read the files."""

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

import phunt.sources.expand  # noqa: F401  (registers the container sources entries reopen by)
from phunt.cases.devices import add_device
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from phunt.sources.disk_image import DiskImageSource
from test_lib import TEST_DATA, ewf_subset, make_ext2_image, run_phunt, shared_folder

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
    _skip_where_reads_keep_atime(files[0])
    return files


def _skip_where_reads_keep_atime(probe: Path) -> None:
    """Skip the test where a plain read does not move a time set in the past (a noatime
    mount, say): there no test of phunt's reads could fail."""
    before = _past(probe)
    with probe.open("rb") as fh:
        fh.read()
    if probe.stat().st_atime == before:
        pytest.skip("this file system does not update access times")


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


#: Disk images, each in a folder of its own: a raw ext2 image, the same split in three,
#: the generated three-segment E01 set, and an E01 with a bad chunk (its files flagged).
IMAGE_KINDS = ("raw", "split-raw", "e01", "damaged-e01")


def _image(root: Path, kind: str) -> tuple[Path, list[Path]]:
    """The first segment of a ``kind`` image this test owns, and every file of it, their
    access times set in the past (the test skips where reads do not move them)."""
    folder = root / kind
    folder.mkdir(parents=True)
    if kind == "e01":
        first = ewf_subset(folder, 1, 2, 3)
    elif kind == "damaged-e01":
        first = folder / "damaged.E01"
        first.write_bytes((TEST_DATA / "ewf" / "damaged-plain.E01").read_bytes())
    else:
        picture = io.BytesIO()
        Image.linear_gradient("L").convert("RGB").save(picture, "PNG")
        files = {"DCIM/gradient.png": picture.getvalue(), "notes.txt": b"shopping list\n" * 50}
        first = make_ext2_image(folder / "disk.raw", files)
        if kind == "split-raw":
            data = first.read_bytes()
            first.unlink()
            step = 768 * 1024
            for number, start in enumerate(range(0, len(data), step), start=1):
                (folder / f"disk.{number:03d}").write_bytes(data[start : start + step])
            first = folder / "disk.001"
    segments = sorted(folder.iterdir())
    _skip_where_reads_keep_atime(segments[0])
    return first, segments


def _atimes(segments: list[Path]) -> dict[str, float]:
    return {s.name: s.stat().st_atime for s in segments}


@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_hash_and_scan_of_a_disk_image_leave_its_access_times(tmp_path: Path, kind: str) -> None:
    """Every segment is read (its SHA-256, the E01's chunks and MD5, the file systems'
    listing and their files), each through a file phunt opened with O_NOATIME."""
    first, segments = _image(tmp_path / "ev", kind)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    expected = 2 if kind == "damaged-e01" else 0
    before = {s.name: _past(s) for s in segments}
    hashed = run_phunt("hash", str(first), "--json", env=env)
    assert hashed.returncode == expected, hashed.stderr
    names = [json.loads(line)["path"].rsplit("/", 1)[-1] for line in hashed.stdout.splitlines()]
    assert {"notes.txt", "note.txt", "report.txt"} & set(names), names
    assert _atimes(segments) == before

    before = {s.name: _past(s) for s in segments}
    listed = tmp_path / "list.txt"
    listed.write_text("d41d8cd98f00b204e9800998ecf8427e\n")
    scanned = run_phunt("scan", str(first), "--hashlist", str(listed), "--json", env=env)
    assert scanned.returncode == expected, scanned.stderr
    assert json.loads(scanned.stdout.splitlines()[-1])["files"] >= 2
    assert _atimes(segments) == before


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_ingest_of_a_disk_image_leaves_its_access_times(
    database: Database, tmp_path: Path, kind: str, workers: int
) -> None:
    """The source's facts (segment hashes, chunk check, MD5), the walk in its listing
    child, the workers' reads of members and the flagging of damaged files."""
    first, segments = _image(tmp_path / "ev", kind)
    before = {s.name: _past(s) for s in segments}
    with database.session() as s:
        add_device(s, "EV-A", "other")
    summary = ingest(database, str(first), "EV-A", workers=workers, pdq_mode=None)
    assert summary.files >= 2 and summary.errors == (1 if kind == "damaged-e01" else 0)
    assert summary.source_sha256 is not None
    assert _atimes(segments) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the image another owner")
@pytest.mark.parametrize("kind", ["split-raw", "e01"])
def test_an_image_phunt_may_not_open_with_noatime_is_read_all_the_same(
    tmp_path: Path, kind: str
) -> None:
    """O_NOATIME needs the file's owner or CAP_FOWNER: without, every reader of the image
    (dfvfs, pyewf, pysmraw, the segment hashes and chunk check) opens it normally."""
    first, segments = _image(tmp_path / "ev", kind)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    owned = run_phunt("hash", str(first), "--json", env=env)
    assert owned.returncode == 0, owned.stderr
    for segment in segments:
        os.chown(segment, 65534, 65534)
    before = {s.name: _past(s) for s in segments}
    refused = run_phunt("hash", str(first), "--json", env=env, drop_privileges=True)
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout == owned.stdout and len(owned.stdout.splitlines()) >= 2
    # The plain opens did read it: the times moved, as they must where O_NOATIME is refused.
    assert any(moved != before[name] for name, moved in _atimes(segments).items())


#: dfVFS's test images of one ext2 file system, and the files each is made of.
OTHER_FORMATS = {
    "ext2.qcow2": ["ext2.qcow2"],
    "ext2.vmdk": ["ext2.vmdk"],
    "ext2.vhd": ["ext2.vhd"],
    "ext2.split.E01": ["ext2.split.E01", "ext2.split.E02"],
}


@pytest.mark.parametrize("name", sorted(OTHER_FORMATS))
def test_other_image_formats_are_read_without_moving_access_times(
    tmp_path: Path, name: str
) -> None:
    """QCOW2, VMDK and VHD reach their files through dfvfs's local file objects (phunt's,
    O_NOATIME): the walk and the reads of every member leave the image's times alone."""
    reference = shared_folder("reference/disk-images")
    segments = []
    for part in OTHER_FORMATS[name]:
        (tmp_path / part).write_bytes((reference / part).read_bytes())
        segments.append(tmp_path / part)
    _skip_where_reads_keep_atime(segments[0])
    before = {s.name: _past(s) for s in segments}
    source = DiskImageSource(str(tmp_path / name), display=name)
    contents = {}
    with source:
        for entry in source.entries():
            if entry.locator is not None:
                with entry.open() as stream:
                    contents[entry.path] = stream.read()
    assert contents[f"{name}!/a_directory/another_file"] == b"This is another file.\n"
    assert _atimes(segments) == before
