"""``phunt user`` as an administrator runs it, on both databases: passwords never on the
command line or on stdout, a token printed once and stored hashed, every change audited
with the person who ran the command."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

from sqlalchemy import select

from phunt.os_user import os_user
from phunt.schema.accounts import ApiToken, User
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from test_lib import run_phunt

PASSWORD = "harbour kite meadow"
#: The command line records the operating-system user (tests/cli/test_actor.py).
ACTOR = os_user()


def _phunt(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_phunt(*args, "--db", db_url, stdin=stdin)


def _add(db_url: str, name: str, role: str) -> subprocess.CompletedProcess[str]:
    return _phunt(db_url, "user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD)


def test_user_lifecycle(db_url: str) -> None:
    assert run_phunt("case", "open", "--number", "7/2026", "--station", "Cyber PS",
                     "--district", "Kollam", "--db", db_url).returncode == 0  # fmt: skip
    added = _add(db_url, "asha", "investigator")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "user 1 added: asha (investigator)\n"
    assert PASSWORD not in added.stdout + added.stderr

    assert _phunt(db_url, "user", "assign", "asha", "--case", "1").returncode == 0
    listed = _phunt(db_url, "user", "list", "--json")
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["name"], row["role"], row["cases"], row["disabled"]) == (
        "asha",
        "investigator",
        [1],
        False,
    )
    assert _phunt(db_url, "user", "unassign", "asha", "--case", "1").returncode == 0

    token = _phunt(db_url, "user", "token", "asha")
    assert token.returncode == 0 and token.stderr == ""
    value = token.stdout.removesuffix("\n")
    assert value.startswith("phunt_") and "\n" not in value and " " not in value

    assert _phunt(db_url, "user", "disable", "asha").returncode == 0
    table = _phunt(db_url, "user", "list")
    assert "asha" in table.stdout and "True" in table.stdout

    db = Database(db_url)
    try:
        with db.session() as s:
            (stored,) = s.scalars(select(ApiToken.token_sha256))
            assert stored == hashlib.sha256(value.encode()).hexdigest()
            user = s.scalar(select(User))
            assert user is not None and user.disabled
            assert PASSWORD not in user.password_hash
            records = list(s.scalars(select(AuditRecord).where(AuditRecord.object_type == "user")))
    finally:
        db.close()
    assert [(r.action, r.actor) for r in records] == [
        (action, ACTOR)
        for action in ("user.add", "user.assign", "user.unassign", "user.token", "user.disable")
    ]
    assert value not in str([r.details for r in records])


def test_mistakes_are_one_line_and_exit_2(db_url: str) -> None:
    short = _phunt(db_url, "user", "add", "ravi", "--role", "analyst", "--password-stdin",
                   stdin="too short")  # fmt: skip
    assert short.returncode == 2
    assert short.stderr == "phunt: error: a password needs at least 12 characters\n"
    role = _add(db_url, "ravi", "root")
    assert role.returncode == 2 and "no role 'root'" in role.stderr
    assert _add(db_url, "ravi", "analyst").returncode == 0
    again = _add(db_url, "Ravi", "analyst")
    assert again.returncode == 2 and "already exists" in again.stderr
    missing = _phunt(db_url, "user", "assign", "ravi", "--case", "5")
    assert missing.returncode == 2 and missing.stderr == "phunt: error: no case 5\n"
    nobody = _phunt(db_url, "user", "token", "nobody")
    assert nobody.returncode == 2 and nobody.stdout == ""


def test_no_terminal_and_no_password_stdin_is_refused(db_url: str) -> None:
    refused = _phunt(db_url, "user", "add", "ravi", "--role", "analyst", stdin="")
    assert refused.returncode == 2
    assert "use --password-stdin" in refused.stderr


def _on_terminal(db_url: str, typed: list[str]) -> tuple[int, str, str]:
    """Run ``user add`` with a pseudo-terminal as stdin and no controlling terminal (so
    getpass uses the pty, prompting on stderr), typing each of ``typed`` at its prompt."""
    import pty
    import select

    main, child = pty.openpty()
    command = [sys.executable, "-m", "phunt", "user", "add", "ravi", "--role", "analyst"]
    proc = subprocess.Popen(
        [*command, "--db", db_url],
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ,
        start_new_session=True,
    )
    os.close(child)
    assert proc.stderr is not None and proc.stdout is not None
    err = b""
    try:
        for n, line in enumerate(typed, start=1):
            deadline = time.monotonic() + 60
            while err.count(b"Password") < n:
                ready, _, _ = select.select([proc.stderr], [], [], deadline - time.monotonic())
                assert ready, f"no prompt {n} within a minute: {err!r}"
                err += os.read(proc.stderr.fileno(), 1024)
            os.write(main, line.encode() + b"\n")
        out, rest = proc.communicate(timeout=120)
        echoed = _drain(main)
    finally:
        proc.kill()
        os.close(main)
    return proc.returncode, out.decode(), (err + rest).decode() + echoed


def _drain(fd: int) -> str:
    """What the terminal showed (echo), read without blocking."""
    import select

    shown = b""
    while select.select([fd], [], [], 0)[0]:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child side is closed
            break
        if not chunk:
            break
        shown += chunk
    return shown.decode(errors="replace")


def test_password_is_asked_twice_unechoed(db_url: str) -> None:
    code, out, err = _on_terminal(db_url, [PASSWORD, PASSWORD])
    assert code == 0, err
    assert out == "user 1 added: ravi (analyst)\n"
    assert PASSWORD not in out + err  # not echoed


def test_two_different_passwords_are_refused(db_url: str) -> None:
    code, out, err = _on_terminal(db_url, [PASSWORD, PASSWORD + "x"])
    assert code == 2 and out == ""
    assert "the two passwords differ" in err
