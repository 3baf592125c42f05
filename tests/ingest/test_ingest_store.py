"""The ingest store on both databases: jobs found and refused, files tied to their matches."""

from __future__ import annotations

from typing import Any

import pytest

from phunt.audit.store import list_records
from phunt.cases.devices import add_device
from phunt.errors import UsageError
from phunt.ingest import store
from phunt.schema.db import Database


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
    sha = None if error else f"{seq:064x}"
    row = {"job_id": job_id, "device_id": device_id, "seq": seq, "path": path}
    return row | {"sha256": sha, "error": error}


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
    with database.session() as s:
        store.add_files(s, job_id, found, (2, 300, 1, 2))
        assert store.done_seqs(s, job_id) == {0, 1, 2}
        assert list(store.file_digests(s, job_id)) == [
            (f"{0:064x}", "/evidence/phone/a.jpg"),
            (None, "/evidence/phone/b.txt"),
            (f"{2:064x}", "/evidence/phone/c.jpg"),
        ]
        assert store.readable_paths(s, job_id) == ["/evidence/phone/a.jpg", "/evidence/phone/c.jpg"]
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
