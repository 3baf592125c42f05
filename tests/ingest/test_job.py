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
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from test_lib import shared_folder


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
    image = shared_folder("reference/disk-images") / "ext2.E01"
    summary = ingest(database, str(image), device)
    assert summary.source_sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    assert summary.verification["ewf"]["ok"] is True
    assert summary.verification["ewf"]["stored_md5"] == "196066add11fb71c4c49cf1bb50d6d24"
    with database.session() as s:
        paths = {f.path.split("!/", 1)[1]: f.size for f in s.scalars(select(EvidenceFile))}
    assert paths["passwords.txt"] == 116 and paths["a_directory/another_file"] == 22


@pytest.mark.parametrize("workers", [1, 2])
def test_split_image_facts_are_recorded_on_the_job_and_in_the_audit(
    database: Database, device: str, tmp_path: Path, workers: int
) -> None:
    """The source's digests come from a worker (or a thread with none), after the files
    started flowing, and are recorded as before: on the job, its options and the
    ``ingest.start`` audit record, which still comes before ``ingest.complete``."""
    from test_lib import make_ext2_image

    whole = make_ext2_image(tmp_path / "whole.raw", {"a.txt": b"a\n"}).read_bytes()
    half = len(whole) // 2
    (tmp_path / "disk.000").write_bytes(whole[:half])
    (tmp_path / "disk.001").write_bytes(whole[half:])
    digests = {
        f"disk.00{n}": hashlib.sha256(part).hexdigest()
        for n, part in enumerate((whole[:half], whole[half:]))
    }
    summary = ingest(database, str(tmp_path / "disk.000"), device, workers=workers)
    assert summary.files == 1 and summary.source_sha256 == digests["disk.000"]
    with database.session() as s:
        job = s.scalars(select(IngestJob)).one()
        assert job.source_sha256 == digests["disk.000"] and job.options["segments"] == digests
        assert job.source_size == half and job.verification == {}
        records = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        assert [r.action for r in records][-2:] == ["ingest.start", "ingest.complete"]
        start = records[-2].details
        assert start["sha256"] == digests["disk.000"] and start["segments"] == digests
        assert start["verification"] == {} and start["device"] == "EV-1"
        assert verify(s).ok


def _count(db_url: str) -> int:
    db = Database(db_url, migrate=False)
    try:
        with db.session() as s:
            return int(s.scalar(select(func.count()).select_from(EvidenceFile)) or 0)
    finally:
        db.close()


@pytest.mark.slow
def test_killed_ingest_resumes_without_loss_or_duplicates(db_url: str, tmp_path: Path) -> None:
    Database(db_url).close()  # phunt init's work: only init creates a database
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

    # Killed, the job still says "running"; its lock shows the holder is gone.
    listed = subprocess.run([*base, "jobs", "--json", "--db", db_url], capture_output=True)
    job = json.loads(listed.stdout)
    assert (job["status"], job["state"]) == ("running", "stopped (its process is gone: resume it)")
    assert job["holder"].startswith(f"pid {proc.pid} on host ")
    again = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "--resume" in again.stderr
    taken, refused = again.stderr.splitlines()
    assert taken.startswith(f"phunt: taking over the lock on device EV-K held by pid {proc.pid} ")
    assert taken.endswith(" (job 1), which is no longer running")
    assert refused.startswith("phunt: error: ingest 1 of ")
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


PHONE = "phone_extraction"
#: The attachments the phone extraction holds, by the format that names them: the media
#: file each must be tied to (its path inside the extraction).
PHONE_MEDIA = {
    "whatsapp-msgstore": [
        "Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20260110-WA0001.jpg"
    ],
    "whatsapp-txt": ["Download/WhatsApp Chat with Ward 7 Residents/IMG-20260105-WA0001.jpg"],
    "telegram-json": [
        "Telegram Desktop/ChatExport_2026-01-05/photos/photo_1@05-01-2026_10-02-00.jpg",
        "Telegram Desktop/ChatExport_2026-01-05/files/budget (1).txt",
    ],
}


