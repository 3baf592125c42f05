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
        "--home", help="Data folder (default $PHUNT_HOME or ./phunt-data).", metavar="DIR"
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
    scratch area is chosen and cleared of dead processes' copies here."""
    from phunt import scratch
    from phunt.config import resolve

    cfg = resolve(home, db)
    scratch.use(str(cfg.scratch))
    return cfg


def use_triage_scratch(home: str | None = None) -> None:
    """Choose the scratch area of ``phunt hash`` and ``phunt scan``, which need no data
    folder: the data folder's when one is named (``--home``, ``PHUNT_HOME``) or the
    default one exists, else the user's cache folder (nothing made in the working folder)."""
    from phunt import scratch
    from phunt.config import DEFAULT_HOME, SCRATCH_NAME

    named = home or os.environ.get("PHUNT_HOME")
    if named or os.path.isdir(DEFAULT_HOME):
        scratch.use(os.path.join(named or DEFAULT_HOME, SCRATCH_NAME))
    else:
        scratch.use(scratch.user_area())


@contextmanager
def session_for(home: str | None, db: str | None) -> Iterator[tuple[Session, Settings]]:
    """Open the database (migrating it if needed) and yield a committing session."""
    from phunt.schema.db import Database

    cfg = settings(home, db)
    database = Database(cfg.database_url)
    try:
        with database.session() as session:
            yield session, cfg
    finally:
        database.close()


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

    table = Table(title=escape(title))
    for col in columns:
        table.add_column(escape(col))
    for row in rows:
        # Evidence text (file names, chat messages) may contain [brackets]: never markup.
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
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
