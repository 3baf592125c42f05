"""Options and helpers shared by every command.

Nothing heavy is imported here: ``phunt --help`` must answer at once, so database and
image libraries are imported inside the commands that use them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phunt.errors import UsageError

if TYPE_CHECKING:
    from phunt.config import Settings
    from phunt.schema.db import Session

HomeOpt = Annotated[
    str | None,
    typer.Option(
        "--home",
        help="Data folder (default $PHUNT_HOME or the user's data folder).",
        metavar="DIR",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default $PHUNT_DATABASE_URL or SQLite in the data folder)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings(home: str | None, db: str | None) -> Settings:
    """The run's settings; every command with a data folder comes through here, so its
    scratch area is chosen and cleared of dead processes' copies here, and the data
    folder and database are protected from every export (:mod:`phunt.output_path`)."""
    from phunt import output_path, scratch
    from phunt.config import resolve

    cfg = resolve(home, db)
    output_path.protect(*cfg.protected)
    scratch.use(str(cfg.scratch))
    return cfg


def use_triage_scratch(home: str | None = None) -> None:
    """Choose the scratch area of ``phunt hash`` and ``phunt scan``, which need no data
    folder: the data folder's when one is named (``--home``, ``PHUNT_HOME``) or the
    default one exists, else the user's cache folder (nothing made in the working folder)."""
    from phunt import scratch
    from phunt.config import SCRATCH_NAME, default_home

    named = home or os.environ.get("PHUNT_HOME")
    if named or os.path.isdir(default_home()):
        scratch.use(os.path.join(named or default_home(), SCRATCH_NAME))
    else:
        scratch.use(scratch.user_area())


@contextmanager
def session_for(
    home: str | None, db: str | None, *, read_only: bool = False, create: bool = False
) -> Iterator[tuple[Session, Settings]]:
    """Open the case database and yield a committing session.

    Only ``phunt init`` passes ``create``: any other command on a missing database is a
    clear error, never a new, empty case. A command that only reads passes
    ``read_only``: nothing is written (no migration, no WAL switch), so it works on a
    read-only data folder; one that writes brings an older schema up to date first.
    """
    from phunt.schema.db import Database

    cfg = settings(home, db)
    database = Database(cfg.database_url, create=create, read_only=read_only)
    try:
        with database.session() as session, acting_for(session, write=not read_only):
            yield session, cfg
    finally:
        database.close()


#: The phunt account named by ``phunt --as NAME`` for this run (see :func:`acting_for`).
_requested_account: list[str] = []


def request_account(name: str | None) -> None:
    """Remember ``phunt --as NAME``; it is checked when the database is opened."""
    _requested_account[:] = [] if name is None else [name]


def requested_account() -> str | None:
    """The account named by ``phunt --as NAME`` for this run, if any."""
    return _requested_account[0] if _requested_account else None


@contextmanager
def acting_for(session: Session, *, write: bool) -> Iterator[None]:
    """Record the block's changes under :func:`actor_name`."""
    from phunt.audit.store import acting_as

    with acting_as(actor_name(session, write=write)):
        yield


def actor_name(session: Session, *, write: bool) -> str:
    """Who the command's changes are recorded under: the operating-system user, or the
    phunt account named by ``--as``, which must sign in: the account exists and is
    enabled (an admin's decision: ``phunt user add`` / ``disable``) and its password is
    typed on the terminal, or given as the first line of standard input when there is
    none. The sign-in is audited with the OS user as its address and throttled like the
    web's. A reading command records nothing, so it asks for no password."""
    from phunt.os_user import os_user

    name = os_user()
    if not (_requested_account and write):
        return name
    from phunt.accounts.store import authenticate

    wanted = _requested_account[0]
    authenticate(session, wanted, _account_password(wanted), f"cli:{name}")
    return wanted


def _account_password(name: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    return getpass.getpass(f"Password of {name}: ")


#: Worker processes allowed per core, and in all: more only thrash (and thousands of
#: processes exhaust the machine long before they help).
WORKERS_PER_CORE = 4
MAX_WORKERS = 256


def check_workers(workers: int, *, zero_means_default: bool = False) -> int:
    """``workers`` when it is 1 to the maximum (0 too when it means "one per core");
    otherwise a :class:`UsageError` stating the range."""
    least = 0 if zero_means_default else 1
    if least <= workers <= WORKERS_PER_CORE:  # within range on any machine: no core count,
        return workers  # so no import of the pipeline (and its container libraries) for it
    from phunt.ingest.pipeline import default_workers

    most = min(MAX_WORKERS, WORKERS_PER_CORE * default_workers())
    if not least <= workers <= most:
        raise UsageError(
            f"--workers must be within {least}..{most} ({WORKERS_PER_CORE} per core, "
            f"at most {MAX_WORKERS}), not {workers}"
        )
    return workers


def check_at_least_one(option: str, value: int) -> int:
    """``value`` when it is 1 or more; otherwise a :class:`UsageError` naming ``option``."""
    if value < 1:
        raise UsageError(f"{option} must be 1 or more, not {value}")
    return value


def parse_time(text: str | None, cfg: Settings) -> datetime:
    """An ISO 8601 time; without a zone it is read in the unit's time zone. None means now."""
    from phunt.schema.types import utcnow

    if text is None:
        return utcnow()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"not an ISO 8601 date-time: {text!r} (e.g. 2026-11-28T06:30)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=cfg.timezone)
    return value


def print_json(obj: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def print_json_lines(objs: Iterable[Any]) -> None:
    for obj in objs:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Rich table; empty cells for None."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from phunt.safe_text import printable

    table = Table(title=escape(printable(title)))
    for col in columns:
        table.add_column(escape(printable(col)))
    for row in rows:
        # Evidence text (file names, chat messages) may contain [brackets]: never markup;
        # nor terminal escapes or line breaks that would forge lines (safe_text).
        table.add_row(*("" if v is None else escape(printable(str(v))) for v in row))
    Console().print(table)


def print_rows(
    title: str, rows: list[dict[str, Any]], columns: Sequence[tuple[str, str]], as_json: bool
) -> None:
    """Rows as JSON Lines, or as a table of ``(header, key)`` columns (lists joined by ";")."""
    if as_json:
        print_json_lines(rows)
        return

    def cell(value: Any) -> Any:
        return "; ".join(map(str, value)) if isinstance(value, list) else value

    headers = [header for header, _ in columns]
    print_table(title, headers, ([cell(r.get(key)) for _, key in columns] for r in rows))


def split_list(values: list[str] | None) -> list[str]:
    """Repeated options and comma-separated values, flattened."""
    out: list[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def refuse_protected(out: os.PathLike[str]) -> None:
    """Refuse an output file inside phunt's data folder or over its database (reports and
    exports write their own files atomically and refuse to overwrite without --force; this
    adds the data-folder rule of :mod:`phunt.output_path`). Call it inside
    ``session_for``, which registers the data folder."""
    from phunt import output_path

    output_path.check_target(out, force=True)
