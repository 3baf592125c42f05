"""The demo run once per session, as ``make demo`` runs it, with ``--serve`` at its end.

``phunt demo --size small --serve`` runs in a child process: its printed summary, the
data folder it made and the one-time password it printed are what the tests check. The
web workspace is tried while it runs (its URL answers, the password logs in), then
Ctrl-C stops it, and the tests find its exit status.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from demo_session import SEED, DemoRun, free_port, read_until_served, try_server


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    home = tmp_path_factory.mktemp("demo") / "home"
    port = free_port()
    env = {**os.environ, "COLUMNS": "220", "PYTHONUNBUFFERED": "1"}
    args = ["demo", "--out", str(home), "--size", "small", "--seed", str(SEED)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "phunt", *args, "--serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        stdout = read_until_served(proc, time.monotonic() + 600)
        url = re.search(r"http://127\.0\.0\.1:\d+/", stdout)
        password = re.search(r"one-time password: (\S+)", stdout)
        assert url is not None and password is not None, stdout
        run = DemoRun(
            home, stdout, url.group(0), password.group(1),
            json.loads((home / "planted.json").read_text()),
        )  # fmt: skip
        run.served = try_server(run.url, run.password)
        proc.send_signal(signal.SIGINT)
        run.exit_code = proc.wait(timeout=60)
        yield run
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
