"""``phunt demo --serve``: the web workspace over the demo's data, on this machine only.

A demo account is made with a fresh random password, printed once and stored nowhere
but as its hash: whoever ran the demo can log in, nobody else can guess it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from rich.console import Console

from phunt.accounts.store import add_user
from phunt.demo.home import database_url
from phunt.errors import UsageError
from phunt.schema.db import Database

DEMO_USER = "demo"
#: The role that sees the whole operation (dashboard, every case, review, reports).
DEMO_ROLE = "supervisor"
HOST = "127.0.0.1"


def demo_account(home: Path) -> str:
    """Add the demo account to the demo's database and return its one-time password."""
    password = secrets.token_urlsafe(12)
    db = Database(database_url(home), create=False)
    try:
        with db.session() as s:
            add_user(s, DEMO_USER, DEMO_ROLE, password)
    finally:
        db.close()
    return password


def serve(home: Path, port: int, console: Console) -> None:
    """Serve the workspace on 127.0.0.1 until Ctrl-C, after printing how to log in."""
    import uvicorn

    if not 0 < port < 65536:
        raise UsageError(f"--port must be within 1..65535, not {port}")
    password = demo_account(home)
    # The app is built by the factory ``phunt serve`` uses (the demo sits below the web
    # layer): it reads the data folder and database from the environment.
    os.environ["PHUNT_HOME"] = str(home)
    os.environ["PHUNT_DATABASE_URL"] = database_url(home)
    os.environ["PHUNT_SECURE_COOKIES"] = "0"
    console.print(f"Web workspace: http://{HOST}:{port}/  (Ctrl-C stops it)")
    console.print(f"Log in as [bold]{DEMO_USER}[/bold] with the one-time password: {password}")
    uvicorn.run(
        "phunt.web.app:from_environment", factory=True, host=HOST, port=port,
        log_level="warning", server_header=False, proxy_headers=False,
    )  # fmt: skip
