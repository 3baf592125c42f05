"""Entry point of the ``phunt`` command: assembles the command groups.

A command's module is imported only when that command runs (or ``--help`` lists them
all): ``phunt ingest`` imports no chat, hash-set or case commands, and the ingest
coordinator's start-up CPU is part of what its workers wait for.

User mistakes print one line on stderr and exit 2; only genuine bugs show a traceback.

Typer coerces every option through a pydantic ``TypeAdapter`` built when the command
runs: importing pydantic and building ~20 adapters cost every ``phunt scan`` ~70 ms
before it did anything (and ``phunt version`` two thirds of its time).
:func:`plain_runtime_param` answers the plain cases (a string, digits for an int, a
flag's bool, a list of strings) itself and hands anything else to Typer's adapter, so
values and error messages stay Typer's own.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import TyperGroup
from typer.main import get_group

from phunt import __version__
from phunt.errors import PhuntError
from phunt.safe_text import printable

if TYPE_CHECKING:  # Typer carries its own copy of click
    from typer._click import Command, Context
    from typer.core import _TyperParameter

#: Decimal digits pydantic reads as the same int as ``int()`` does (no sign, underscores,
#: spaces or leading zeros: those go to Typer's adapter, which decides).
_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,17}")
#: The value did not take the plain path (None is a value).
_NOT_PLAIN = object()


def _plain_value(annotation: Any, value: Any) -> Any:
    """``value`` as Typer's adapter would coerce it, or ``_NOT_PLAIN`` when unsure."""
    if annotation is str and isinstance(value, str):
        return value
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int:
        if type(value) is int:
            return value
        if isinstance(value, str) and _PLAIN_INT.fullmatch(value):
            return int(value)
    plain_list = annotation == list[str] and isinstance(value, list | tuple)
    if plain_list and all(isinstance(item, str) for item in value):
        return list(value)
    return _NOT_PLAIN


@dataclass(frozen=True)
class PlainRuntimeParam(RuntimeParam):
    """A parameter coerced without pydantic when its value is plain (see the module)."""

    descriptor: TypeDescriptor = field(kw_only=True)
    _typer: list[RuntimeParam] = field(default_factory=list, kw_only=True)

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        plain = _plain_value(self.annotation, value)
        if plain is not _NOT_PLAIN:
            return plain
        if not self._typer:
            self._typer.append(build_runtime_param(self.descriptor))
        return self._typer[0]._coerce_value(value, param=param, ctx=ctx)


def plain_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    """Typer's runtime parameter, deferred to the first value that is not plain; the plain
    path is taken only for the four annotations it knows, without parser or bounds."""
    info = descriptor.parameter_info
    plain_kind = descriptor.annotation in (str, int, bool) or descriptor.annotation == list[str]
    plain_info = info.parser is None and info.min is None and info.max is None and not info.clamp
    if not (plain_kind and plain_info and descriptor.file_annotation is None):
        return build_runtime_param(descriptor)
    return PlainRuntimeParam(
        parameter_info=info, annotation=descriptor.annotation, descriptor=descriptor
    )


typer.core.build_runtime_param = plain_runtime_param  # type: ignore[attr-defined]

#: Every top-level command or group, in the order ``phunt --help`` lists them, with the
#: module of ``phunt.cli`` that adds it: through its ``register(app)``, or, for a module
#: holding one group as ``app``, under the command's name.
COMMANDS: dict[str, str] = {
    "init": "operations",
    "stats": "operations",
    "serve": "serve",
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
    "leads": "leads",
    "case": "cases",
    "suspect": "cases",
    "device": "devices",
    "custody": "devices",
    "chats": "chats",
    "graph": "chats",
    "hashset": "hashsets",
    "review": "review",
    "report": "report",
    "export": "export",
    "audit": "audit",
    "backup": "backup",
    "restore": "backup",
    "user": "users",
    "demo": "demo",
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
def _root(
    account: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Record changes under this phunt account (its password is asked for); "
            "default: the operating-system user.",
            metavar="NAME",
        ),
    ] = None,
) -> None:
    # A callback also makes Typer build a group though "version" is its only own command.
    from phunt.cli.common import request_account

    request_account(account)


@app.command("version")
def version() -> None:
    """Print phunt's version."""
    print(__version__)


def main() -> None:
    """Run the CLI, turning phunt's own errors into one clear line and exit status 2."""
    try:
        app()
    except PhuntError as exc:
        # Messages name files from the evidence: escaped, one line per error.
        sys.stderr.write(f"phunt: error: {printable(str(exc))}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("phunt: interrupted\n")
        sys.exit(130)
