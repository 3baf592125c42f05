"""What the demo tests share: the session run's record, and logging in to its workspace.

Kept beside the conftest (which runs the demo) under a name no other test folder uses,
since tests/demo is not a package: its test modules import one another by name.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

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


def read_until_served(proc: subprocess.Popen[str], deadline: float) -> str:
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


def try_server(url: str, password: str) -> dict[str, int]:
    for _ in range(100):  # uvicorn binds just after the lines are printed
        try:
            page, logged = _live_login(url, password)
            _page, wrong = _live_login(url, password + "x")
            return {"login_page": page, "login": logged, "wrong_password": wrong}
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")
