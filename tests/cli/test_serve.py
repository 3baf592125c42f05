"""``phunt serve`` as a user starts it: a child process on a free port, asked for /login."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from test_lib import run_phunt


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """The server's process; its exit status and stderr once stopped."""

    child: subprocess.Popen[str]
    returncode: int | None = None
    stderr: str = ""


@contextmanager
def serving(*args: str, url: str) -> Iterator[Served]:
    """``phunt serve ARGS`` until ``url`` answers; stopped as Ctrl-C would."""
    child = subprocess.Popen(
        [sys.executable, "-m", "phunt", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(url, verify=False, timeout=2)
                break
            except httpx2.TransportError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(child.communicate()[1]) from None
                time.sleep(0.2)
        served = Served(child)
        yield served
    finally:
        child.send_signal(signal.SIGINT)
        try:
            _out, err = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            _out, err = child.communicate()
    served.returncode, served.stderr = child.returncode, err


def test_serve_answers_the_login_page_and_stops(initialised_home: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/login"
    with serving("--port", str(port), "--home", str(initialised_home), url=url) as served:
        response = httpx2.get(url)
        assert response.status_code == 200 and 'name="password"' in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers
    assert served.returncode == 0
    assert "without TLS" not in served.stderr


def test_serve_needs_a_database_made_by_init(tmp_path: Path) -> None:
    missing = run_phunt("serve", "--home", str(tmp_path / "typo"))
    assert missing.returncode == 2 and "`phunt init` creates one" in missing.stderr
    assert not (tmp_path / "typo").exists()


def test_serve_warns_when_listening_beyond_this_machine_without_tls(
    tmp_path: Path, db_url: str
) -> None:
    port = _free_port()
    url = f"http://127.0.0.2:{port}/login"
    args = ("--host", "127.0.0.2", "--port", str(port), "--workers", "2", "--db", db_url)
    with serving(*args, url=url) as served:
        assert httpx2.get(url).status_code == 200
        assert httpx2.get(f"http://127.0.0.2:{port}/api/v1/openapi.json").status_code == 200
    warning = "phunt: warning: serving on 127.0.0.2 without TLS"
    assert served.stderr.count(warning) == 1 and served.returncode == 0


def test_serve_over_tls_marks_the_cookie_secure(tmp_path: Path, initialised_home: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip("openssl could not make a test certificate")
    port = _free_port()
    url = f"https://127.0.0.1:{port}/login"
    args = ("--port", str(port), "--home", str(initialised_home))
    with serving(*args, "--ssl-certfile", str(cert), "--ssl-keyfile", str(key), url=url):
        response = httpx2.get(url, verify=False)
        assert response.status_code == 200
        assert "secure" in response.headers["set-cookie"].lower()


def test_serve_usage_errors_are_one_line(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    lone = run_phunt("serve", "--home", home, "--ssl-certfile", "cert.pem")
    assert lone.returncode == 2
    assert lone.stderr == "phunt: error: --ssl-certfile and --ssl-keyfile go together\n"
    port = run_phunt("serve", "--home", home, "--port", "70000")
    assert (port.returncode, port.stderr.count("\n")) == (2, 1)