def _phone_source(layout: str, tmp_path: Path) -> str:
    from test_lib import TEST_DATA

    packed = TEST_DATA / PHONE / "phone.zip"
    if layout == "folder":
        with zipfile.ZipFile(packed) as zf:
            zf.extractall(tmp_path / "phone")
        return str(tmp_path / "phone")
    return str(TEST_DATA / PHONE / f"phone.{layout}")


@pytest.mark.parametrize("layout", ["folder", "zip", "raw"])
def test_ingest_imports_every_chat_source_and_ties_media_to_stored_files(
    database: Database, device: str, tmp_path: Path, layout: str
) -> None:
    from phunt.schema.chats import ChatAttachment, ChatImport, ChatMessage, ChatRecord
    from test_lib import TEST_DATA

    source = _phone_source(layout, tmp_path)
    summary = ingest(database, source, device)
    assert [c.get("error") for c in summary.chats] == [None, None, None]
    with zipfile.ZipFile(TEST_DATA / PHONE / "phone.zip") as zf:
        fixture = {name: hashlib.sha256(zf.read(name)).hexdigest() for name in zf.namelist()}
    with database.session() as s:
        imports = {i.format: i for i in s.scalars(select(ChatImport))}
        assert sorted(imports) == sorted(PHONE_MEDIA)
        for fmt, media in PHONE_MEDIA.items():
            imp = imports[fmt]
            assert imp.source_path.startswith(source)
            linked = s.execute(
                select(EvidenceFile.path, EvidenceFile.sha256, ChatAttachment)
                .join(ChatRecord, ChatRecord.id == ChatAttachment.chat_id)
                .join(EvidenceFile, EvidenceFile.id == ChatAttachment.file_id)
                .where(ChatRecord.import_id == imp.id)
            ).all()
            tied = sorted(path[len(source) :].lstrip("!/") for path, _sha, _att in linked)
            assert tied == sorted(media)
            for path, sha, att in linked:
                assert sha == fixture[path[len(source) :].lstrip("!/")] == att.sha256
                assert (att.present, att.file_link) == (True, "path")
            untied = s.scalars(
                select(ChatAttachment)
                .join(ChatRecord, ChatRecord.id == ChatAttachment.chat_id)
                .where(ChatRecord.import_id == imp.id, ChatAttachment.file_id.is_(None))
            ).all()
            assert not any(a.present for a in untied)
        wal_only = select(ChatMessage).where(
            ChatMessage.text == "Reminder: bring your library cards."
        )
        assert len(s.scalars(wal_only).all()) == 1


def test_ingest_passes_over_files_named_like_chats_that_are_not_and_finds_zipped_exports(
    database: Database, device: str, tmp_path: Path
) -> None:
    import shutil

    from phunt.schema.chats import ChatAttachment
    from test_lib import TEST_DATA

    ext = tmp_path / "phone"
    (ext / "Download").mkdir(parents=True)
    (ext / "Download" / "result.json").write_text('{"not": "telegram"}')
    zipped = TEST_DATA / "chats" / "whatsapp" / "WhatsApp Chat - Market Traders.zip"
    shutil.copy(zipped, ext / "Download" / zipped.name)
    summary = ingest(database, str(ext), device)
    assert [c["export"] for c in summary.chats] == [f"{ext}/Download/{zipped.name}!/_chat.txt"]
    imported = summary.chats[0]["imported"]
    assert (imported["format"], imported["attachments"]) == ("whatsapp-txt", 3)
    with database.session() as s:
        tied = s.execute(
            select(EvidenceFile.path, ChatAttachment.file_link).join(
                EvidenceFile, EvidenceFile.id == ChatAttachment.file_id
            )
        ).all()
    photo = f"{ext}/Download/{zipped.name}!/00000012-PHOTO-2026-01-04-12-06-00.jpg"
    assert tied == [(photo, "path")]


