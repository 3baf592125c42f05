"""``phunt demo``: the synthetic operation, run end to end (what ``make demo`` runs)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from phunt.errors import PhuntError, UsageError
from phunt.safe_text import printable

SIZES = ("small", "full")


#: The summary's width when printed to a file or pipe: every table fits on one line a row.
DEMO_WIDTH = 132


def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo's data (recreated).", metavar="DIR")
    ] = Path("phunt-data/demo"),
    size: Annotated[
        str, typer.Option(help="small (every feature, fewer devices) or full (~24 devices).")
    ] = "full",
    seed: Annotated[int, typer.Option(help="Seed of the synthetic operation.")] = 2026,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the web workspace on 127.0.0.1.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Build a synthetic operation (invented, benign data) and run the whole pipeline on it:
    ingest, matching, chats, review, reports; then print what phunt found."""
    from rich.console import Console

    from phunt.demo.run import run
    from phunt.demo.summary import print_summary

    if size not in SIZES:
        raise UsageError(f"--size must be one of {', '.join(SIZES)}, not {size!r}")
    console = Console()
    if not console.is_terminal:  # piped or logged: Rich would assume 80 columns
        console = Console(width=DEMO_WIDTH)
    outcome = run(
        out, seed=seed, size="small" if size == "small" else "full",
        say=lambda text: console.print(f"[dim]{text}…[/dim]"),
    )  # fmt: skip
    print_summary(outcome, console)
    if serve:
        from phunt.demo.serve import serve as serve_workspace

        serve_workspace(outcome.home, port, console)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def main() -> None:
    """``python -m phunt.demo``: the command on its own, errors as one line."""
    standalone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    standalone.command()(demo)
    try:
        standalone()
    except PhuntError as exc:
        sys.stderr.write(f"phunt demo: error: {printable(str(exc))}\n")
        sys.exit(2)
