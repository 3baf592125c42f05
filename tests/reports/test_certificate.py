"""The section 63 certificate, on both databases: Part B filled from the expert's profile
and the device's recorded hashes, the hash report enclosed, Part A with the device's
particulars and blanks, byte-identical when written twice, and a field phunt cannot
know left blank."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.errors import NotFoundError, UsageError
from phunt.reports.certificate import build, write_certificate
from phunt.reports.manifest import manifest_path
from phunt.reports.verify import verify_report
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from reports_more_world import (
    MANIFEST_SHA256,
    PROFILE,
    SEGMENT_SHA256,
    SOURCE_SHA256,
    STORED_MD5,
    World,
    make_world,
    page_one_ink,
    pdf_text,
)

SIGNED = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # 14:35 IST


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_part_b_is_filled_and_the_pdf_reproducible(
    database: Database, world: World, tmp_path: Path
) -> None:
    record = tmp_path / "device-report.pdf"
    record.write_bytes(b"a produced record\n")
    outs = [tmp_path / "one" / "cert.pdf", tmp_path / "two" / "cert.pdf"]
    manifests = []
    for out in outs:
        out.parent.mkdir()
        with database.session() as s:
            manifests.append(
                write_certificate(
                    s, "EV-A/1", out, expert="examiner", records=[record], signed_at=SIGNED
                )
            )
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert manifests[0].output_sha256 == manifests[1].output_sha256
    assert manifest_path(outs[0]).read_bytes() == manifest_path(outs[1]).read_bytes()

    text = pdf_text(outs[0])
    flat = _flat(text)
    for value in PROFILE.values():
        assert _flat(value) in flat, value
    for value in ("Acme X1", "SN-0042", "356938035643809", "EV-A/1", "CR 101/2026"):
        assert value in flat, value
    # The device's recorded hashes, each on one line, and the record's three digests.
    for value in (SOURCE_SHA256, SEGMENT_SHA256, STORED_MD5, MANIFEST_SHA256):
        assert value in text, value
    import hashlib

    data = record.read_bytes()
    for algorithm in ("md5", "sha1", "sha256"):
        assert hashlib.new(algorithm, data).hexdigest() in text, algorithm
    assert "07/12/2026" in flat and "14:35" in flat  # signing date DD/MM/YYYY, IST 24-hour
    assert "30/11/2026" in flat and "09:45" in flat  # the ingest's end, IST
    assert "[X] Mobile" in flat and "[ ] DVR" in flat
    assert "Part B: by the expert" in flat and "Hash report" in flat and "Part A" in flat
    assert page_one_ink(outs[0], tmp_path) > 500


def test_unknown_fields_are_blank_never_guessed(database: Database, world: World) -> None:
    with database.session() as s:
        built = build(s, {"device": world.device_raid})  # a modem: no make, no ingest, no expert
    html = built.html.decode()
    assert "[X] Other: modem" in html
    assert html.count('class="blank"') >= 20
    assert "Dr. Meera Example" not in html
    assert "No hash value is recorded for this device" in html
    assert "Color" in html and 'class="filled"' not in html.split("Color", 1)[1][:80]


def test_html_manifest_audit_and_verify(database: Database, world: World, tmp_path: Path) -> None:
    out = tmp_path / "cert.html"
    with database.session() as s:
        manifest = write_certificate(s, world.device_a, out, expert="examiner")
    stored = json.loads(manifest_path(out).read_bytes())
    assert stored["kind"] == "certificate"
    assert stored["options"]["device"] == world.device_a
    assert f"device:{world.device_a}" in stored["inputs"]
    assert "profile:examiner" in stored["inputs"]
    with database.session() as s:
        last = s.query(AuditRecord).order_by(AuditRecord.seq.desc()).first()
        assert last is not None and last.action == "report.write"
        assert last.details["sha256"] == manifest.output_sha256
        assert verify_report(out, s).ok
        with pytest.raises(UsageError, match="exists"):
            write_certificate(s, world.device_a, out)
    with database.session() as s:
        from phunt.accounts.profile import set_profile

        set_profile(s, "examiner", {"designation": "Assistant Director"})
    with database.session() as s:
        result = verify_report(out, s)
    assert not result.ok
    assert result.changed == ["profile:examiner"]


def test_refusals(database: Database, world: World, tmp_path: Path) -> None:
    with database.session() as s:
        with pytest.raises(NotFoundError):
            write_certificate(s, "EV-NONE", tmp_path / "x.pdf")
        with pytest.raises(NotFoundError):
            write_certificate(s, "EV-A/1", tmp_path / "x.pdf", expert="nobody")
        with pytest.raises(UsageError, match="no such file"):
            write_certificate(s, "EV-A/1", tmp_path / "x.pdf", records=[tmp_path / "missing"])
        with pytest.raises(UsageError, match=r"html or \.pdf"):
            write_certificate(s, "EV-A/1", tmp_path / "x.txt")


def test_a_folder_source_is_stated_by_its_manifest_hash(database: Database, world: World) -> None:
    with database.session() as s:
        html = build(s, {"device": "EV-B/1"}).html.decode()
    part_b = html.split('id="hash-report"')[0]
    assert "9e" * 32 in part_b  # the manifest: a folder has no digest of its own
    assert "(source)" not in part_b
    assert "[X] Computer / Storage Media" in html and "Examplebook" in html
