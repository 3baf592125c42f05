"""``phunt serve``: the web workspace on this machine's database.

It binds 127.0.0.1 unless told otherwise, and says so when it is told to listen on the
network without TLS (passwords and session cookies would cross it in clear). With
``--ssl-certfile``/``--ssl-keyfile`` uvicorn serves HTTPS and the session cookie is
marked ``Secure``. Several workers are separate processes that each build the app from
the environment (:func:`phunt.web.app.from_environment`); the schema is migrated once
here first, so they never race to migrate it.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from phunt.cli.common import DbOpt, HomeOpt, check_workers, settings
from phunt.errors import UsageError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    ssl_certfile: Annotated[
        str | None, typer.Option(help="TLS certificate (PEM): serve HTTPS.", metavar="FILE")
    ] = None,
    ssl_keyfile: Annotated[
        str | None, typer.Option(help="TLS private key (PEM).", metavar="FILE")
    ] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the web workspace (pages and the JSON API under /api/v1)."""
    import uvicorn

    from phunt.schema.db import Database

    check_workers(workers)
    if not 0 < port < 65536:
        raise UsageError(f"--port must be within 1..65535, not {port}")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise UsageError("--ssl-certfile and --ssl-keyfile go together")
    tls = ssl_certfile is not None
    cfg = settings(home, db)
    Database(cfg.database_url, create=False).close()  # migrate once, before any worker opens it
    if host not in LOCAL_HOSTS and not tls:
        sys.stderr.write(
            f"phunt: warning: serving on {host} without TLS: passwords and session cookies "
            "cross the network in clear (use --ssl-certfile and --ssl-keyfile)\n"
        )
    os.environ["PHUNT_HOME"] = str(cfg.home)
    os.environ["PHUNT_DATABASE_URL"] = cfg.database_url
    os.environ["PHUNT_SECURE_COOKIES"] = "1" if tls else "0"
    uvicorn.run(
        "phunt.web.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        proxy_headers=False,  # served directly: a client's X-Forwarded-For is not its address
        server_header=False,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
