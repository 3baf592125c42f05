"""Defect 4: names from the evidence reach an examiner's terminal escaped. A file named
with ESC sequences and a newline could clear the screen or forge a line of a listing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from phunt.hashsets.base import HashEntry
from phunt.hashsets.csv_writer import write_csv
from test_lib import run_phunt

#: Clears the screen, then starts a line that looks like phunt's own.
HOSTILE = "report\x1b[2J\x1b[Hname\nMATCH forged.jpg\u202egpj.txt"
SHOWN = "report\\x1b[2J\\x1b[Hname\\nMATCH forged.jpg\\u202egpj.txt"
WIDE = {"COLUMNS": "400"}  # one table row per line, so a forged line would start one


def _evidence(tmp_path: Path) -> Path:
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / HOSTILE).write_text("neutral words\n")
    return folder


def _assert_escaped(text: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text
    assert not any(line.startswith("MATCH forged") for line in text.splitlines())
    assert SHOWN in text


def test_listings_escape_file_names(db_url: str, tmp_path: Path) -> None:
    where = ["--db", db_url, "--home", str(tmp_path / "home")]
    assert run_phunt("init", *where).returncode == 0
    added = run_phunt("device", "add", "--evidence", "EV-1", "--kind", "memory card", *where)
    assert added.returncode == 0, added.stderr
    source = _evidence(tmp_path)
    ingest = run_phunt("ingest", str(source), "--device", "EV-1", "--workers", "1", *where)
    assert ingest.returncode == 0, ingest.stderr
    files = run_phunt("files", "--device", "EV-1", *where, env=WIDE)
    assert files.returncode == 0, files.stderr
    _assert_escaped(files.stdout)
    as_json = run_phunt("files", "--device", "EV-1", "--json", *where)
    assert HOSTILE.replace("\n", "\\n") not in as_json.stdout  # JSON escapes on its own
    assert "\\u001b[2J" in as_json.stdout


def test_triage_lines_and_errors_escape_file_names(tmp_path: Path) -> None:
    source = _evidence(tmp_path)
    hashed = run_phunt("hash", str(source), env=WIDE)
    assert hashed.returncode == 0, hashed.stderr
    _assert_escaped(hashed.stdout)
    missing = run_phunt("hash", str(tmp_path / HOSTILE))
    assert missing.returncode == 2
    assert "\x1b" not in missing.stderr and len(missing.stderr.splitlines()) == 1


def test_csv_cells_never_run_as_formulas() -> None:
    entries = [
        HashEntry({"md5": "0" * 32}, name='=HYPERLINK("http://x")', record=1),
        HashEntry({"md5": "1" * 32}, name="-2+3", record=2),
        HashEntry({"md5": "2" * 32}, name="holiday.jpg", record=3),
    ]
    out = io.StringIO()
    assert write_csv(entries, out) == 3
    names = [row["name"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert names == ['\'=HYPERLINK("http://x")', "'-2+3", "holiday.jpg"]
