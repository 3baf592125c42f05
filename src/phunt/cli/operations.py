"""``phunt init``, ``operation``, ``district``, ``raid`` and ``stats``."""

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
    print_table,
    session_for,
)
from phunt.safe_text import printable

operation_app = typer.Typer(help="Operations: statewide sweeps.", no_args_is_help=True)
district_app = typer.Typer(help="Districts (Kerala's 14 are preloaded).", no_args_is_help=True)
raid_app = typer.Typer(help="Raids of an operation.", no_args_is_help=True)


def init(home: HomeOpt = None, db: DbOpt = None) -> None:
    """Create the data folder and the database, or bring an existing one up to date (the
    one command that creates a database: the others refuse a missing one)."""
    from phunt.cli.common import settings
    from phunt.config import make_home
    from phunt.schema.db import current_revision
    from phunt.schema.url_check import mask

    make_home(settings(home, db).home)
    with session_for(home, db, create=True) as (session, cfg):
        revision = current_revision(session.get_bind().engine)
    print(f"phunt database ready at {mask(cfg.database_url)} (schema {revision})")


@operation_app.command("create")
def operation_create(
    name: str,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an operation."""
    from phunt.cases.operations import create_operation
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        op = create_operation(session, name, description)
        out = as_dict(op, cfg.timezone)
    created = f"operation {out['id']} created: {printable(out['name'])}"
    print_json(out) if as_json else print(created)


@operation_app.command("list")
def operation_list(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List operations."""
    from phunt.cases.operations import list_operations
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [as_dict(o, cfg.timezone) for o in list_operations(session)]
    print_rows(
        "Operations", rows, [("id", "id"), ("name", "name"), ("created", "created_at")], as_json
    )


@district_app.command("list")
def district_list(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List districts."""
    from phunt.cases.operations import list_districts
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, _cfg):
        rows = [as_dict(d) for d in list_districts(session)]
    print_rows("Districts", rows, [("id", "id"), ("name", "name"), ("state", "state")], as_json)


@district_app.command("add")
def district_add(
    name: str,
    state: Annotated[str, typer.Option(help="State or territory.")] = "Kerala",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a district."""
    from phunt.cases.operations import add_district
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, _cfg):
        out = as_dict(add_district(session, name, state))
    print_json(out) if as_json else print(f"district {out['id']} added: {printable(out['name'])}")


@raid_app.command("add")
def raid_add(
    operation: Annotated[str, typer.Option(help="Operation id or name.")],
    district: Annotated[str, typer.Option(help="District id or name.")],
    location: Annotated[str, typer.Option(help="Where the raid took place.")],
    team_lead: Annotated[str, typer.Option(help="Officer leading the team.")],
    at: Annotated[str | None, typer.Option(help="ISO 8601 time (default now).")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a raid."""
    from phunt.cases.operations import add_raid
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        raid = add_raid(session, operation, district, location, parse_time(at, cfg), team_lead)
        out = as_dict(raid, cfg.timezone)
    recorded = f"raid {out['id']} recorded at {printable(out['location'])}"
    print_json(out) if as_json else print(recorded)


@raid_app.command("list")
def raid_list(
    operation: Annotated[str | None, typer.Option(help="Only this operation.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List raids."""
    from phunt.cases.operations import list_raids
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        raids = list_raids(session, operation)
        rows = [as_dict(r, cfg.timezone) | {"district": r.district.name} for r in raids]
    print_rows(
        "Raids",
        rows,
        [
            ("id", "id"),
            ("operation", "operation_id"),
            ("district", "district"),
            ("location", "location"),
            ("time", "raided_at"),
            ("team lead", "team_lead"),
        ],
        as_json,
    )


def stats(
    operation: Annotated[str | None, typer.Option(help="Only this operation (id or name).")] = None,
    by: Annotated[str, typer.Option(help="Group figures by: district.")] = "district",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Raids, cases, arrests and devices per district and in total."""
    from phunt.cases.stats import operation_stats, totals
    from phunt.errors import UsageError

    if by != "district":
        raise UsageError(f"--by {by!r} is not supported (choose from: district)")
    with session_for(home, db, read_only=True) as (session, _cfg):
        rows = operation_stats(session, operation)
    total = totals(rows)
    if as_json:
        print_json({"by": by, "rows": [r.as_dict() for r in rows], "total": total.as_dict()})
        return
    cols = ["district", "raids", "cases", "arrests", "devices"]
    table = [(r.district, r.raids, r.cases, r.arrests, r.devices) for r in [*rows, total]]
    print_table("Figures by district", cols, table)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("stats")(stats)
    app.add_typer(operation_app, name="operation")
    app.add_typer(district_app, name="district")
    from phunt.cli.raids import add_commands  # raid plan, plans, outcome (issue 21)

    add_commands(raid_app)
    app.add_typer(raid_app, name="raid")
