"""``phunt backup`` and ``phunt restore`` as an examiner runs them: the backup file goes
through phunt's output rule (never over a file without --force, never into the data
folder), and the restored database verifies."""

from __future__ import annotations

import json
from pathlib import Path

from phunt.backup.store import tables
from phunt.schema.db import Database
from test_lib import initialise, run_phunt

from .test_refusals import _small_world


def _keyed_world(home: Path, *more: str) -> tuple[str, str]:
    """An audit key beside ``home``, the small world (and cases numbered ``more``) in it."""
    from phunt.cases.case_files import open_case

    assert run_phunt("audit", "key", "init", "--home", str(home)).returncode == 0
    db = Database(f"sqlite:///{home / 'phunt.db'}")
    try:
        _small_world(db)
        with db.session() as s:
            for number in more:
                open_case(s, number, "Cyber PS Kochi", "Ernakulam", ["IT Act s.67B"])
    finally:
        db.close()
    return "--home", str(home)


def test_backup_and_restore_from_the_command_line(
    initialised_home: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    home = _keyed_world(initialised_home)
    out = tmp_path / "lab.phbk"
    first = run_phunt("backup", "-o", str(out), *home)
    assert first.returncode == 0, first.stderr
    # 14 districts, a case, a device, a custody event, 3 audit records, their 3 seals, the head
    said = f"24 rows of {len(tables())} tables, 0 set files and 3 audit records written to"
    assert first.stdout.startswith(said)
    written = out.read_bytes()

    again = run_phunt("backup", "-o", str(out), *home)
    assert (again.returncode, again.stderr.strip()) == (
        2,
        f"phunt: error: {out} exists; give --force to replace it",
    )
    assert out.read_bytes() == written
    inside = run_phunt("backup", "-o", str(initialised_home / "lab.phbk"), *home)
    assert inside.returncode == 2 and "inside phunt's data" in inside.stderr
    assert not (initialised_home / "lab.phbk").exists()
    forced = run_phunt("backup", "-o", str(out), "--force", "--json", *home)
    assert forced.returncode == 0, forced.stderr

    other = tmp_path / "other-home"
    other.mkdir(mode=0o700)
    initialise(f"sqlite:///{other / 'phunt.db'}", sqlite_template)
    key = str(initialised_home.with_name(initialised_home.name + "-audit-key.pem"))
    restored = run_phunt("restore", str(out), "--home", str(other), "--key", key, "--json")
    assert restored.returncode == 0, restored.stderr
    summary = json.loads(restored.stdout)
    assert summary["rows"] == json.loads(forced.stdout)["rows"]
    verified = run_phunt("audit", "verify", "--home", str(other), "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["records"] == summary["audit_records"] + 1

    twice = run_phunt("restore", str(out), "--home", str(other), "--key", key)
    assert twice.returncode == 2 and "only into an empty database" in twice.stderr


def test_thumbnails_never_travel_in_a_backup(tmp_path: Path) -> None:
    """Pictures rendered from evidence (revealed ones too) are a cache, not a record."""
    import zipfile

    home = tmp_path / "home"
    where = ["--home", str(home)]
    assert run_phunt("init", *where).returncode == 0
    db = Database(f"sqlite:///{home / 'phunt.db'}")
    try:
        _small_world(db)
    finally:
        db.close()
    assert run_phunt("audit", "key", "init", *where).returncode == 0
    out = tmp_path / "b.zip"
    made = run_phunt("backup", "-o", str(out), *where)
    assert made.returncode == 0, made.stderr
    names = zipfile.ZipFile(out).namelist()
    assert "tables/review_thumbnail.jsonl" not in names
    assert "tables/custody_event.jsonl" in names


def test_a_case_backup_restored_verifies_as_a_scope(
    initialised_home: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    """``backup --case`` and ``restore``; ``audit verify`` then names what it proved."""
    home = _keyed_world(initialised_home, "CR 11/2026")
    out = tmp_path / "case.phbk"
    made = run_phunt("backup", "--case", "1", "-o", str(out), *home)
    assert made.returncode == 0, made.stderr
    assert "3 audit records written to" in made.stdout  # case, device, custody: not CR 11
    other = tmp_path / "other-home"
    other.mkdir(mode=0o700)
    initialise(f"sqlite:///{other / 'phunt.db'}", sqlite_template)
    key = str(initialised_home.with_name(initialised_home.name + "-audit-key.pem"))
    restored = run_phunt("restore", str(out), "--home", str(other), "--key", key)
    assert restored.returncode == 0, restored.stderr
    assert "scoped restore of case CR 9/2026 (id 1)" in restored.stdout
    verified = run_phunt("audit", "verify", "--home", str(other))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" not in verified.stdout
    assert "scoped restore of case CR 9/2026 (id 1) from a backup signed by key" in verified.stdout
    assert "3 records, each proven included in checkpoint 4" in verified.stdout
