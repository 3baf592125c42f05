"""The case report: the case's totals, both devices, the E01 source's verification and
split segments, and the same bytes when written twice."""

from __future__ import annotations

from pathlib import Path

from phunt.schema.db import Database

from .conftest import E01_MD5, E01_SEGMENTS, E01_SHA256, ReportWorld
from .reading import image_count, ink_share, pdf_text, write

Shared = tuple[Database, ReportWorld]


def test_the_pdf_states_the_case_and_its_devices(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    out = tmp_path / "case.pdf"
    write(db, "case", {"case_id": world.case_id}, out)
    text = pdf_text(out)
    facts = [
        "Case report CR 7/2026, Cyber PS Kochi",
        "2 devices, 4 matched files, 1 group chats found.",
        "EV-7/1 mobile phone 3 EV-7/2 memory card 1",  # matched files per device
        "Child Exploitive (Non-CAM) / Age Difficult (vics-us-2.0 2) 2",  # the case's totals
        "Device EV-7/1",
        "Device EV-7/2",
        "Make Cardco",
        f"Source SHA-256 {E01_SHA256}",
        f"stored MD5 {E01_MD5}, computed MD5 {E01_MD5}: verified",
        "Arun Example +919847010000",
    ]
    facts += [f"Segment {name} SHA-256 {sha}" for name, sha in E01_SEGMENTS.items()]
    facts.append(world.sources.sha256["camera"])
    for fact in facts:
        assert fact in text, fact
    assert text.count(world.sources.sha256["camera"]) >= 2  # on both devices
    assert image_count(out) == 0
    assert ink_share(out, tmp_path) > 0.01


def test_written_twice_the_bytes_are_the_same(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    write(db, "case", {"case_id": world.case_id}, tmp_path / "one.pdf")
    write(db, "case", {"case_id": world.case_id}, tmp_path / "two.pdf")
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
