"""``phunt backup`` and ``phunt restore``: the whole database in one signed file."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from phunt.cli.common import DbOpt, HomeOpt, JsonOpt, print_json, session_for, settings

if TYPE_CHECKING:
    from phunt.backup.service import Summary

KeyOpt = Annotated[
    Path | None,
    typer.Option("--key", help="The audit key (default: beside the data folder)."),
]


def _key_path(key: Path | None, home: str | None, db: str | None) -> Path:
    from phunt.audit.anchor import default_key_path

    return key if key is not None else default_key_path(settings(home, db).home)


def _say(summary: Summary, verb: str, as_json: bool) -> None:
    from phunt.safe_text import printable

    if as_json:
        print_json(asdict(summary))
        return
    print(
        f"{summary.rows} rows of {summary.tables} tables, {summary.set_files} set files and "
        f"{summary.audit_records} audit records {verb} {printable(summary.path)}"
    )
    print(f"sha256 {summary.file_sha256}; manifest sha256 {summary.manifest_sha256}")
    if summary.scope:
        print(printable(summary.scope))


def backup_command(
    out: Annotated[Path, typer.Option("-o", "--out", help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    case: Annotated[
        int | None,
        typer.Option("--case", help="Back up only this case (its id) and its audit records."),
    ] = None,
    key: KeyOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the whole database (every case, the whole audit log, the set files), or
    one case with the audit records that concern it, signed with the audit key."""
    from phunt.backup.service import write_backup

    key_path = _key_path(key, home, db)
    with session_for(home, db) as (session, _cfg):
        summary = write_backup(session, out, key_path, force=force, case_id=case)
    _say(summary, "written to", as_json)


def restore_command(
    backup: Annotated[Path, typer.Argument(help="A file written by phunt backup.")],
    key: KeyOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Restore a backup into an empty database (made by phunt init), once its signature
    and every part's SHA-256 are checked."""
    from phunt.backup.service import restore

    key_path = _key_path(key, home, db)
    with session_for(home, db) as (session, _cfg):
        summary = restore(session, backup, key_path)
    _say(summary, "restored from", as_json)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
