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
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

SEED = 7


@dataclass
class DemoRun:
    home: Path
    stdout: str
    url: str
    password: str
    planted: dict[str, Any]
    served: dict[str, int] = field(default_factory=dict)  # what the live server answered
    exit_code: int | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def login_form(page: str, name: str, password: str) -> dict[str, str]:
    """The login form's fields, its CSRF token taken from the page."""
    token = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert token is not None, "the login form carries its token"
    return {"name": name, "password": password, "csrf_token": token.group(1), "next": "/"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _live_login(url: str, password: str) -> tuple[int, int]:
    """The login page's status and the login's, against the running server."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )
    with opener.open(url + "login", timeout=10) as page:
        status, text = page.status, page.read().decode()
    data = urllib.parse.urlencode(login_form(text, "demo", password)).encode()
    try:
        with opener.open(url + "login", data=data, timeout=10) as answer:
            return status, answer.status
    except urllib.error.HTTPError as exc:  # a redirect (not followed) or a refusal
        return status, exc.code


def _read_until_served(proc: subprocess.Popen[str], deadline: float) -> str:
    assert proc.stdout is not None
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "one-time password" in line:
            return "".join(lines)
    proc.kill()
    raise AssertionError("phunt demo did not reach --serve:\n" + "".join(lines))


def _try_server(url: str, password: str) -> dict[str, int]:
    for _ in range(100):  # uvicorn binds just after the lines are printed
        try:
            page, logged = _live_login(url, password)
            _page, wrong = _live_login(url, password + "x")
            return {"login_page": page, "login": logged, "wrong_password": wrong}
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


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
        stdout = _read_until_served(proc, time.monotonic() + 600)
        url = re.search(r"http://127\.0\.0\.1:\d+/", stdout)
        password = re.search(r"one-time password: (\S+)", stdout)
        assert url is not None and password is not None, stdout
        run = DemoRun(
            home, stdout, url.group(0), password.group(1),
            json.loads((home / "planted.json").read_text()),
        )  # fmt: skip
        run.served = _try_server(run.url, run.password)
        proc.send_signal(signal.SIGINT)
        run.exit_code = proc.wait(timeout=60)
        yield run
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
