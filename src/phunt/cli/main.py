"""Entry point of the ``phunt`` command: assembles the command groups.

User mistakes print one line on stderr and exit 2; only genuine bugs show a traceback.
"""

from __future__ import annotations

import sys

import typer

from phunt import __version__
from phunt.cli import (
    audit,
    cases,
    chats,
    devices,
    evidence,
    hashsets,
    ingest,
    operations,
    triage,
)
from phunt.errors import PhuntError

app = typer.Typer(
    name="phunt",
    help="Triage seized devices against hash lists, map messaging groups, keep cases auditable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

operations.register(app)
cases.register(app)
devices.register(app)
triage.register(app)
ingest.register(app)
evidence.register(app)
chats.register(app)
app.add_typer(hashsets.app, name="hashset")
app.add_typer(audit.app, name="audit")


@app.command("version")
def version() -> None:
    """Print phunt's version."""
    print(__version__)


def main() -> None:
    """Run the CLI, turning phunt's own errors into one clear line and exit status 2."""
    try:
        app()
    except PhuntError as exc:
        sys.stderr.write(f"phunt: error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("phunt: interrupted\n")
        sys.exit(130)
