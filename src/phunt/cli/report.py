"""``phunt report``: court-ready reports written with their manifest, and their check.

Each report kind is a module of ``phunt.reports`` with ``build(session, options)``; the
commands here only name the subject and the output file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from phunt.cli import report_more
from phunt.cli.common import DbOpt, HomeOpt, JsonOpt, print_json, refuse_protected, session_for

app = typer.Typer(
    help="Court-ready reports (HTML or PDF) and their verification.", no_args_is_help=True
)

OutOpt = Annotated[
    Path, typer.Option("-o", "--out", help="The report to write: FILE.html or FILE.pdf.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the report and its manifest.")]


def write(
    kind: str, options: Mapping[str, Any], out: Path, force: bool, home: str | None, db: str | None
) -> None:
    """Build the ``kind`` report of ``options``, write it and its manifest, say where."""
    from phunt.reports.manifest import manifest_path
    from phunt.reports.render import write_report
    from phunt.reports.verify import builder

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        built = builder(kind)(session, options)
        manifest = write_report(
            built.html, out, inputs=built.inputs, kind=kind, session=session, force=force,
            options=built.options, labels=built.labels,
        )  # fmt: skip
    print(f"{out}: {manifest.output_bytes} bytes, SHA-256 {manifest.output_sha256}")
    print(f"{manifest_path(out)}: its manifest ({len(manifest.inputs)} inputs)")


@app.command("device")
def device(
    device_id: Annotated[str, typer.Argument(metavar="ID", help="Device id or evidence number.")],
    out: OutOpt,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a device's report: case, device, custody, sources, hash sets, matched files,
    chat findings, examiners, audit record."""
    from phunt.cases.devices import get_device

    with session_for(home, db) as (session, _cfg):
        refuse_protected(out)
        ident = get_device(session, device_id).id
    write("device", {"device_id": ident}, out, force, home, db)


@app.command("case")
def case(
    case_id: Annotated[int, typer.Argument(metavar="ID", help="Case id.")],
    out: OutOpt,
    force: ForceOpt = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a case's report: the case and every device of it as the device report has it."""
    write("case", {"case_id": case_id}, out, force, home, db)


@app.command("verify")
def verify(
    report: Annotated[Path, typer.Argument(metavar="FILE", help="A report phunt wrote.")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a report against its manifest and the database; exit 1 naming what changed."""
    from phunt.reports.verify import verify_report
    from phunt.safe_text import printable

    with session_for(home, db) as (session, _cfg):
        result = verify_report(report, session)
    if as_json:
        print_json(result.as_dict())
    elif result.ok:
        print(f"{report}: matches its manifest and the database (written at audit record "
              f"{result.written_at_record})")  # fmt: skip
    else:
        sys.stderr.write(f"{report}: does NOT match\n")
        for problem in result.problems:
            sys.stderr.write(f"  {printable(problem)}\n")  # names evidence paths
    if not result.ok:
        raise typer.Exit(1)


# certificate, operation and takedown live in report_more.py (one file per concern).
report_more.add_commands(app)
