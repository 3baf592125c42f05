"""``phunt export`` as an examiner runs it: each format written with its manifest, a
second run refused without --force, a user mistake one line on stderr."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from phunt.audit.store import list_records
from phunt.os_user import os_user
from phunt.schema.db import Database
from test_lib import run_phunt

from .conftest import ExportWorld

ME = os_user()


def _phunt(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # The actor is the operating-system user, not an environment variable (issue 18):
    # the variable is set to show that it is not believed.
    return run_phunt("export", *args, "--db", db_url, env={"PHUNT_ACTOR": "analyst.meera"})


def test_export_commands(
    db_url: str, database: Database, export_world: ExportWorld, tmp_path: Path
) -> None:
    case = str(export_world.world.case_a)
    vics = tmp_path / "case.json"
    done = _phunt(db_url, "vics", "--case", case, "-o", str(vics))
    assert done.returncode == 0, done.stderr
    manifest = json.loads(Path(f"{vics}.manifest.json").read_text())
    assert done.stdout.splitlines() == [
        f"3 media written to {vics}",
        f"sha256 {manifest['sha256']}; manifest {vics}.manifest.json",
    ]
    again = _phunt(db_url, "vics", "--case", case, "-o", str(vics))
    assert (again.returncode, again.stderr) == (
        2, f"phunt: error: {vics} exists; give --force to replace it\n",
    )  # fmt: skip
    forced = _phunt(db_url, "vics", "--case", case, "-o", str(vics), "--force", "--json")
    assert json.loads(forced.stdout)["sha256"] == manifest["sha256"]
    csv_out = tmp_path / "matches.csv"
    listed = _phunt(db_url, "matches", "--device", "EV-B", "-o", str(csv_out), "--json")
    assert json.loads(listed.stdout)["entries"] == 1, listed.stderr
    both = _phunt(db_url, "matches", "--device", "EV-B", "--case", case, "-o", str(csv_out))
    assert both.stderr == "phunt: error: give either a case or a device\n"
    jsonld = tmp_path / "ev-a.jsonld"
    uco = _phunt(db_url, "case-uco", "--device", "EV-A", "-o", str(jsonld), "--json")
    assert json.loads(uco.stdout)["entries"] == 7, uco.stderr
    checked = _phunt(db_url, "verify", str(jsonld))
    assert (checked.returncode, checked.stdout) == (
        0, f"{jsonld}: matches its manifest, the audit log and the database\n",
    )  # fmt: skip
    csv_out.write_text("altered\n")
    altered = _phunt(db_url, "verify", str(csv_out))
    assert altered.returncode == 1
    assert altered.stderr.splitlines()[:2] == [
        f"{csv_out}: does NOT match",
        "  the file's SHA-256 is not the one its manifest records: it was altered",
    ]
    with database.session() as s:
        mine = [r for r in list_records(s) if r.action.startswith("export.")]
    assert [(r.action, r.actor) for r in mine] == [
        ("export.vics", ME),
        ("export.vics", ME),
        ("export.matches-csv", ME),
        ("export.case-uco", ME),
    ]