def test_two_chat_exports_at_one_path_are_both_imported(
    database: Database, device: str, tmp_path: Path
) -> None:
    from test_lib import TEST_DATA

    name = "WhatsApp Chat with Ward 7 Residents.txt"
    text = (TEST_DATA / "chats" / "whatsapp" / "android_group" / name).read_bytes()
    later = text + b"06/01/2026, 09:15 - +91 98470 00002: See you all on Sunday.\n"
    (tmp_path / "ev").mkdir()
    with zipfile.ZipFile(tmp_path / "ev" / "backup.zip", "w") as zf:
        zf.writestr(name, text)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr(name, later)
    summary = ingest(database, str(tmp_path / "ev"), device)
    imported = [c["imported"] for c in summary.chats]
    assert [i["messages"] for i in imported] == [15, 16]
    assert [i["source_sha256"] for i in imported] == [
        hashlib.sha256(text).hexdigest(),
        hashlib.sha256(later).hexdigest(),
    ]


def test_ingest_of_a_108_mp_photo_and_a_bomb_header_completes(
    database: Database, device: str, big_pictures: Path
) -> None:
    summary = ingest(database, str(big_pictures), device, workers=1)
    assert (summary.files, summary.errors) == (3, 1)
    with database.session() as s:
        files = {Path(f.path).name: f for f in s.scalars(select(EvidenceFile))}
        photo = files["IMG_20260504_101112.jpg"]
        assert photo.error is None and photo.pdq is not None and photo.pdq_quality
        assert photo.pdq_mode == "fast"  # decoded at half scale: not the reference's pixels
        assert photo.exif == {
            "make": "Examplecam",
            "model": "Model 108",
            "datetime": "2026:05:04 10:11:12",
        }
        bomb = files["bomb.png"]
        data = (big_pictures / "bomb.png").read_bytes()
        assert bomb.sha256 == hashlib.sha256(data).hexdigest() and bomb.pdq is None
        assert bomb.error is not None and "30000 x 30000 (900.0 MP)" in bomb.error
        assert "cap of 89.5 MP" in bomb.error
        assert files["notes.txt"].error is None
        assert s.scalars(select(IngestJob)).one().status == "complete"


def test_telegram_exports_that_fail_or_bend_do_not_abort_the_device(
    database: Database, device: str, tmp_path: Path
) -> None:
    import shutil

    from phunt.schema.chats import ChatImport, ChatMessage
    from test_lib import TEST_DATA

    phone = tmp_path / "phone" / "Telegram Desktop"
    for name in ("deep_nesting", "integer_from_id"):
        shutil.copytree(TEST_DATA / "chats" / "telegram" / name, phone / name)
    (tmp_path / "phone" / "notes.txt").write_text("groceries\n")
    summary = ingest(database, str(tmp_path / "phone"), device)
    assert (summary.files, summary.errors) == (3, 0)
    outcomes = {Path(c["export"]).parent.name: c for c in summary.chats}
    assert "nested at least 5002 levels deep" in outcomes["deep_nesting"]["error"]
    assert "deep_nesting/result.json" in outcomes["deep_nesting"]["error"]
    assert "imported" in outcomes["integer_from_id"]
    with database.session() as s:
        assert s.scalars(select(IngestJob)).one().status == "complete"
        assert len(s.scalars(select(ChatImport)).all()) == 1
        senders = s.scalars(select(ChatMessage.sender_key)).all()
        assert len([k for k in senders if k and "1002" in k]) == 2, senders


def test_a_source_that_cannot_be_hashed_still_completes_unverified(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.ingest import job as job_module

    archive = tmp_path / "card.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes.txt", b"groceries\n")

    def failing_disk(path: str) -> object:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(job_module, "describe_source", failing_disk)
    summary = ingest(database, str(archive), device)
    assert summary.files == 1 and summary.source_sha256 is None
    assert summary.verification["source"] == {
        "ok": False,
        "error": f"{archive}: source not hashed: Input/output error",
    }
    with database.session() as s:
        job = s.scalars(select(IngestJob)).one()
        assert (job.status, job.source_sha256) == ("complete", None)


