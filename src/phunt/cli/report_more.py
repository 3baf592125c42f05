"""``phunt report certificate``, ``report operation`` and ``report takedown``.

These join the ``phunt report`` group: ``cli/report.py`` (the group's own module) calls
:func:`add_commands`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phunt.cli.common import DbOpt, HomeOpt, parse_time, refuse_protected, session_for

OutOpt = Annotated[Path, typer.Option("-o", "--out", help="File to write (.pdf or .html).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing report.")]


def _written(manifest_path: Path, sha256: str) -> None:
    print(f"{manifest_path}: sha256 {sha256}")


def certificate(
    device: Annotated[str, typer.Argument(help="Device id or evidence number.")],
    out: OutOpt,
    expert: Annotated[
        str | None, typer.Option(help="User whose profile fills Part B (else left blank).")
    ] = None,
    record: Annotated[
        list[Path] | None,
        typer.Option("--record", help="A produced record to certify (its hashes are stated)."),
    ] = None,
    signed_at: Annotated[
        str | None, typer.Option(help="Date and time of signing (ISO; else left blank).")
    ] = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """The section 63 certificate (BSA 2023) of a device: Part B pre-filled, the hash report
    enclosed, Part A with the device's particulars; any field phunt cannot know is blank."""
    from phunt.reports.certificate import write_certificate

    with session_for(home, db) as (session, cfg):
        refuse_protected(out)
        at = parse_time(signed_at, cfg) if signed_at is not None else None
        manifest = write_certificate(
            session, device, out, expert=expert, records=record or [], signed_at=at, force=force
        )
    _written(out, manifest.output_sha256)


def operation(
    operation_ref: Annotated[str, typer.Argument(metavar="OPERATION", help="Id or name.")],
    out: OutOpt,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """An operation's figures by district, charts, and totals as a press note states them."""
    from phunt.reports.operation import write_operation

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        manifest = write_operation(session, operation_ref, out, force=force)
    _written(out, manifest.output_sha256)


def takedown(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write into.")],
    operation: Annotated[str | None, typer.Option(help="Operation id or name.")] = None,
    case: Annotated[int | None, typer.Option(help="Case id.")] = None,
    officer: Annotated[
        str | None, typer.Option(help="User whose profile signs the letters (else blank).")
    ] = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Takedown requests for the groups found sharing listed files: takedown.csv for the
    platforms' portals and a letter per platform (takedown-telegram.pdf, -whatsapp.pdf)."""
    from phunt.reports.takedown_requests import write_takedown

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out / "takedown.csv")
        if not out.exists() and out.parent.is_dir():
            out.mkdir()  # its own folder, as the help says; a missing parent stays an error
        manifests = write_takedown(
            session, out, case=case, operation=operation, officer=officer, force=force
        )
    for manifest in manifests:
        _written(out / manifest.output, manifest.output_sha256)


def add_commands(group: typer.Typer) -> None:
    """Add these commands to the ``phunt report`` group."""
    group.command("certificate")(certificate)
    group.command("operation")(operation)
    group.command("takedown")(takedown)
