"""``phunt audit``: read and verify the hash-chained audit log."""

from __future__ import annotations

import sys

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    print_json_lines,
    print_table,
    session_for,
)

app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check the whole chain; exit 1 and name the first bad record if it was tampered with."""
    from phunt.audit.store import verify as verify_chain

    with session_for(home, db, read_only=True) as (session, _cfg):
        verdict = verify_chain(session)
    if as_json:
        print_json(verdict.as_dict())
    elif verdict.ok:
        print(f"audit log intact: {verdict.records} records")
    else:
        sys.stderr.write(
            f"audit log BROKEN at record {verdict.first_bad}: "
            f"{verdict.problem} ({verdict.detail})\n"
        )
    if not verdict.ok:
        raise typer.Exit(1)


@app.command("log")
def show_log(
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    limit: int = typer.Option(0, help="Show only the newest N records (0: all)."),
) -> None:
    """List audit records, oldest first."""
    from phunt.audit.store import list_records
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        records = list_records(session, limit)
        if as_json:
            print_json_lines(as_dict(r) for r in records)
            return
        rows = [
            (
                r.seq,
                r.at.astimezone(cfg.timezone).strftime("%Y-%m-%d %H:%M:%S"),
                r.actor,
                r.action,
                f"{r.object_type} {r.object_id}",
                r.hash[:16],
            )
            for r in records
        ]
    print_table("Audit log", ["#", "time", "actor", "action", "object", "hash"], rows)