def test_one_chat_export_that_breaks_its_parser_is_recorded_and_the_rest_import(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.chats import store as chat_store

    real = chat_store.import_chat

    def flaky(session: object, chat: object, *args: object, **kwargs: object) -> object:
        if str(getattr(chat, "shown", "")).endswith("result.json"):
            raise RuntimeError("a parser bug")
        return real(session, chat, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(chat_store, "import_chat", flaky)
    summary = ingest(database, _phone_source("folder", tmp_path), device)
    outcome = {c["export"].rsplit("/", 1)[-1]: c for c in summary.chats}
    assert outcome["result.json"]["error"] == "parser failed: RuntimeError: a parser bug"
    assert "imported" in outcome["msgstore.db"]
    assert "imported" in outcome["WhatsApp Chat with Ward 7 Residents.txt"]
    with database.session() as s:
        assert s.scalars(select(IngestJob)).one().status == "complete"


def test_chats_imported_before_are_recorded_as_such_not_as_errors(
    database: Database, device: str, tmp_path: Path
) -> None:
    from phunt.ingest.job import _import_chats

    summary = ingest(database, _phone_source("zip", tmp_path), device)
    first = {c["export"]: c["imported"]["import_id"] for c in summary.chats}
    again = _import_chats(database, summary.job, device)
    assert again == [{"export": e, "already_imported": i} for e, i in first.items()]


def test_containers_opened_for_an_ingest_are_closed_and_their_copies_removed(
    database: Database, device: str, tmp_path: Path
) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.txt", b"a\n")
    (tmp_path / "ev").mkdir()
    with zipfile.ZipFile(tmp_path / "ev" / "outer.zip", "w") as zf:
        zf.write(inner, "backup/inner.zip")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    summary = ingest(database, str(tmp_path / "ev"), device, scratch=str(scratch))
    assert summary.files == 3 and summary.errors == 0
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_files_in_bad_sectors_of_an_e01_are_flagged_and_the_job_unverified(
    database: Database, device: str, workers: int
) -> None:
    from phunt.ingest import store
    from test_lib import TEST_DATA

    image = TEST_DATA / "ewf" / "damaged-plain.E01"
    summary = ingest(database, str(image), device, workers=workers, pdq_mode=None)
    ewf = summary.verification["ewf"]
    assert ewf["ok"] is False and ewf["damaged_files"] == 1
    assert [(b["first_sector"], b["count"]) for b in ewf["bad_sectors"]] == [(192, 64)]
    assert summary.errors == 1 and summary.files == 2
    with database.session() as s:
        files = {f.path.rsplit("/", 1)[1]: f for f in s.scalars(select(EvidenceFile))}
        assert files["note.txt"].error is None
        report = files["report.txt"]
        assert report.error is not None and "sector(s): 192 - 255 (number: 64)" in report.error
        assert report.sha256 is not None  # what was read is kept, flagged
        job_id = report.job_id
    with database.session() as s:  # a resumed job flags again: nothing is added twice
        assert store.flag_damaged(s, job_id, {"0/p1/inode/13": report.error}) == []
        assert store.get_job(s, job_id).errors == 1


def test_a_bad_chunk_of_zeros_leaves_the_job_unverified_though_the_md5_matches(
    database: Database, device: str
) -> None:
    from test_lib import TEST_DATA

    summary = ingest(database, str(TEST_DATA / "ewf" / "damaged-zeros.E01"), device)
    ewf = summary.verification["ewf"]
    assert ewf["stored_md5"] == ewf["computed_md5"] and ewf["ok"] is False
    assert ewf["bad_sectors"][0]["first_sector"] == 2048 and ewf["damaged_files"] == 0
    assert summary.errors == 0


def _audit_count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditRecord)) or 0)


