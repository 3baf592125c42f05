"""Defect 5: reading commands work on a data folder nobody may write to.

Tests run as root here, and root ignores permission bits. ``run_phunt(...,
drop_privileges=True)`` runs phunt through ``setpriv`` without root's capabilities
(CAP_DAC_OVERRIDE and the rest), so a folder of mode 0555 and files of mode 0444 refuse
writes to it exactly as they would to an examiner's account on a read-only share: the
test exercises the real kernel check, not a simulation. On PostgreSQL the same commands
run as a role that may only SELECT (a user with read-only rights).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from test_lib import run_phunt

READING = (
    ["audit", "verify"],
    ["audit", "log"],
    ["case", "list"],
    ["operation", "list"],
    ["device", "list"],
    ["stats", "--operation", "P-Hunt", "--by", "district"],
    ["hashset", "list"],
)


def _fill(where: list[str]) -> None:
    for args in (
        ["init"],
        ["operation", "create", "P-Hunt"],
        ["case", "open", "--number", "CR 1/2026", "--station", "Cyber PS Kochi",
         "--district", "Ernakulam", "--operation", "P-Hunt"],
        ["device", "add", "--evidence", "EV-1", "--kind", "laptop", "--case", "1"],
    ):  # fmt: skip
        done = run_phunt(*args, *where)
        assert done.returncode == 0, done.stderr


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """``folder`` and everything in it unwritable, then writable again for clean-up."""
    paths = [folder, *folder.rglob("*")]
    for path in paths:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path in paths:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _reads_everything(where: list[str]) -> None:
    for args in READING:
        done = run_phunt(*args, *where, drop_privileges=True)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr == ""
    verified = run_phunt("audit", "verify", *where, drop_privileges=True)
    assert "audit log intact: 3 records" in verified.stdout


def test_reading_commands_on_a_read_only_sqlite_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    where = ["--home", str(home)]
    _fill(where)
    before = sorted(p.name for p in home.iterdir())
    with _read_only(home):
        probe = run_phunt("case", "open", "--number", "x", "--station", "y", "--district",
                          "Kollam", *where, drop_privileges=True)  # fmt: skip
        assert probe.returncode == 2, "the folder must really refuse writes"
        assert probe.stderr.startswith("phunt: error:") and "Traceback" not in probe.stderr
        _reads_everything(where)
    assert sorted(p.name for p in home.iterdir()) == before


def test_a_new_home_on_a_read_only_path_is_one_clear_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with _read_only(locked):
        done = run_phunt("init", "--home", str(locked / "home"), drop_privileges=True)
    assert done.returncode == 2
    assert done.stderr == (
        f"phunt: error: cannot create the data folder {locked / 'home'}: Permission denied\n"
    )


@pytest.mark.parametrize("empty_db_url", ["postgresql"], indirect=True)
def test_reading_commands_as_a_read_only_postgresql_user(db_url: str, tmp_path: Path) -> None:
    """The SQLite case is the read-only folder above."""
    home = tmp_path / "home"
    _fill(["--db", db_url, "--home", str(home)])
    role = f"reader_{uuid.uuid4().hex[:10]}"
    schema = db_url.rsplit("%3D", 1)[1]
    admin = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
    try:
        reader_url = db_url.replace("postgresql://postgres@", f"postgresql://{role}@", 1)
        with _read_only(home):
            _reads_everything(["--db", reader_url, "--home", str(home)])
            write = run_phunt("operation", "create", "X", "--db", reader_url, "--home", str(home))
            assert write.returncode == 2 and "Traceback" not in write.stderr
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
