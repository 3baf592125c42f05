"""The device report from a real ingest: every fact issue 17 lists appears in the PDF's
text, page 1 is not blank, no picture is embedded, and writing twice gives the same bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from phunt.ingest.store import list_matches
from phunt.reports.facts import as_of
from phunt.reports.manifest import manifest_path
from phunt.reports.verify import verify_report
from phunt.schema.db import Database
from test_lib import run_phunt

from .conftest import ReportWorld
from .reading import image_count, ink_share, pdf_text, write

Shared = tuple[Database, ReportWorld]


def test_the_pdf_states_every_fact(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    out = tmp_path / "device.pdf"
    write(db, "device", {"device_id": world.phone}, out)
    text = pdf_text(out)
    with db.session() as s:
        head = as_of(s)
        matches = list_matches(s, "EV-7/1")
    facts = [
        "phunt 0.1.0",  # the tool and its version
        "FIR / crime number CR 7/2026",
        "Police station Cyber PS Kochi",
        "District Ernakulam, Kerala",
        "IT Act s.67B; POCSO s.15",
        "Evidence number EV-7/1",
        "Kind mobile phone",
        "Make Acme",
        "Model Phone 5",
        "Serial number SN-0451",
        "IMEI 356938035643809",
        "02/05/2026 15:00 IST seized SI Ravi Example sealed bag 14",  # custody, in IST
        "03/05/2026 16:30 IST received Lab Clerk Mini",
        "unit-list v1 (known-bad, from State cyber unit)",
        hashlib.sha256(world.sources.hash_list.read_bytes()).hexdigest(),  # the list's SHA-256
        "pdq distance ≤ 31; sha256 exact",  # the thresholds
        "Matched files: 3; matches: 3.",
        "Child Abuse Material (CAM) (vics-us-2.0 1) 2",  # the summary by category
        "Child Exploitive (Non-CAM) / Age Difficult (vics-us-2.0 2) 1",
        "pdq 1 sha256 2",  # and by match kind
        "confirmed on review; by",  # the reviewer's decision
        "Riverside Book Club (whatsapp group",  # the group found
        "creator",  # the suspect's role ...
        "message 1 (platform id 1)",  # ... with its proving message
        "known-bad media",  # a flagged message
        "ingested the sources; reviewed matched files",  # the examiner
        f"up to audit record {head.seq} of",
        head.hash,  # the audit chain's hash at the record the facts were read at
    ]
    for fact in facts:
        assert fact in text, fact
    for m in matches:  # each matched file: hashes, and how it matched
        file = Path(m["path"])
        data = file.read_bytes()
        for digest in (hashlib.md5(data), hashlib.sha1(data), hashlib.sha256(data)):
            assert digest.hexdigest() in text, (file.name, digest.name)
        assert f"{len(data):,} bytes" in text
        how = f"distance {m['distance']} (threshold 31)" if m["kind"] == "pdq" else "exact"
        assert f"{m['kind']} {how}; unit-list v1 entry {m['entry']}" in text
    assert image_count(out) == 0  # never a picture of any file


def test_page_one_is_not_blank(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    out = tmp_path / "device.pdf"
    write(db, "device", {"device_id": world.phone}, out)
    assert 0.01 < ink_share(out, tmp_path) < 0.5


def test_written_twice_the_bytes_are_the_same(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    for suffix in (".pdf", ".html"):
        first, second = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
        write(db, "device", {"device_id": world.phone}, first)
        write(
            db, "device", {"device_id": world.phone}, second
        )  # the first write's audit record changes no fact
        assert first.read_bytes() == second.read_bytes()
        one = json.loads(manifest_path(first).read_bytes())
        two = json.loads(manifest_path(second).read_bytes())
        assert one.pop("output") == first.name
        assert two.pop("output") == second.name
        assert one == two
        assert one["output_sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
        assert one["kind"] == "device"
        assert one["options"]["subject"] == "EV-7/1"
        files = sorted(k for k in one["inputs"] if k.startswith("file:"))
        assert len(files) == 3
        with db.session() as s:  # each checks out, with its own manifest and audit record
            checked = [verify_report(path, s) for path in (first, second)]
        assert [c.problems for c in checked] == [[], []]
        assert checked[0].written_at_record != checked[1].written_at_record


def test_html_is_the_same_report(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    out = tmp_path / "device.html"
    write(db, "device", {"device_id": world.phone}, out)
    html = out.read_text()
    assert "<img" not in html
    assert world.sources.sha256["camera"] in html
    assert "Device report EV-7/1" in html


def test_the_cli_writes_refuses_to_overwrite_and_verifies(shared: Shared, tmp_path: Path) -> None:
    db, world = shared
    db_url = db.url
    out = tmp_path / "phone.pdf"
    done = run_phunt("report", "device", "EV-7/1", "-o", str(out), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "phone.pdf.manifest.json").is_file()
    again = run_phunt("report", "device", "EV-7/1", "-o", str(out), "--db", db_url)
    assert again.returncode == 2
    assert "--force" in again.stderr
    forced = run_phunt("report", "device", "EV-7/1", "-o", str(out), "--force", "--db", db_url)
    assert forced.returncode == 0, forced.stderr
    report = tmp_path / "case.html"
    done = run_phunt("report", "case", str(world.case_id), "-o", str(report), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "Case report CR 7/2026" in report.read_text()
    for written in (out, report):
        checked = run_phunt("report", "verify", str(written), "--db", db_url, "--json")
        assert checked.returncode == 0, checked.stderr
        assert '"ok": true' in checked.stdout
    missing = run_phunt("report", "device", "EV-404", "-o", str(tmp_path / "x.pdf"), "--db", db_url)
    assert missing.returncode == 2
    assert "no device 'EV-404'" in missing.stderr