def _jobs_and_files(db: Database) -> tuple[int, int]:
    with db.session() as s:
        jobs = s.scalar(select(func.count()).select_from(IngestJob)) or 0
        files = s.scalar(select(func.count()).select_from(EvidenceFile)) or 0
    return int(jobs), int(files)


def test_the_same_source_again_is_refused_before_work_unless_a_reason_is_given(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.ingest import job as job_module

    src = tmp_path / "card"
    src.mkdir()
    (src / "a.txt").write_text("a")
    first = ingest(database, str(src), device)
    before = _audit_count(database), _jobs_and_files(database)

    def no_work(*_args: object) -> None:
        raise AssertionError("the source was opened before the refusal")

    monkeypatch.setattr(job_module, "_entries", no_work)
    with pytest.raises(UsageError) as refused:
        ingest(database, str(src), "1")  # the device by id: named by evidence number
    with database.session() as s:
        started = s.get(IngestJob, first.job).started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert str(refused.value) == (
        f"{src} was ingested for device EV-1 before: job {first.job} of {started} "
        '(complete, same path and kind); to ingest it again, say why with --again "REASON"'
    )
    assert (_audit_count(database), _jobs_and_files(database)) == before
    with pytest.raises(UsageError, match="--again needs the reason"):
        ingest(database, str(src), device, again="  ")
    monkeypatch.undo()

    again = ingest(database, str(src), device, again="re-examined at the court's request")
    assert again.files == 1 and again.job != first.job
    with database.session() as s:
        job = s.get(IngestJob, again.job)
        assert job.options["again"] == "re-examined at the court's request"
        assert job.options["again_of"] == first.job
        records = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        assert [r.action for r in records][-3:] == [
            "ingest.again",
            "ingest.start",
            "ingest.complete",
        ]
        assert records[-3].details == {
            "reason": "re-examined at the court's request",
            "earlier_job": first.job,
            "same": "same path and kind",
        }
        assert verify(s).ok


def test_a_copy_of_a_file_source_elsewhere_is_refused_by_its_sha256(
    database: Database, device: str, tmp_path: Path
) -> None:
    import shutil

    _extraction(tmp_path / "ext")
    packed = tmp_path / "ext" / "backup.zip"
    (tmp_path / "copy").mkdir()
    copy = Path(shutil.copy(packed, tmp_path / "copy" / "backup.zip"))
    first = ingest(database, str(packed), device, batch_size=1)
    before = _audit_count(database), _jobs_and_files(database)
    with pytest.raises(UsageError) as refused:
        ingest(database, str(copy), device, batch_size=1)
    sha = hashlib.sha256(packed.read_bytes()).hexdigest()
    assert f"{copy} was ingested for device EV-1 before: job {first.job} of " in str(refused.value)
    assert f"(complete, same SHA-256 {sha}); to ingest it again" in str(refused.value)
    # The refused job, not audited yet, is gone with what it stored: nothing is doubled.
    assert (_audit_count(database), _jobs_and_files(database)) == before
    again = ingest(database, str(copy), device, again="second copy from the lab")
    with database.session() as s:
        records = s.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
        assert [r.action for r in records][-3:] == [
            "ingest.again",
            "ingest.start",
            "ingest.complete",
        ]
        assert records[-3].details["earlier_job"] == first.job
        assert records[-3].details["same"] == f"same SHA-256 {sha}"
        assert s.get(IngestJob, again.job).source_sha256 == sha
        assert verify(s).ok


def _notes(folder: Path, count: int) -> Path:
    """A folder of ``count`` small text files, ``f000.txt`` on."""
    folder.mkdir()
    for i in range(count):
        (folder / f"f{i:03d}.txt").write_text(f"file {i}\n")
    return folder


def test_a_second_ingest_while_the_first_runs_is_refused_naming_the_holder(
    database: Database, device: str, tmp_path: Path
) -> None:
    """Before the lock, ``--resume`` while the first ran inserted the same sequence
    numbers (IntegrityError) after writing an ``ingest.resume`` audit record."""
    import threading

    from phunt.ingest.guard import this_host

    src = _notes(tmp_path / "card", 30)
    stored_some, go_on = threading.Event(), threading.Event()

    def hold(files: int, _size: int) -> None:
        if files == 10:
            stored_some.set()
            assert go_on.wait(60)

    first_db = Database(database.url)
    outcome: list[object] = []
    runner = threading.Thread(
        target=lambda: outcome.append(
            ingest(first_db, str(src), device, batch_size=5, progress=hold)
        )
    )
    runner.start()
    try:
        assert stored_some.wait(60)
        audited = _audit_count(database)
        for resume in (True, False):
            with pytest.raises(UsageError) as refused:
                ingest(database, str(src), device, resume=resume)
            assert str(refused.value).startswith(
                f"device EV-1 is being ingested by pid {os.getpid()} on host {this_host()} since "
            )
            assert str(refused.value).endswith(" (job 1); wait for it to finish or stop it")
        assert _audit_count(database) == audited
    finally:
        go_on.set()
        runner.join()
        first_db.close()
    assert len(outcome) == 1
    with database.session() as s:
        assert sorted(s.scalars(select(EvidenceFile.seq))) == list(range(30))
        assert s.scalars(select(IngestJob.status)).all() == ["complete"]
        assert verify(s).ok


def test_ctrl_c_leaves_the_job_interrupted_and_resume_finishes_it(
    database: Database, device: str, tmp_path: Path
) -> None:
    from phunt.ingest.guard import list_jobs
    from phunt.ingest.job import IngestInterrupted
    from phunt.schema.ingest import DeviceLock

    src = _notes(tmp_path / "card", 40)

    def ctrl_c(files: int, _size: int) -> None:
        if files == 17:
            raise KeyboardInterrupt

    with pytest.raises(IngestInterrupted) as stopped:
        ingest(database, str(src), device, batch_size=5, progress=ctrl_c)
    assert (stopped.value.job, stopped.value.source, stopped.value.files) == (1, str(src), 15)
    with database.session() as s:
        assert s.scalars(select(DeviceLock)).all() == []
        assert [(j.status, j.state) for j in list_jobs(s)] == [("interrupted", "interrupted")]
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert last is not None and last.action == "ingest.interrupt"
        assert last.details == {"source": str(src), "stored": 15}
    with pytest.raises(UsageError, match="did not finish; run again with --resume"):
        ingest(database, str(src), device)
    summary = ingest(database, str(src), device, resume=True, batch_size=5)
    assert summary.resumed and summary.job == 1 and summary.files == 40
    with database.session() as s:
        rows = s.execute(select(EvidenceFile.seq, EvidenceFile.path)).all()
        assert sorted(seq for seq, _ in rows) == list(range(40))
        assert len({path for _, path in rows}) == 40
        assert s.scalars(select(IngestJob.status)).all() == ["complete"]
        assert verify(s).ok


def _stop_after(files: int) -> Callable[[], bool]:
    """A ``should_stop`` that asks to stop once ``files`` files have been taken."""
    asked = 0

    def should_stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > files

    return should_stop


def test_a_requested_stop_is_taken_between_files_and_resumes(
    database: Database, device: str, tmp_path: Path
) -> None:
    """The CLI's first Ctrl-C becomes ``should_stop``: asked between files, where no
    transaction is open, so the stop never leaves a write half done (the old immediate
    KeyboardInterrupt could land inside a commit and hold SQLite's lock)."""
    from phunt.ingest.job import IngestInterrupted

    src = _notes(tmp_path / "card", 40)
    with pytest.raises(IngestInterrupted) as stopped:
        ingest(database, str(src), device, batch_size=5, should_stop=_stop_after(23))
    assert stopped.value.files == 20  # the batches stored before the 24th file
    summary = ingest(database, str(src), device, resume=True, batch_size=5)
    assert summary.files == 40
    with database.session() as s:
        assert sorted(s.scalars(select(EvidenceFile.seq))) == list(range(40))
        assert verify(s).ok


def _each_stored_once(database: Database, count: int) -> None:
    """Files 0 to ``count`` - 1 are each stored once, and the audit chain holds."""
    with database.session() as s:
        assert sorted(s.scalars(select(EvidenceFile.seq))) == list(range(count))
        assert verify(s).ok


def _slow_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pool workers, forked after this, that hold each batch's transaction open 0.05 s
    after writing its rows."""
    from phunt.ingest import store

    real = store.write_files

    def slow(*args: Any) -> Any:
        written = real(*args)
        time.sleep(0.05)
        return written

    monkeypatch.setattr(store, "write_files", slow)


def test_with_a_pool_the_workers_store_and_the_coordinator_stores_nothing(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.ingest import job

    def no_store(*_args: object) -> None:
        raise AssertionError("the coordinator stored files a pool worker had processed")

    monkeypatch.setattr(job, "_store", no_store)
    summary = ingest(database, str(_notes(tmp_path / "card", 70)), device, workers=2)
    assert summary.files == 70
    _each_stored_once(database, 70)


def test_a_pool_stopped_mid_way_stores_whole_batches_and_resumes(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker's batch is one transaction: a stop leaves whole batches stored (those
    already handed to a worker finish), the count the interruption reports is the count
    stored, and the resumed job stores the rest once each."""
    from phunt.ingest.job import IngestInterrupted
    from phunt.ingest.pipeline import BATCH_FILES

    src = _notes(tmp_path / "card", 600)
    _slow_workers(monkeypatch)  # else the pool stores all 600 before the stop is asked
    with pytest.raises(IngestInterrupted) as stopped:
        ingest(database, str(src), device, workers=2, should_stop=_stop_after(40))
    with database.session() as s:
        seqs = set(s.scalars(select(EvidenceFile.seq)))
        job = s.get(IngestJob, stopped.value.job)
        assert job is not None and job.files == len(seqs)
    assert 40 <= stopped.value.files == len(seqs) < 600
    batches = {seq // BATCH_FILES for seq in seqs}
    whole = {seq for b in batches for seq in range(b * BATCH_FILES, (b + 1) * BATCH_FILES)}
    assert seqs == whole & set(range(600))
    monkeypatch.undo()
    summary = ingest(database, str(src), device, resume=True, workers=2)
    assert summary.resumed and summary.files == 600
    _each_stored_once(database, 600)


def test_a_copy_refused_while_the_pool_still_stores_leaves_nothing_of_it(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy's SHA-256 is known while the workers are still storing its files (slowed
    here): they stop before the refused job is deleted. Deleted under a worker's open
    transaction, PostgreSQL's delete of the job would fail on the rows it commits."""
    import shutil

    (tmp_path / "ext").mkdir()
    packed = tmp_path / "ext" / "card.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        for i in range(300):
            archive.writestr(f"DCIM/f{i:03d}.txt", f"file {i}\n")
    copy = Path(shutil.copy(packed, tmp_path / "copy.zip"))
    ingest(database, str(packed), device, workers=2)
    before = _audit_count(database), _jobs_and_files(database)
    _slow_workers(monkeypatch)
    seen: list[int] = []
    with pytest.raises(UsageError, match="was ingested for device EV-1 before"):
        ingest(database, str(copy), device, workers=2, progress=lambda n, _b: seen.append(n))
    assert (_audit_count(database), _jobs_and_files(database)) == before
    assert len(seen) < 300  # refused while files were still coming back


def test_a_job_with_no_chat_named_file_skips_the_pass_over_its_stored_files(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' chat-source stage already looked at every name: with none flagged, the
    coordinator does not read every stored file back to look again."""
    from phunt.ingest import store

    src = tmp_path / "card"
    src.mkdir()
    (src / "notes.txt").write_text("groceries\n")
    (src / "msgstore.db-wal").write_bytes(b"a journal alone is no chat source")

    def no_pass(*_args: object) -> None:
        raise AssertionError("the chat step read the stored files of a job with no chat")

    monkeypatch.setattr(store, "stored_files", no_pass)
    summary = ingest(database, str(src), device, workers=1)
    assert (summary.files, summary.chats) == (2, [])


def test_a_chat_stored_before_an_interruption_is_imported_on_resume(
    database: Database, device: str, tmp_path: Path
) -> None:
    """Files stored by the interrupted run were flagged in that run: the resumed run does
    the chat step's full pass."""
    import shutil

    from phunt.ingest.job import IngestInterrupted
    from test_lib import TEST_DATA

    src = tmp_path / "phone"
    src.mkdir()
    shutil.copy(TEST_DATA / "chats_devices" / "phone_a" / "msgstore.db", src / "msgstore.db")
    for i in range(20):  # listed after msgstore.db, which the first run so stores
        (src / f"z{i:02d}.txt").write_text(f"file {i}\n")
    with pytest.raises(IngestInterrupted):
        ingest(database, str(src), device, batch_size=5, should_stop=_stop_after(10))
    with database.session() as s:
        stored = set(s.scalars(select(EvidenceFile.path)))
    assert any(path.endswith("/msgstore.db") for path in stored)
    summary = ingest(database, str(src), device, resume=True, batch_size=5)
    assert [c["export"].rsplit("/", 1)[1] for c in summary.chats if "imported" in c] == [
        "msgstore.db"
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_manifest_hashed_while_storing_is_the_one_the_store_gives_back(
    database: Database, device: str, tmp_path: Path, workers: int
) -> None:
    """The coordinator hashes each file's manifest line as it stores it; a defence expert
    recomputes it from the stored rows, in sequence order: the two agree, across batches,
    for a file that could not be read and for a name that is not UTF-8."""
    from phunt.ingest.job import _manifest

    src = _notes(tmp_path / "card", 23)
    (src / "unreadable.bin").write_bytes(b"x" * 10)
    (src / "unreadable.bin").chmod(0)
    os.mkdir(os.fsencode(src) + b"/caf\xe9")
    (Path(os.fsdecode(os.fsencode(src) + b"/caf\xe9")) / "menu.txt").write_text("tea\n")
    try:
        summary = ingest(database, str(src), device, workers=workers, batch_size=5)
    finally:
        (src / "unreadable.bin").chmod(0o600)
    unreadable = int(os.geteuid() != 0)  # root reads a file whatever its mode
    assert (summary.files, summary.errors) == (25 - unreadable, 1 + unreadable)  # + the name
    assert summary.manifest_sha256 == _manifest(database, summary.job)


def test_a_transaction_closes_at_its_file_count_or_its_bytes(
    database: Database, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many small files share a transaction (a commit costs more than a file); big files
    close one early, so a killed job never redoes more than ``BATCH_BYTES`` of hashing."""
    from phunt.ingest import job

    src = tmp_path / "card"
    src.mkdir()
    for i in range(12):
        (src / f"small{i:02d}.txt").write_text(f"file {i}\n")
    for i in range(3):
        (src / f"zbig{i}.bin").write_bytes(bytes([i]) * 4096)
    sizes: list[int] = []
    store = job._store

    def counted(db: Database, job_id: int, batch: list[Any], hashes: dict[int, str]) -> None:
        sizes.append(len(batch))
        store(db, job_id, batch, hashes)

    monkeypatch.setattr(job, "_store", counted)
    monkeypatch.setattr(job, "BATCH_BYTES", 4096)
    summary = ingest(database, str(src), device, batch_size=10)
    assert summary.files == 15
    assert sizes == [10, 3, 1, 1]  # ten by count, then each big file reaches the bytes


def test_the_cli_default_batch_is_the_ingest_default() -> None:
    from phunt.cli import ingest as cli_ingest
    from phunt.ingest import job

    assert cli_ingest.BATCH == job.BATCH
