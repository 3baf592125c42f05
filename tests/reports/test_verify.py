"""``phunt report verify``: a report checks out against its manifest and the database
until a fact behind it changes, and then it names exactly which one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from phunt.cases.devices import log_custody
from phunt.reports import device
from phunt.reports.verify import verify_report
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile
from test_lib import run_phunt

from .conftest import ReportWorld
from .reading import write


def test_an_altered_matched_file_is_named(
    database: Database, world: ReportWorld, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "device.pdf"
    built = write(database, "device", {"device_id": world.phone}, out)
    file_id = min(int(k.split(":")[1]) for k in built.inputs if k.startswith("file:"))
    with database.session() as s:
        fresh = verify_report(out, s)
    assert fresh.ok, fresh.problems
    assert (fresh.file_ok, fresh.rebuilt_ok, fresh.changed) == (True, True, [])
    assert fresh.written_at_record is not None
    done = run_phunt("report", "verify", str(out), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "matches its manifest and the database" in done.stdout

    with database.session() as s:  # someone edits the stored file's row behind phunt's back
        row = s.get(EvidenceFile, file_id)
        assert row is not None
        path, row.sha256 = row.path, "0" * 64
    with database.session() as s:
        stale = verify_report(out, s)
    assert not stale.ok
    assert stale.changed == [f"file:{file_id} (matched file on EV-7/1: {path})"]
    assert (stale.missing, stale.added) == ([], [])
    assert (stale.file_ok, stale.rebuilt_ok) == (True, False)
    assert f"input changed since the report: file:{file_id}" in stale.problems[0]
    done = run_phunt("report", "verify", str(out), "--db", db_url)
    assert done.returncode == 1
    assert "does NOT match" in done.stderr
    assert f"file:{file_id} (matched file on EV-7/1:" in done.stderr


def test_altered_bytes_and_later_facts_are_told_apart(
    database: Database, world: ReportWorld, tmp_path: Path
) -> None:
    out = tmp_path / "device.html"
    write(database, "device", {"device_id": world.phone}, out)
    with database.session() as s:
        log_custody(
            s, "EV-7/1", "examined", "Dr Meera Example", datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
        )
        later = verify_report(out, s)
    # The chain grew, but the record the report was read at is still there: only the facts
    # that changed are named.
    assert later.changed == ["custody:EV-7/1", "examiners:EV-7/1"]
    assert later.file_ok
    out.write_bytes(out.read_bytes().replace(b"EV-7/1", b"EV-7/9"))
    with database.session() as s:
        altered = verify_report(out, s)
    assert not altered.file_ok
    assert "the file's SHA-256 is not the one its manifest records" in altered.problems[0]
    assert altered.written_at_record is not None  # the manifest is still the one written
    # Altered with a manifest made to agree: the audit chain never recorded those bytes.
    manifest = out.with_name(out.name + ".manifest.json")
    text = json.loads(manifest.read_bytes())
    text["output_sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(text))
    with database.session() as s:
        forged = verify_report(out, s)
    assert forged.file_ok
    assert forged.written_at_record is None
    assert forged.problems[0] == (
        "the audit chain holds no record of writing a file with this SHA-256"
    )
    # A hostile file name is text in the report, never markup.
    with database.session() as s:
        row = s.get(EvidenceFile, min(int(k[5:]) for k in text["inputs"] if k.startswith("file:")))
        assert row is not None
        row.path = '<img src="x" onerror="alert(1)">\x1b[2J.jpg'
    with database.session() as s:
        html = device.build(s, {"device_id": world.phone}).html.decode()
    assert "&lt;img src=&#34;x&#34; onerror=&#34;alert(1)&#34;&gt;" in html
    assert "<img" not in html
    assert "\\x1b[2J.jpg" in html  # a control character shown, not obeyed
    assert "\x1b" not in html
