"""The ingest store on both databases: jobs found and refused, files tied to their matches;
and the rows a worker builds for it."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import insert, select

from phunt.audit.store import list_records
from phunt.cases.devices import add_device
from phunt.errors import UsageError
from phunt.ingest import file_rows, store
from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import Profile
from phunt.matching.spec import EngineSpec, ListFile
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from phunt.sources.base import Entry
from phunt.sources.folder import FolderSource
from phunt.sources.locator import Locator


def _start(database: Database, source: str = "/evidence/phone") -> int:
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
        return store.start_job(
            s,
            source,
            "EV-1",
            kind="folder",
            sha256=None,
            size=None,
            options={"expand": True},
            segments=None,
            verification={},
        )


def _file(
    job_id: int, device_id: int, seq: int, path: str, error: str | None = None
) -> dict[str, Any]:
    """A whole ``evidence_file`` row: every column but the id, as a worker builds it."""
    sha = None if error else f"{seq:064x}"
    row = {column: None for column in _COLUMNS}
    row |= {"job_id": job_id, "device_id": device_id, "seq": seq, "path": path, "size": 150}
    row |= {"deleted": False, "extension_mismatch": False, "known_good": False}
    row |= {"exif": {}, "warnings": [], "video": {}, "digests": {}}
    return row | {"md5": sha and sha[:32], "sha256": sha, "error": error}


_COLUMNS = [c.name for c in EvidenceFile.__table__.columns if c.name != "id"]


def _bound(database: Database, found: list[tuple[dict[str, Any], list[Any]]]) -> list[Any]:
    with database.session() as s:
        binding = file_rows.row_binding(s)
    return [
        file_rows.bind_rows(binding, file_rows.StoredRows(row, matches)) for row, matches in found
    ]


def _match(job_id: int, entry: int) -> dict[str, Any]:
    return {"job_id": job_id, "hash_set": "unit", "entry": entry, "kind": "sha1", "distance": 0}


def test_unfinished_job_is_refused_then_resumed(database: Database) -> None:
    job_id = _start(database)
    with database.session() as s:
        with pytest.raises(UsageError, match="did not finish; run again with --resume"):
            store.resume_job(s, "/evidence/phone", "EV-1", resume=False)
        assert store.resume_job(s, "/evidence/phone", "EV-1", resume=True) == job_id
        with pytest.raises(UsageError, match="nothing to resume"):
            store.resume_job(s, "/evidence/other", "EV-1", resume=True)
        assert store.resume_job(s, "/evidence/other", "EV-1", resume=False) is None
        assert [r.action for r in list_records(s)][-2:] == ["ingest.start", "ingest.resume"]


def test_files_matches_totals_manifest_and_finish(database: Database) -> None:
    job_id = _start(database)
    with database.session() as s:
        dev = store.get_job(s, job_id).device_id
    found = [
        (_file(job_id, dev, 0, "/evidence/phone/a.jpg"), [_match(job_id, 7), _match(job_id, 8)]),
        (_file(job_id, dev, 1, "/evidence/phone/b.txt", error="unreadable"), []),
        (_file(job_id, dev, 2, "/evidence/phone/c.jpg"), [_match(job_id, 9)]),
    ]
    bound = _bound(database, found)
    with database.session() as s:
        store.add_files(s, job_id, bound)
        assert store.done_seqs(s, job_id) == {0, 1, 2}
        assert list(store.file_digests(s, job_id)) == [
            (f"{0:064x}", "/evidence/phone/a.jpg"),
            (None, "/evidence/phone/b.txt"),
            (f"{2:064x}", "/evidence/phone/c.jpg"),
        ]
        stored = list(store.stored_files(s, job_id))
        assert [(f.path, f.sha256) for f in stored] == [
            ("/evidence/phone/a.jpg", f"{0:064x}"),
            ("/evidence/phone/c.jpg", f"{2:064x}"),
        ]
        store.record_chats(s, job_id, [{"export": "x", "error": "damaged"}])
        job, count = store.finish_job(s, job_id, "f" * 64)
        assert (job.status, job.manifest_sha256, count) == ("complete", "f" * 64, 3)
        assert (job.files, job.bytes, job.errors, job.matched_files) == (2, 300, 1, 2)
        assert job.verification == {"chats": [{"export": "x", "error": "damaged"}]}
        assert store.find_job(s, job.device_id, "/evidence/phone") is None
        matches = store.list_matches(s, "EV-1")
    assert [(m["path"], m["entry"]) for m in matches] == [
        ("/evidence/phone/a.jpg", 7),
        ("/evidence/phone/a.jpg", 8),
        ("/evidence/phone/c.jpg", 9),
    ]


def _rows_evidence(root: Path) -> Path:
    """A WhatsApp picture, a listed file and a note; the list names the listed file."""
    media = root / "WhatsApp" / "Media" / "WhatsApp Images"
    media.mkdir(parents=True)
    Image.linear_gradient("L").convert("RGB").resize((120, 90)).save(media / "IMG-1.jpg")
    (root / "listed.bin").write_bytes(b"listed bytes")
    (root / "note.txt").write_text("a note\n")
    listed = root.parent / "list.txt"
    listed.write_text(hashlib.sha256(b"listed bytes").hexdigest() + "\n")
    return listed


def test_rows_carry_the_file_its_app_locator_and_matches(tmp_path: Path) -> None:
    listed = _rows_evidence(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    profile = Profile.ingest("default", EngineSpec((ListFile.of(str(listed)),)))
    rows = file_rows.process_for_store(list(enumerate(entries)), profile, 7, 3)
    by_name = {Path(r.file["path"]).name: r for r in rows}
    assert [r.file["seq"] for r in rows] == list(range(len(entries)))
    picture = by_name["IMG-1.jpg"]
    assert picture.file["app"] == "whatsapp" and picture.file["pdq"] is not None
    assert (picture.file["job_id"], picture.file["device_id"]) == (7, 3)
    path = str(tmp_path / "ev" / "WhatsApp" / "Media" / "WhatsApp Images" / "IMG-1.jpg")
    assert picture.file["locator"] == Locator(path).to_json()
    assert picture.read and picture.matches == []
    match = by_name["listed.bin"].matches
    assert [(m["kind"], m["entry"], m["job_id"], m["distance"]) for m in match] == [
        ("sha256", 1, 7, 0)
    ]
    assert by_name["note.txt"].file["sha256"] == hashlib.sha256(b"a note\n").hexdigest()


def test_an_unreadable_entry_is_a_row_not_counted_as_read() -> None:
    rows = file_rows.process_for_store(
        [(0, Entry(path="gone", error="cannot read"))], Profile.ingest(), 1, 1
    )
    assert rows[0].file["error"] == "cannot read" and not rows[0].read


def test_rows_travel_back_from_workers_in_order(tmp_path: Path) -> None:
    _rows_evidence(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    serial = file_rows.process_for_store(list(enumerate(entries)), Profile.ingest(None), 1, 1)
    with Runner(2) as pool:
        pooled: list[file_rows.StoredRows] = list(
            pool.run(enumerate(entries), file_rows.process_for_store, Profile.ingest(None), 1, 1)
        )
    assert [r.file for r in pooled] == [r.file for r in serial]
    assert pickle.loads(pickle.dumps(serial[0])) == serial[0]


def test_files_of_damaged_members_are_flagged_once_nested_ones_too(database: Database) -> None:
    job_id = _start(database, "/evidence/disk.E01")
    image = Locator("/evidence/disk.E01")
    rows = [
        _file(job_id, 1, 0, "disk.E01!/p1/a.txt"),
        _file(job_id, 1, 1, "disk.E01!/p1/b.zip"),
        _file(job_id, 1, 2, "disk.E01!/p1/b.zip!/c.txt"),
        _file(job_id, 1, 3, "disk.E01!/p1/d.txt", error="cannot read"),
    ]
    keys = [["0/p1/inode/12"], ["0/p1/inode/13"], ["0/p1/inode/13", "0:c.txt"], ["0/p1/inode/14"]]
    for row, key in zip(rows, keys, strict=True):
        locator = image.child("disk-image", key[0])
        locator = locator.child("zip", key[1]) if len(key) > 1 else locator
        row["locator"] = locator.to_json()
    damaged = {"0/p1/inode/13": "bad sectors", "0/p1/inode/14": "bad sectors"}
    with database.session() as s:
        store.add_files(s, job_id, _bound(database, [(row, []) for row in rows]))
        assert len(store.flag_damaged(s, job_id, damaged)) == 3
        assert store.flag_damaged(s, job_id, damaged) == []
        job = store.get_job(s, job_id)
        assert job.errors == 3 and job.verification["ewf"]["damaged_files"] == 3
        files = list(store.list_files(s, "EV-1"))
        assert [(f.error, f.warnings) for f in files] == [
            (None, []),
            ("bad sectors", []),
            ("inside a damaged file: bad sectors", []),
            ("cannot read", ["bad sectors"]),
        ]


def test_rows_bound_in_a_worker_are_stored_as_sqlalchemy_would_store_them(
    database: Database, tmp_path: Path
) -> None:
    """The driver path stores every column as SQLAlchemy's own binding of the same row:
    times (aware, UTC), JSON, flags and text read back identical, after a trip through a
    pipe as pool workers send them."""
    _rows_evidence(tmp_path / "ev")
    (tmp_path / "ev" / "bad.jpg").write_bytes(b"\xff\xd8\xff not a picture")
    exif = Image.Exif()
    exif[0x0110] = "Bench Camera 2"  # Model
    Image.new("RGB", (64, 48), (90, 120, 30)).save(tmp_path / "ev" / "camera.jpg", exif=exif)
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    first = _start(database)
    with database.session() as s:
        device = store.get_job(s, first).device_id
        binding = file_rows.row_binding(s)
        second = store.open_job(s, "/evidence/again", "EV-1", kind="folder", size=None, options={})
    profile = Profile.ingest("default")
    plain = file_rows.process_for_store(list(enumerate(entries)), profile, first, device)
    bound = file_rows.process_bound(list(enumerate(entries)), profile, second, device, binding)
    bound = pickle.loads(pickle.dumps(bound))
    assert any(r.file["exif"] for r in plain) and any(r.file["warnings"] for r in plain)
    with database.session() as s:
        s.execute(insert(EvidenceFile.__table__), [r.file for r in plain])
        store.add_files(s, second, bound)
    with database.session() as s:
        rows = {
            job: [
                {c: getattr(f, c) for c in _COLUMNS if c != "job_id"}
                for f in s.scalars(
                    select(EvidenceFile).where(EvidenceFile.job_id == job).order_by("seq")
                )
            ]
            for job in (first, second)
        }
        assert store.get_job(s, second).files == sum(r.read for r in plain)
    assert rows[first] == rows[second]
    assert rows[first][0]["modified"].tzinfo is not None
