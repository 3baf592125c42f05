"""The read models of devices and files on both databases: detail, triage, listing, file
detail and where else, each checked against rows the test wrote itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from phunt.cases.case_files import add_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.errors import NotFoundError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.ingest import browse, browse_files, store
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


def _job(s: Any, device: str, source: str, **facts: Any) -> int:
    return store.start_job(
        s, source, device, kind=facts.get("kind", "folder"), sha256=facts.get("sha256"),
        size=None, options={}, segments=facts.get("segments"),
        verification=facts.get("verification", {}),
    )  # fmt: skip


def _file(s: Any, job: int, device: int, seq: int, path: str, **values: Any) -> int:
    row = EvidenceFile(job_id=job, device_id=device, seq=seq, path=path, size=100 + seq)
    for name, value in values.items():
        setattr(row, name, value)
    s.add(row)
    s.flush()
    return row.id


def _match(s: Any, file_id: int, job: int, **values: Any) -> None:
    row = {"hash_set": "unit", "version": 1, "entry": 1, "kind": "sha1", "distance": 0}
    s.add(FileMatch(file_id=file_id, job_id=job, **(row | values)))


@pytest.fixture
def world(database: Database) -> World:
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
        job_a = _job(s, "EV-A", "/evidence/a", sha256="1" * 64)
        job_a2 = _job(s, "EV-A", "/evidence/a.E01", kind="file", sha256="2" * 64,
                      segments={"a.E02": "3" * 64}, verification=ewf)  # fmt: skip
        job_b = _job(s, "EV-B", "/evidence/b")
        job_x = _job(s, "EV-X", "/evidence/x")
        hostile = '<script>alert("x")</script>.jpg'
        files = {
            "known": _file(s, job_a, dev_a, 1, "/DCIM/known.jpg", sha256="c" * 64, md5="d" * 32,
                           sha1="e" * 40, mime="image/jpeg", pdq=BASE, pdq_quality=100,
                           exif={"make": "ExampleCam"}),
            "near": _file(s, job_a, dev_a, 2, "/DCIM/resized.JPG", sha256="f" * 64,
                          mime="image/jpeg", pdq=near, pdq_quality=90),
            "hostile": _file(s, job_a, dev_a, 3, hostile, sha256="9" * 64, mime="image/png"),
            "note": _file(s, job_a, dev_a, 4, "/notes_100%.txt", sha256="8" * 64,
                          mime="text/plain"),
            "broken": _file(s, job_a, dev_a, 5, "/bad.zip", error="truncated archive"),
            "damaged": _file(s, job_a2, dev_a, 1, "/img/lost.doc", sha256="7" * 64,
                             error="data in bad sectors of the E01 (sector(s): 1 - 2)"),
            "copy_b": _file(s, job_b, dev_b, 1, "/copy.jpg", sha256="c" * 64, mime="image/jpeg",
                            pdq=BASE, pdq_quality=100),
            "near_b": _file(s, job_b, dev_b, 2, "/edit.jpg", sha256="6" * 64, mime="image/jpeg",
                            pdq=flipped(BASE, pdq_threshold()), pdq_quality=100),
            "far_b": _file(s, job_b, dev_b, 3, "/other.jpg", sha256="5" * 64, mime="image/jpeg",
                           pdq=flipped(BASE, pdq_threshold() + 1), pdq_quality=100),
            "dull_b": _file(s, job_b, dev_b, 4, "/dull.jpg", sha256="4" * 64, mime="image/jpeg",
                            pdq=flipped(BASE, 2), pdq_quality=pdq_quality_min() - 1),
            "copy_x": _file(s, job_x, loose, 1, "/c.jpg", sha256="c" * 64, mime="image/jpeg"),
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


def test_device_detail_has_custody_jobs_hashes_and_problem_files(
    database: Database, world: World
) -> None:
    with database.session() as s:
        d = browse.device_detail(s, world.dev_a)
        assert browse.device_ref(s, world.dev_a) == browse.DeviceRef(
            world.dev_a, "EV-A", world.case_a
        )
        with pytest.raises(NotFoundError):
            browse.device_detail(s, 999)
    assert (d.evidence_number, d.make, d.imei, d.case_number) == (
        "EV-A", "Acme", "356938035643809", "12/2026",
    )  # fmt: skip
    assert d.suspect == "Arun Example" and [c.action for c in d.custody] == ["seized", "received"]
    folder, image = d.jobs
    assert folder.source_sha256 == "1" * 64 and folder.verified is None
    assert image.segments == {"a.E02": "3" * 64} and image.verified is False
    assert [p.path for p in d.problems] == ["/bad.zip", "/img/lost.doc"]
    assert d.problem_files == 2 and [p.path for p in d.damaged] == ["/img/lost.doc"]


def test_triage_counts_equal_the_rows_and_near_matches_carry_distances(
    database: Database, world: World
) -> None:
    with database.session() as s:
        t = browse.triage_summary(s, world.dev_a)
        jobs = select(IngestJob.id).where(IngestJob.device_id == world.dev_a)
        matched = s.scalar(
            select(func.count(FileMatch.file_id.distinct())).where(FileMatch.job_id.in_(jobs))
        )
    assert (t.files, t.matched_files, t.exact_files, t.near_files) == (6, matched, 1, 2)
    groups = {(g.hash_set, g.category_code, g.near): g for g in t.groups}
    assert set(groups) == {("other", None, False), ("unit", 1, False), ("unit", 1, True),
                           ("unit", None, True)}  # fmt: skip
    assert groups[("unit", 1, True)].category == "Child Abuse Material (CAM) (vics-us-2.0 1)"
    assert groups[("unit", 1, False)].list_kind == "known-bad"
    assert groups[("other", None, False)].list_kind is None
    assert [(n.path, n.distance, n.threshold) for n in t.near] == [
        ("/DCIM/resized.JPG", 12, 31), ('<script>alert("x")</script>.jpg', 30, 31)
    ]  # fmt: skip
    assert t.near_total == 2


def test_device_listing_is_scoped_sorted_and_counted(database: Database, world: World) -> None:
    with database.session() as s:
        everything, total = browse.list_devices(s, None)
        assert total == 3 and [d.evidence_number for d in everything] == ["EV-A", "EV-B", "EV-X"]
        mine, total = browse.list_devices(s, {world.case_a})
        assert total == 1 and mine[0].files == 6 and mine[0].matched_files == 3
        by_files, _ = browse.list_devices(s, None, sort="files", desc=True)
        assert [d.evidence_number for d in by_files] == ["EV-A", "EV-B", "EV-X"]
        of_b, total = browse.list_devices(s, None, case_id=world.case_b)
        assert total == 1 and of_b[0].case_number == "13/2026"
        assert browse.list_devices(s, set())[1] == 0
        with pytest.raises(NotFoundError):
            browse.list_devices(s, None, case_id=999)


def test_file_listing_pages_sorts_and_filters(database: Database, world: World) -> None:
    def paths(**kwargs: Any) -> tuple[list[str], int]:
        filters = kwargs.pop("filters", browse.FileFilter())
        with database.session() as s:
            rows, total = browse.device_files(s, world.dev_a, filters, **kwargs)
        return [r.path for r in rows], total

    first, total = paths(limit=2)
    assert total == 6 and first == ["/DCIM/known.jpg", "/DCIM/resized.JPG"]
    assert paths(limit=2, offset=4)[0] == ["/bad.zip", "/img/lost.doc"]
    assert paths(sort="size", desc=True, limit=1)[0] == ["/bad.zip"]
    assert paths(sort="matches", desc=True, limit=1)[0] == ["/DCIM/known.jpg"]
    assert paths(filters=browse.FileFilter(matched=True))[1] == 3
    assert paths(filters=browse.FileFilter(mime="image"))[1] == 3
    assert paths(filters=browse.FileFilter(mime="image/png"))[0] == [
        '<script>alert("x")</script>.jpg'
    ]
    assert paths(filters=browse.FileFilter(path="RESIZED"))[0] == ["/DCIM/resized.JPG"]
    assert paths(filters=browse.FileFilter(path="100%"))[0] == ["/notes_100%.txt"]
    assert paths(filters=browse.FileFilter(path="_"))[0] == ["/notes_100%.txt"]
    assert paths(filters=browse.FileFilter(problems=True))[1] == 2
    with database.session() as s:
        rows, _ = browse.device_files(s, world.dev_a, sort="matches", desc=True, limit=1)
        assert (rows[0].matches, rows[0].min_distance) == (2, 0)
        assert browse.file_types(s, world.dev_a) == [
            ("image/jpeg", 2), ("image/png", 1), ("text/plain", 1)
        ]  # fmt: skip


def test_file_detail_has_every_match_with_list_version_kind_and_distance(
    database: Database, world: World
) -> None:
    with database.session() as s:
        f = browse_files.file_detail(s, world.files["near"])
        assert browse_files.file_case(s, world.files["near"]) == world.case_a
        with pytest.raises(NotFoundError):
            browse_files.file_case(s, 999)
        known = browse_files.file_detail(s, world.files["known"])
    assert (f.evidence_number, f.source_path, f.pdq_quality) == ("EV-A", "/evidence/a", 90)
    (m,) = f.matches
    assert (m.hash_set, m.version, m.kind, m.near, m.distance, m.threshold) == (
        "unit", 1, "pdq", True, 12, 31,
    )  # fmt: skip
    assert [(m.hash_set, m.kind, m.list_kind) for m in known.matches] == [
        ("other", "md5", None), ("unit", "sha1", "known-bad")
    ]  # fmt: skip
    assert known.exif == {"make": "ExampleCam"} and known.md5 == "d" * 32


def test_where_else_finds_copies_and_near_copies_in_scope_only(
    database: Database, world: World
) -> None:
    known = world.files["known"]
    with database.session() as s:
        everywhere = browse_files.where_else(s, known, None)
        mine = browse_files.where_else(s, known, {world.case_a})
    assert {c.evidence_number for c in everywhere.same} == {"EV-B", "EV-X"}
    assert everywhere.same_total == 2 and everywhere.threshold == pdq_threshold()
    # Within the threshold (inclusive), not the same content, quality high enough.
    assert [(c.file_id, c.distance) for c in everywhere.near] == [
        (world.files["near"], 12), (world.files["near_b"], pdq_threshold())
    ]  # fmt: skip
    assert everywhere.near[1].case_number == "13/2026"
    assert mine.same == [] and mine.same_total == 0
    assert [c.file_id for c in mine.near] == [world.files["near"]]


def test_the_picture_index_follows_new_ingests(database: Database, world: World) -> None:
    with database.session() as s:
        before = browse_files.where_else(s, world.files["known"], None).near_total
        job = _job(s, "EV-B", "/evidence/b2")
        new = _file(s, job, world.dev_b, 1, "/n.jpg", sha256="3" * 64, pdq=flipped(BASE, 3),
                    pdq_quality=100)  # fmt: skip
        s.get(IngestJob, job).files = 1  # type: ignore[union-attr]
    with database.session() as s:
        after = browse_files.where_else(s, world.files["known"], None)
    assert after.near_total == before + 1 and after.near[0].file_id == new
