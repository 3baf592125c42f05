"""The device lock on both databases: one holder wins a race, stale and foreign locks,
and how ``list_jobs`` reports a job whose process is gone."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.errors import UsageError
from phunt.ingest import guard
from phunt.schema.db import Database
from phunt.schema.ingest import DeviceLock, IngestJob


@pytest.fixture
def device(database: Database) -> str:
    with database.session() as s:
        add_device(s, "EV-1", "mobile phone")
    return "EV-1"


def _dead_pid() -> int:
    """The pid of a process of this host that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _plant(db: Database, *, host: str, pid: int, job_id: int | None = None) -> None:
    since = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    with db.session() as s:
        s.add(DeviceLock(device_id=1, host=host, pid=pid, since=since, job_id=job_id, token="t0"))


def test_threads_racing_for_a_device_leave_one_holder(database: Database, device: str) -> None:
    start = threading.Barrier(4)
    won: list[guard.Lease] = []
    refused: list[str] = []

    def contend() -> None:
        db = Database(database.url)  # a connection of its own, as another ingest has
        try:
            start.wait()
            try:
                won.append(guard.acquire(db, device, take_over=False, notice=refused.append))
            except UsageError as exc:
                refused.append(str(exc))
        finally:
            db.close()

    threads = [threading.Thread(target=contend) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(refused) == 3
    for message in refused:
        assert message.startswith(f"device EV-1 is being ingested by pid {guard.os.getpid()}")
        assert f"on host {guard.this_host()} since " in message
    won[0].db = database
    won[0].release()
    with database.session() as s:
        assert s.scalars(select(DeviceLock)).all() == []


RACER = """
import sys, time
from phunt.errors import UsageError
from phunt.ingest import guard
from phunt.schema.db import Database

db = Database(sys.argv[1])
while time.time() < float(sys.argv[2]):
    pass
try:
    lease = guard.acquire(db, "EV-1", take_over=False, notice=print)
except UsageError as exc:
    print("refused:", exc)
else:
    print("won")
    time.sleep(2)  # hold it while the others try
    lease.release()
"""


def test_processes_racing_for_a_device_leave_one_holder(
    database: Database, device: str, tmp_path: Path
) -> None:
    import os
    import time

    script = tmp_path / "racer.py"
    script.write_text(RACER)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    go = str(time.time() + 3)  # every process is started and connected by then
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), database.url, go],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in outs]
    lines = [out.strip() for out, _err in outs]
    assert sorted(line.split(":")[0] for line in lines) == ["refused", "refused", "won"]
    winner = procs[lines.index("won")].pid
    for line in lines:
        if line != "won":
            assert f"is being ingested by pid {winner} on host {guard.this_host()}" in line
    with database.session() as s:
        assert s.scalars(select(DeviceLock)).all() == []


def test_a_lock_whose_process_is_gone_is_taken_over_and_said_so(
    database: Database, device: str
) -> None:
    dead = _dead_pid()
    _plant(database, host=guard.this_host(), pid=dead)
    said: list[str] = []
    lease = guard.acquire(database, device, take_over=False, notice=said.append)
    assert said == [
        f"taking over the lock on device EV-1 held by pid {dead} on host {guard.this_host()} "
        "since 2026-12-06 10:00:00 UTC, which is no longer running"
    ]
    with database.session() as s:
        row = s.scalars(select(DeviceLock)).one()
        assert (row.pid, row.token) == (guard.os.getpid(), lease.token)
    lease.release()


def test_a_lock_from_another_host_is_taken_only_when_asked(database: Database, device: str) -> None:
    _plant(database, host="lab-7", pid=4242)
    with pytest.raises(UsageError) as refused:
        guard.acquire(database, device, take_over=False, notice=print)
    assert str(refused.value) == (
        "device EV-1 is being ingested by pid 4242 on host lab-7 since 2026-12-06 10:00:00 UTC; "
        "this host cannot tell whether it still runs: if it stopped, run again with --take-over"
    )
    said: list[str] = []
    lease = guard.acquire(database, device, take_over=True, notice=said.append)
    assert said == [
        "taking over the lock on device EV-1 held by pid 4242 on host lab-7 since "
        "2026-12-06 10:00:00 UTC, from another host, as --take-over asks"
    ]
    lease.release()


def test_a_live_holder_on_this_host_is_never_taken_over(database: Database, device: str) -> None:
    busy = pytest.raises(UsageError, match="wait for it to finish or stop it")
    with guard.held(database, device, take_over=False, notice=print), busy:
        guard.acquire(database, device, take_over=True, notice=print)
    with database.session() as s:
        assert s.scalars(select(DeviceLock)).all() == []


def test_a_holder_releases_only_its_own_lock(database: Database, device: str) -> None:
    first = guard.acquire(database, device, take_over=False, notice=print)
    with database.session() as s:  # as if its process had died and another took over
        s.execute(guard.delete(DeviceLock))
    second = guard.acquire(database, device, take_over=False, notice=print)
    first.release()
    with database.session() as s:
        assert s.scalars(select(DeviceLock.token)).one() == second.token
    second.release()


def test_list_jobs_says_how_an_unfinished_job_stands(database: Database, device: str) -> None:
    with database.session() as s:
        for status in ("complete", "interrupted", "running", "running", "running"):
            s.add(IngestJob(device_id=1, source_path="/ev", source_kind="folder", status=status))
    _plant(database, host=guard.this_host(), pid=_dead_pid(), job_id=3)
    with database.session() as s:
        states = [job.state for job in guard.list_jobs(s, device)]
        holders = [job.holder for job in guard.list_jobs(s)]
    assert states == [
        "complete",
        "interrupted",
        "stopped (its process is gone: resume it)",
        "stopped (no process holds it: resume it)",
        "stopped (no process holds it: resume it)",
    ]
    assert holders[2] is not None and holders[2].endswith("since 2026-12-06 10:00:00 UTC (job 3)")
    with database.session() as s:
        s.execute(guard.update(DeviceLock).values(host="lab-7", job_id=4))
        assert [job.state for job in guard.list_jobs(s)][3] == "running on lab-7"
        s.execute(guard.update(DeviceLock).values(host=guard.this_host(), pid=guard.os.getpid()))
        assert [job.state for job in guard.list_jobs(s)][3] == "running"


def test_a_live_pid_that_is_another_process_now_is_not_the_holder(
    database: Database, device: str
) -> None:
    """After a reboot the holder's pid may name some other process: its boot and start
    time tell them apart."""
    import os

    if guard.process_identity(os.getpid()) is None:
        pytest.skip("no /proc to read a process's start time from")
    with database.session() as s:
        s.add(
            DeviceLock(
                device_id=1,
                host=guard.this_host(),
                pid=os.getpid(),
                process="another-boot/12345",
                token="t0",
            )
        )
    said: list[str] = []
    guard.acquire(database, device, take_over=False, notice=said.append).release()
    assert len(said) == 1 and said[0].endswith(", which is no longer running")
    with guard.held(database, device, take_over=False, notice=print) as lease:
        with database.session() as s:
            holder = guard.lock_holder(s, lease.device_id)
        assert holder is not None and holder.process == guard.process_identity(os.getpid())
        assert not holder.gone
