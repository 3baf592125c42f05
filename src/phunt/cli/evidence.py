"""``phunt files`` and ``phunt matches``: what ingest stored for a device."""

from __future__ import annotations

from typing import Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_rows,
    session_for,
)

DeviceOpt = Annotated[str, typer.Option(help="Device id or evidence number.")]


def files_command(
    device: DeviceOpt,
    matched: Annotated[bool, typer.Option("--matched", help="Only files with a match.")] = False,
    deleted: Annotated[bool, typer.Option("--deleted", help="Only deleted files.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="Only files with an error.")] = False,
    limit: Annotated[int, typer.Option(help="At most N files (0: all).")] = 0,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the files ingested for a device, in the order the source listed them."""
    from phunt.ingest.store import list_files
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [
            as_dict(f, cfg.timezone)
            for f in list_files(
                session, device, matched=matched, deleted=deleted, errors=errors, limit=limit
            )
        ]
    print_rows(
        f"Files of {device}",
        rows,
        [
            ("id", "id"),  # what review set and review history take
            ("seq", "seq"),
            ("path", "path"),
            ("size", "size"),
            ("mime", "mime"),
            ("app", "app"),
            ("deleted", "deleted"),
            ("error", "error"),
        ],
        as_json,
    )


def matches_command(
    device: DeviceOpt, home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """List every match on a device's files, with list, version, entry and distance."""
    from phunt.ingest.store import list_matches

    with session_for(home, db, read_only=True) as (session, _cfg):
        rows = list_matches(session, device)
    print_rows(
        f"Matches on {device}",
        rows,
        [
            ("path", "path"),
            ("hash set", "hash_set"),
            ("version", "version"),
            ("entry", "entry"),
            ("kind", "kind"),
            ("distance", "distance"),
            ("category", "category"),
        ],
        as_json,
    )


def register(app: typer.Typer) -> None:
    app.command("files")(files_command)
    app.command("matches")(matches_command)
