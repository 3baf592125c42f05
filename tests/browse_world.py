"""The rows the browse read models are tested on: two cases' devices and one of no case,
with jobs, files (a hostile name among them) and matches written directly, so every
figure a test expects is known (``tests/ingest/test_browse*.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest import store
from phunt.schema.db import Database
from phunt.schema.hashsets import HashSet
from phunt.schema.ingest import EvidenceFile, FileMatch, IngestJob

BASE = "a5" * 32


def flipped(hex_hash: str, bits: int) -> str:
    """``hex_hash`` with its first ``bits`` bits inverted: at exactly that distance."""
    value = int(hex_hash, 16) ^ (((1 << bits) - 1) << (256 - bits))
    return f"{value:064x}"


@dataclass
class World:
    case_a: int
    case_b: int
    dev_a: int
    dev_b: int
    dev_loose: int
    job_a: int
    files: dict[str, int]


def add_job(s: Any, device: str, source: str, **facts: Any) -> int:
    return store.start_job(
        s, source, device, kind=facts.get("kind", "folder"), sha256=facts.get("sha256"),
        size=None, options={}, segments=facts.get("segments"),
        verification=facts.get("verification", {}),
    )  # fmt: skip


def add_file(s: Any, job: int, device: int, seq: int, path: str, **values: Any) -> int:
    row = EvidenceFile(job_id=job, device_id=device, seq=seq, path=path, size=100 + seq)
    for name, value in values.items():
        setattr(row, name, value)
    s.add(row)
    s.flush()
    return row.id


def _match(s: Any, file_id: int, job: int, **values: Any) -> None:
    row = {"hash_set": "unit", "version": 1, "entry": 1, "kind": "sha1", "distance": 0}
    s.add(FileMatch(file_id=file_id, job_id=job, **(row | values)))


def make_world(database: Database) -> World:
    """Three devices (two cases and none) with jobs, files and matches written as rows."""
    near = flipped(BASE, 12)
    with database.session() as s:
        case_a = open_case(s, "12/2026", "Town East", "Thrissur", ["IT Act 67B"]).id
        case_b = open_case(s, "13/2026", "Town West", "Thrissur", ["IT Act 67B"]).id
        suspect = add_suspect(s, case_a, "Arun Example").id
        dev_a = add_device(s, "EV-A", "mobile phone", make="Acme", imei="356938035643809",
                           case_id=case_a, suspect_id=suspect).id  # fmt: skip
        dev_b = add_device(s, "EV-B", "laptop", case_id=case_b).id
        loose = add_device(s, "EV-X", "memory card").id
        log_custody(s, "EV-A", "seized", "SI Example", datetime(2026, 5, 2, 9, 0, tzinfo=UTC))
        log_custody(s, "EV-A", "received", "Lab Clerk", datetime(2026, 5, 3, 9, 0, tzinfo=UTC))
        s.add(HashSet(name="unit", kind="known-bad"))
        ewf = {"ewf": {"ok": False, "stored_md5": "0" * 32, "damaged_files": 1}}
        job_a = add_job(s, "EV-A", "/evidence/a", sha256="1" * 64)
        job_a2 = add_job(s, "EV-A", "/evidence/a.E01", kind="file", sha256="2" * 64,
                      segments={"a.E02": "3" * 64}, verification=ewf)  # fmt: skip
        job_b = add_job(s, "EV-B", "/evidence/b")
        job_x = add_job(s, "EV-X", "/evidence/x")
        hostile = '<script>alert("x")</script>.jpg'
        files = {
            "known": add_file(s, job_a, dev_a, 1, "/DCIM/known.jpg", sha256="c" * 64, md5="d" * 32,
                           sha1="e" * 40, mime="image/jpeg", pdq=BASE, pdq_quality=100,
                           exif={"make": "ExampleCam"}),
            "near": add_file(s, job_a, dev_a, 2, "/DCIM/resized.JPG", sha256="f" * 64,
                          mime="image/jpeg", pdq=near, pdq_quality=90),
            "hostile": add_file(s, job_a, dev_a, 3, hostile, sha256="9" * 64, mime="image/png"),
            "note": add_file(s, job_a, dev_a, 4, "/notes_100%.txt", sha256="8" * 64,
                          mime="text/plain"),
            "broken": add_file(s, job_a, dev_a, 5, "/bad.zip", error="truncated archive"),
            "damaged": add_file(s, job_a2, dev_a, 1, "/img/lost.doc", sha256="7" * 64,
                             error="data in bad sectors of the E01 (sector(s): 1 - 2)"),
            "copy_b": add_file(s, job_b, dev_b, 1, "/copy.jpg", sha256="c" * 64, mime="image/jpeg",
                            pdq=BASE, pdq_quality=100),
            "near_b": add_file(s, job_b, dev_b, 2, "/edit.jpg", sha256="6" * 64, mime="image/jpeg",
                            pdq=flipped(BASE, pdq_threshold()), pdq_quality=100),
            "far_b": add_file(s, job_b, dev_b, 3, "/other.jpg", sha256="5" * 64, mime="image/jpeg",
                           pdq=flipped(BASE, pdq_threshold() + 1), pdq_quality=100),
            "dull_b": add_file(s, job_b, dev_b, 4, "/dull.jpg", sha256="4" * 64, mime="image/jpeg",
                            pdq=flipped(BASE, 2), pdq_quality=pdq_quality_min() - 1),
            "copy_x": add_file(s, job_x, loose, 1, "/c.jpg", sha256="c" * 64, mime="image/jpeg"),
        }  # fmt: skip
        _match(s, files["known"], job_a, category_code=1, category_scheme="vics-us-2.0")
        _match(s, files["known"], job_a, hash_set="other", kind="md5", entry=7)
        _match(s, files["near"], job_a, kind="pdq", distance=12, threshold=31, quality=90,
               category_code=1, category_scheme="vics-us-2.0")  # fmt: skip
        _match(s, files["hostile"], job_a, kind="pdq", distance=30, threshold=31, entry=2)
        _match(s, files["copy_b"], job_b)
        for job, n, matched in ((job_a, 5, 3), (job_a2, 1, 0), (job_b, 4, 1), (job_x, 1, 0)):
            row = s.get(IngestJob, job)
            assert row is not None
            row.files, row.matched_files = n, matched
    return World(case_a, case_b, dev_a, dev_b, loose, job_a, files)
