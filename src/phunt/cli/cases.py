"""``phunt case`` and ``phunt suspect``."""

from __future__ import annotations

from typing import Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    parse_time,
    print_json,
    print_rows,
    session_for,
    split_list,
)
from phunt.safe_text import printable

case_app = typer.Typer(help="Cases (FIRs) and their statutes.", no_args_is_help=True)
suspect_app = typer.Typer(help="Suspects named in cases, and arrests.", no_args_is_help=True)


@case_app.command("open")
def case_open(
    number: Annotated[str, typer.Option(help="Case / FIR number.")],
    station: Annotated[str, typer.Option(help="Police station or unit that registered it.")],
    district: Annotated[str, typer.Option(help="District id or name.")],
    statute: Annotated[
        list[str] | None, typer.Option(help="Repeat or comma-separate: 'IT Act s.67B'.")
    ] = None,
    operation: Annotated[str | None, typer.Option(help="Operation id or name.")] = None,
    raid: Annotated[int | None, typer.Option(help="Raid id.")] = None,
    opened: Annotated[str | None, typer.Option(help="ISO 8601 time (default now).")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a case."""
    from phunt.cases.case_files import open_case
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        case = open_case(
            session,
            number,
            station,
            district,
            split_list(statute),
            operation=operation,
            raid_id=raid,
            opened_at=parse_time(opened, cfg) if opened else None,
        )
        out = as_dict(case, cfg.timezone)
    opened = f"case {out['id']} opened: {printable(number)} ({printable(station)})"
    print_json(out) if as_json else print(opened)


@case_app.command("list")
def case_list(
    operation: Annotated[str | None, typer.Option(help="Only this operation.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List cases."""
    from phunt.cases.case_files import list_cases
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [
            as_dict(c, cfg.timezone) | {"district": c.district.name}
            for c in list_cases(session, operation)
        ]
    print_rows(
        "Cases",
        rows,
        [
            ("id", "id"),
            ("number", "number"),
            ("station", "station"),
            ("district", "district"),
            ("statutes", "statutes"),
            ("opened", "opened_at"),
        ],
        as_json,
    )


@suspect_app.command("add")
def suspect_add(
    case: Annotated[int, typer.Option(help="Case id.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    alias: Annotated[list[str] | None, typer.Option(help="Repeatable.")] = None,
    phone: Annotated[list[str] | None, typer.Option(help="Repeatable; stored as E.164.")] = None,
    handle: Annotated[list[str] | None, typer.Option(help="Messaging handle, repeatable.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Name a suspect in a case."""
    from phunt.cases.case_files import add_suspect
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        suspect = add_suspect(
            session,
            case,
            name,
            aliases=split_list(alias),
            phones=split_list(phone),
            handles=split_list(handle),
        )
        out = as_dict(suspect, cfg.timezone)
    print_json(out) if as_json else print(f"suspect {out['id']} added: {printable(out['name'])}")


@suspect_app.command("arrest")
def suspect_arrest(
    suspect: Annotated[int, typer.Argument(help="Suspect id.")],
    at: Annotated[str | None, typer.Option(help="ISO 8601 time (default now).")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the arrest of a suspect."""
    from phunt.cases.case_files import arrest_suspect
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        out = as_dict(arrest_suspect(session, suspect, parse_time(at, cfg)), cfg.timezone)
    print_json(out) if as_json else print(f"suspect {suspect} arrested at {out['arrested_at']}")


@suspect_app.command("list")
def suspect_list(
    case: Annotated[int | None, typer.Option(help="Only this case.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List suspects."""
    from phunt.cases.case_files import list_suspects
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [as_dict(s, cfg.timezone) for s in list_suspects(session, case)]
    print_rows(
        "Suspects",
        rows,
        [
            ("id", "id"),
            ("case", "case_id"),
            ("name", "name"),
            ("phones", "phones"),
            ("arrested", "arrested_at"),
        ],
        as_json,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
    app.add_typer(suspect_app, name="suspect")
