"""``phunt export``: a case's or a device's findings as data for other tools.

Each command writes one file and ``<file>.manifest.json`` (its SHA-256 and what it was
made from), refuses to replace either without ``--force``, and is audited. The command
line acts for the operator, who sees every case.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from phunt.cli.common import DbOpt, HomeOpt, JsonOpt, print_json, refuse_protected, session_for

if TYPE_CHECKING:
    from phunt.exports.manifest import ExportResult

app = typer.Typer(
    help="Export findings: VICS 2.0 of a case, CSV of matches, CASE/UCO JSON-LD of a device.",
    no_args_is_help=True,
)

OutOpt = Annotated[Path, typer.Option("-o", "--out", help="File to write.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


def _say(result: ExportResult, what: str, as_json: bool) -> None:
    from phunt.safe_text import printable

    if as_json:
        print_json(result.as_dict())
        return
    print(f"{result.entries} {what} written to {printable(str(result.path))}")
    print(f"sha256 {result.sha256}; manifest {printable(str(result.manifest))}")


@app.command("vics")
def vics_command(
    case: Annotated[int, typer.Option(help="Case id.")],
    out: OutOpt,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The case's categorised media (lists' categories and review decisions) as VICS 2.0."""
    from phunt.exports.vics import export_vics

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        result = export_vics(session, case, out, force=force)
    _say(result, "media", as_json)


@app.command("matches")
def matches_command(
    out: OutOpt,
    case: Annotated[int | None, typer.Option(help="Case id.")] = None,
    device: Annotated[str | None, typer.Option(help="Device id or evidence number.")] = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every match of a case or of a device as CSV (one row per match)."""
    from phunt.exports.matches_csv import export_matches

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        result = export_matches(session, out, case_id=case, device=device, force=force)
    _say(result, "matches", as_json)


@app.command("case-uco")
def case_uco_command(
    device: Annotated[str, typer.Option(help="Device id or evidence number.")],
    out: OutOpt,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The device's files, hashes, custody and ingests as CASE/UCO JSON-LD."""
    from phunt.exports.case_uco import export_case_uco

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        result = export_case_uco(session, device, out, force=force)
    _say(result, "files", as_json)


@app.command("verify")
def verify_command(
    export: Annotated[Path, typer.Argument(metavar="FILE", help="An export phunt wrote.")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check an export against its manifest, the audit log and the database; exit 1
    naming what no longer holds."""
    import sys

    from phunt.exports.verify import verify_export
    from phunt.safe_text import printable

    with session_for(home, db) as (session, _cfg):
        result = verify_export(session, export)
    name = printable(str(export))
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        print(f"{name}: matches its manifest, the audit log and the database")
    else:
        sys.stderr.write(f"{name}: does NOT match\n")
        for problem in result.problems:
            sys.stderr.write(f"  {printable(problem)}\n")
    if not result.ok:
        raise typer.Exit(1)
