"""Entry point of the ``phunt`` command: assembles the command groups.

A command's module is imported only when that command runs (or ``--help`` lists them
all): ``phunt ingest`` imports no chat, hash-set or case commands, and the ingest
coordinator's start-up CPU is part of what its workers wait for.

User mistakes print one line on stderr and exit 2; only genuine bugs show a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup
from typer.main import get_group

from phunt import __version__
from phunt.errors import PhuntError

if TYPE_CHECKING:  # Typer carries its own copy of click
    from typer._click import Command, Context

#: Every top-level command or group, in the order ``phunt --help`` lists them, with the
#: module of ``phunt.cli`` that adds it: through its ``register(app)``, or, for a module
#: holding one group as ``app``, under the command's name.
COMMANDS: dict[str, str] = {
    "init": "operations",
    "stats": "operations",
    "hash": "triage",
    "scan": "triage",
    "ingest": "ingest",
    "jobs": "ingest",
    "files": "evidence",
    "matches": "evidence",
    "people": "chats",
    "operation": "operations",
    "district": "operations",
    "raid": "operations",
    "case": "cases",
    "suspect": "cases",
    "device": "devices",
    "custody": "devices",
    "chats": "chats",
    "graph": "chats",
    "hashset": "hashsets",
    "audit": "audit",
}


def module_commands(module: str) -> dict[str, Command]:
    """The click commands that ``phunt.cli.<module>`` adds to the top level, by name."""
    found = importlib.import_module(f"phunt.cli.{module}")
    holder = typer.Typer()
    register = getattr(found, "register", None)
    if register is not None:
        register(holder)
    else:
        for name in [name for name, owner in COMMANDS.items() if owner == module]:
            holder.add_typer(found.app, name=name)
    return dict(get_group(holder).commands)


class LazyGroup(TyperGroup):
    """The top-level group: lists every command, imports a command's module on demand."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            for name, loaded in module_commands(COMMANDS[cmd_name]).items():
                self.commands.setdefault(name, loaded)
            command = self.commands.get(cmd_name)
        return command


app = typer.Typer(
    name="phunt",
    cls=LazyGroup,
    help="Triage seized devices against hash lists, map messaging groups, keep cases auditable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    # A callback makes Typer build a group even though "version" is its only own command.
    pass


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
