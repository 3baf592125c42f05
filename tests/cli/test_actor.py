"""Deliver 4: who the audit log names for a command-line change.

The operating-system user, read from the system's account database (not ``USER``,
``LOGNAME`` or the ``PHUNT_ACTOR`` that once let anyone write any name), or a phunt
account named with ``phunt --as NAME``, which must sign in with that account's password.
"""

from __future__ import annotations

from sqlalchemy import select

from phunt.os_user import os_user
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from test_lib import run_phunt

PASSWORD = "harbour kite meadow"
FORGED = {"PHUNT_ACTOR": "someone.else", "USER": "someone.else", "LOGNAME": "someone.else"}


def _records(db_url: str) -> list[tuple[str, str, str]]:
    db = Database(db_url)
    try:
        with db.session() as s:
            rows = s.scalars(select(AuditRecord).order_by(AuditRecord.seq))
            return [(r.action, r.actor, str(r.details.get("address", ""))) for r in rows]
    finally:
        db.close()


def test_the_actor_is_the_os_user_whatever_the_environment_says(db_url: str) -> None:
    assert run_phunt("init", "--db", db_url).returncode == 0
    made = run_phunt("operation", "create", "P-Hunt", "--db", db_url, env=FORGED)
    assert made.returncode == 0, made.stderr
    assert _records(db_url) == [("operation.create", os_user(), "")]
    assert os_user() != "someone.else"


def test_as_needs_the_accounts_password(db_url: str) -> None:
    where = ["--db", db_url]
    assert run_phunt("init", *where).returncode == 0
    added = run_phunt("user", "add", "devika", "--role", "supervisor", "--password-stdin",
                      *where, stdin=PASSWORD)  # fmt: skip
    assert added.returncode == 0, added.stderr
    wrong = run_phunt("--as", "devika", "operation", "create", "A", *where, stdin="guess\n")
    assert wrong.returncode == 2 and "operation" not in wrong.stdout
    unknown = run_phunt("--as", "nobody", "operation", "create", "A", *where, stdin=PASSWORD)
    assert unknown.returncode == 2
    right = run_phunt("--as", "devika", "operation", "create", "B", *where, stdin=PASSWORD)
    assert right.returncode == 0, right.stderr
    reading = run_phunt("--as", "devika", "operation", "list", "--json", *where, stdin="")
    assert reading.returncode == 0 and '"name": "B"' in reading.stdout
    me = os_user()
    assert _records(db_url) == [
        ("user.add", me, ""),
        ("login.failed", "anonymous", f"cli:{me}"),
        ("login.failed", "anonymous", f"cli:{me}"),
        ("login", "devika", f"cli:{me}"),
        ("operation.create", "devika", ""),
    ]


def test_a_disabled_account_cannot_be_acted_as(db_url: str) -> None:
    where = ["--db", db_url]
    assert run_phunt("init", *where).returncode == 0
    run_phunt("user", "add", "arun", "--role", "analyst", "--password-stdin", *where,
              stdin=PASSWORD)  # fmt: skip
    assert run_phunt("user", "disable", "arun", *where).returncode == 0
    refused = run_phunt("--as", "arun", "operation", "create", "C", *where, stdin=PASSWORD)
    assert refused.returncode == 2
    assert [a for a, _, _ in _records(db_url)][-1] == "login.failed"
