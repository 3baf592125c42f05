"""Ingest on both databases: stored files, matches, provenance, resume after SIGKILL."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from phunt.audit.store import verify
from phunt.cases.devices import add_device
from phunt.errors import UsageError
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob
from test_lib import SHARED


def _extraction(root: Path) -> bytes:
    """A small phone extraction with a picture inside a zip the list knows."""
    pics = root / "WhatsApp" / "Media" / "WhatsApp Images"
    pics.mkdir(parents=True)
    img = Image.linear_gradient("L").convert("RGB")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "ExampleCam", "Model 7"
    img.save(pics / "IMG-20260101-WA0001.jpg", quality=90, exif=exif)
    (root / "DCIM").mkdir()
    (root / "DCIM" / "notes.txt").write_text("groceries\n")
    known = (pics / "IMG-20260101-WA0001.jpg").read_bytes()
    with zipfile.ZipFile(root / "backup.zip", "w") as zf:
        zf.writestr("old/photo.jpg", known)
    return known


@pytest.fixture
def device(database: Database) -> str:
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    return "EV-1"


def test_ingest_folder_stores_and_matches(database: Database, device: str, tmp_path: Path) -> None:
    known = _extraction(tmp_path / "ext")
    lst = tmp_path / "known.txt"
    lst.write_text(hashlib.sha1(known).hexdigest() + "\n")
    with database.session() as s:
        import_hash_list(s, str(lst), name="unit")
    summary = ingest(database, str(tmp_path / "ext"), device, workers=1)
    assert (summary.files, summary.errors, summary.matched_files) == (4, 0, 2)
    with database.session() as s:
        files = {Path(f.path).name: f for f in s.scalars(select(EvidenceFile))}
        assert set(files) == {"IMG-20260101-WA0001.jpg", "notes.txt", "backup.zip", "photo.jpg"}
        wa = files["IMG-20260101-WA0001.jpg"]
        assert wa.app == "whatsapp" and wa.mime == "image/jpeg" and wa.pdq is not None
        inner = files["photo.jpg"]
        assert inner.path.endswith("backup.zip!/old/photo.jpg")
        assert wa.exif == inner.exif == {"make": "ExampleCam", "model": "Model 7"}
        matches = s.scalars(select(FileMatch)).all()
        assert {(m.hash_set, m.version, m.kind, m.distance) for m in matches} == {
            ("unit", 1, "sha1", 0)
        }
        # Each match points at the row of the file that matched (ids come back in order).
        assert {m.file_id for m in matches} == {wa.id, inner.id}
        job = s.scalars(select(IngestJob)).one()
        assert job.status == "complete" and job.manifest_sha256 == summary.manifest_sha256
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
        assert actions[-2:] == ["ingest.start", "ingest.complete"]
        assert verify(s).ok


def test_resume_rules(database: Database, device: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    with pytest.raises(UsageError, match="nothing to resume"):
        ingest(database, str(src), device, resume=True)
    with pytest.raises(UsageError, match="no such file"):
        ingest(database, str(src / "missing"), device)
    with database.session() as s:
        s.add(IngestJob(device_id=1, source_path=str(src), source_kind="folder", status="running"))
    with pytest.raises(UsageError, match="did not finish; run again with --resume"):
        ingest(database, str(src), device)
    summary = ingest(database, str(src), device, resume=True)
    assert summary.resumed and summary.files == 1


def test_e01_source_hash_and_acquisition_hash(database: Database, device: str) -> None:
    image = SHARED / "reference" / "disk-images" / "ext2.E01"
    summary = ingest(database, str(image), device)
    assert summary.source_sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    assert summary.verification["ewf"]["ok"] is True
    assert summary.verification["ewf"]["stored_md5"] == "196066add11fb71c4c49cf1bb50d6d24"
    with database.session() as s:
        paths = {f.path.split("!/", 1)[1]: f.size for f in s.scalars(select(EvidenceFile))}
    assert paths["passwords.txt"] == 116 and paths["a_directory/another_file"] == 22


def _count(db_url: str) -> int:
    db = Database(db_url, migrate=False)
    try:
        with db.session() as s:
            return int(s.scalar(select(func.count()).select_from(EvidenceFile)) or 0)
    finally:
        db.close()


@pytest.mark.slow
def test_killed_ingest_resumes_without_loss_or_duplicates(db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "many"
    src.mkdir()
    total = 3000
    for i in range(total):
        (src / f"f{i:05d}.txt").write_text(f"file number {i}\n")
    env = dict(os.environ)
    base = [sys.executable, "-m", "phunt"]
    subprocess.run(
        [*base, "device", "add", "--evidence", "EV-K", "--kind", "laptop", "--db", db_url],
        check=True,
        capture_output=True,
        env=env,
    )
    cmd = [
        *base,
        "ingest",
        str(src),
        "--device",
        "EV-K",
        "--workers",
        "1",
        "--batch",
        "25",
        "--json",
        "--db",
        db_url,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while _count(db_url) < 200:
        assert proc.poll() is None, "ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = _count(db_url)
    assert 200 <= stored < total, stored

    again = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "--resume" in again.stderr
    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["resumed"] and summary["files"] == total

    db = Database(db_url, migrate=False)
    with db.session() as s:
        rows = s.execute(select(EvidenceFile.seq, EvidenceFile.path)).all()
        assert sorted(seq for seq, _ in rows) == list(range(total))
        assert len({p for _, p in rows}) == total
        assert s.scalars(select(IngestJob)).one().status == "complete"
        assert verify(s).ok
    db.close()


def test_ingest_finds_and_imports_chat_databases(
    database: Database, device: str, tmp_path: Path
) -> None:
    import shutil

    from phunt.schema.chats import ChatImport
    from test_lib import TEST_DATA

    ext = tmp_path / "phone" / "Android" / "media" / "com.whatsapp" / "WhatsApp" / "Databases"
    ext.mkdir(parents=True)
    shutil.copy(TEST_DATA / "chats_devices" / "phone_a" / "msgstore.db", ext / "msgstore.db")
    broken = tmp_path / "phone" / "old"
    broken.mkdir()
    shutil.copy(TEST_DATA / "chats_devices" / "corrupt" / "msgstore.db", broken / "msgstore.db")
    summary = ingest(database, str(tmp_path / "phone"), device)
    imported = [c for c in summary.chats if "imported" in c]
    failed = [c for c in summary.chats if "error" in c]
    assert len(imported) == 1 and imported[0]["export"].endswith("Databases/msgstore.db")
    assert len(failed) == 1 and failed[0]["export"].endswith("old/msgstore.db")
    with database.session() as s:
        assert len(s.scalars(select(ChatImport)).all()) == 1
        job = s.scalars(select(IngestJob)).one()
        assert len(job.verification["chats"]) == 2
