"""``phunt ingest`` as an examiner runs it, on both databases: a second ingest of a busy
device, Ctrl-C and the command it prints, ``--again`` and ``phunt jobs``."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from phunt.audit.store import verify
from phunt.ingest.guard import this_host
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, IngestJob
from test_lib import run_phunt


def _count(db_url: str, what: object) -> int:
    db = Database(db_url, migrate=False)
    try:
        with db.session() as s:
            return int(s.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]
    finally:
        db.close()


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


TOTAL = 12_000  # files: long enough for an ingest to be mid-run on a fast, quiet machine


def _start_mid_run(
    db_url: str, tmp_path: Path, device: str, workers: int, *, own_group: bool = False
) -> tuple[Path, list[str], subprocess.Popen[str]]:
    """A folder of :data:`TOTAL` files and an ingest of it for ``device``, returned once it
    has stored 200 of them: ``(folder, the ingest's arguments, its process)``."""
    src = tmp_path / "many"
    src.mkdir()
    for i in range(TOTAL):
        (src / f"f{i:05d}.txt").write_text(f"file number {i}\n")
    added = run_phunt("device", "add", "--evidence", device, "--kind", "laptop", "--db", db_url)
    assert added.returncode == 0, added.stderr
    cmd = ["ingest", str(src), "--device", device, "--workers", str(workers), "--batch", "25"]
    first = subprocess.Popen(
        [sys.executable, "-m", "phunt", *cmd, "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=own_group,  # its own process group, as a terminal gives it
    )
    deadline = time.monotonic() + 120
    while _count(db_url, EvidenceFile) < 200:
        assert first.poll() is None, "ingest ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return src, cmd, first


@pytest.mark.slow
def test_busy_device_then_ctrl_c_then_the_printed_command_resumes(
    db_url: str, tmp_path: Path
) -> None:
    src, cmd, first = _start_mid_run(db_url, tmp_path, "EV-K", 1)
    total = TOTAL

    # A second ingest with --resume used to collide with the first (IntegrityError).
    audited = _count(db_url, AuditRecord)
    busy = run_phunt(*cmd, "--resume", "--db", db_url)
    assert busy.returncode == 2 and busy.stdout == ""
    pattern = (
        rf"phunt: error: device EV-K is being ingested by pid {first.pid} on host "
        rf"{re.escape(this_host())} since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(job 1\); "
        r"wait for it to finish or stop it\n"
    )
    assert re.fullmatch(pattern, busy.stderr), busy.stderr
    assert _count(db_url, AuditRecord) == audited

    first.send_signal(signal.SIGINT)
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    lines = err.splitlines()
    assert len(lines) == 2, err
    stored = _count(db_url, EvidenceFile)
    assert 200 <= stored < total
    assert lines[0] == (
        f"phunt: ingest job 1 of {src} for device EV-K interrupted with {stored} files "
        "stored; it is left resumable."
    )
    printed = lines[1].removeprefix("phunt: resume it with: ")
    assert printed == shlex.join(["phunt", *cmd[:4], "--resume", *cmd[4:], "--db", db_url])

    jobs = _jsonl(run_phunt("jobs", "--json", "--db", db_url).stdout)
    assert [(j["id"], j["status"], j["state"]) for j in jobs] == [(1, "interrupted", "interrupted")]
    devices = _jsonl(run_phunt("device", "list", "--json", "--db", db_url).stdout)
    assert devices[0]["last_ingest"] == {"job": 1, "status": "interrupted"}

    done = run_phunt(*shlex.split(printed)[1:], "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["resumed"] and summary["job"] == 1 and summary["files"] == total
    db = Database(db_url, migrate=False)
    try:
        with db.session() as s:
            rows = s.execute(select(EvidenceFile.seq, EvidenceFile.path)).all()
            assert sorted(seq for seq, _ in rows) == list(range(total))
            assert len({p for _, p in rows}) == total
            assert s.scalars(select(IngestJob.status)).all() == ["complete"]
            actions = s.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)).all()
            assert actions[-4:] == [
                "ingest.start",
                "ingest.interrupt",
                "ingest.resume",
                "ingest.complete",
            ]
            assert verify(s).ok
    finally:
        db.close()


def test_again_and_jobs_through_the_cli(db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "card"
    src.mkdir()
    (src / "a.txt").write_text("a")
    added = run_phunt("device", "add", "--evidence", "EV-2", "--kind", "laptop", "--db", db_url)
    assert added.returncode == 0, added.stderr
    cmd = ["ingest", str(src), "--device", "EV-2", "--workers", "1", "--db", db_url]
    assert run_phunt(*cmd).returncode == 0
    refused = run_phunt(*cmd)
    assert refused.returncode == 2
    assert re.fullmatch(
        rf"phunt: error: {re.escape(str(src))} was ingested for device EV-2 before: job 1 of "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(complete, same path and kind\); to ingest it "
        r'again, say why with --again "REASON"\n',
        refused.stderr,
    ), refused.stderr
    again = run_phunt(*cmd, "--again", "checked with a second tool")
    assert again.returncode == 0, again.stderr
    jobs = _jsonl(run_phunt("jobs", "--device", "EV-2", "--json", "--db", db_url).stdout)
    assert [(j["id"], j["state"], j["files"]) for j in jobs] == [
        (1, "complete", 1),
        (2, "complete", 1),
    ]
    table = run_phunt("device", "list", "--db", db_url).stdout
    assert "job 2: complete" in table


def test_ctrl_c_at_a_terminal_reaches_every_process_and_stops_cleanly(
    db_url: str, tmp_path: Path
) -> None:
    """Ctrl-C at a terminal signals the whole process group: the workers and the listing
    process ignore it, the coordinator stops between files (never inside a transaction),
    and the job resumes to the full count."""
    _src, cmd, first = _start_mid_run(db_url, tmp_path, "EV-G", 2, own_group=True)
    total = TOTAL
    os.killpg(first.pid, signal.SIGINT)
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    assert len(err.splitlines()) == 2 and "Traceback" not in err, err
    done = run_phunt(*cmd, "--resume", "--db", db_url, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"] == total
