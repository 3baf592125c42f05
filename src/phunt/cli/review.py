"""``phunt review``: categorisation work that needs no picture on screen.

Decisions are listed, set on stored files by id (a selection is several ids), propagated
to their copies across the operation after a preview, exported to share, and published
as the unit's local known-bad set, which then re-screens every device already ingested.
The command line acts for the operator (the OS user, or ``phunt --as``), who sees every
case; the web workspace limits the same services to a user's cases.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phunt.cli.common import DbOpt, HomeOpt, JsonOpt, print_json, print_rows, session_for
from phunt.errors import UsageError
from phunt.safe_text import printable

if TYPE_CHECKING:
    from phunt.config import Settings
    from phunt.review.decisions import Decision

app = typer.Typer(
    help="Review: categorise stored files, propagate to copies, share and re-screen.",
    no_args_is_help=True,
)

_COLUMNS = [
    ("id", "id"),
    ("file", "file_id"),
    ("device", "evidence_number"),
    ("path", "path"),
    ("category", "category"),
    ("label", "label"),
    ("by", "decided_by"),
    ("at", "decided_at"),
    ("from", "propagated_from_id"),
]


def _row(decision: Decision, cfg: Settings) -> dict[str, Any]:
    row = decision.as_dict()
    row["decided_at"] = decision.decided_at.astimezone(cfg.timezone).isoformat()
    return row


@app.command("list")
def list_command(
    device: Annotated[str | None, typer.Option(help="Device id or evidence number.")] = None,
    case: Annotated[int | None, typer.Option(help="Case id.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Replaced ones too.")] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the current decisions (of a device or a case), newest first."""
    from phunt.cases.devices import get_device
    from phunt.review.decisions import list_decisions

    with session_for(home, db, read_only=True) as (session, cfg):
        device_id = None if device is None else get_device(session, device).id
        found = list_decisions(
            session, device_id=device_id, case_id=case, include_superseded=history
        )
        rows = [_row(d, cfg) for d in found]
    print_rows("Review decisions", rows, _COLUMNS, as_json)


@app.command("history")
def history_command(
    file_id: Annotated[int, typer.Argument(help="Stored file id.")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every decision ever made on a file, oldest first (each change names the one it
    replaced)."""
    from phunt.review.decisions import history

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = [_row(d, cfg) for d in history(session, file_id)]
    print_rows(f"Decisions on file {file_id}", rows, [*_COLUMNS, ("note", "note")], as_json)


@app.command("set")
def set_command(
    file_ids: Annotated[list[int], typer.Argument(help="Stored file ids (a selection).")],
    category: Annotated[
        int | None, typer.Option(help="Category code (VICS 2.0: 0 not pertinent, 1-4).")
    ] = None,
    scheme: Annotated[str, typer.Option(help="The category's scheme.")] = "vics-us-2.0",
    label: Annotated[str | None, typer.Option(help="One of the unit's own labels.")] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the decision.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Record a category (or label) on files, replacing their current decision."""
    from phunt.review.decisions import Choice, decide

    with session_for(home, db) as (session, _cfg):
        ids = decide(session, file_ids, Choice(category, scheme, label, note))
    for file_id, decision_id in zip(dict.fromkeys(file_ids), ids, strict=True):
        print(f"file {file_id}: decision {decision_id}")


@app.command("propagate")
def propagate_command(
    decision_id: Annotated[int, typer.Argument(help="The decision to apply to the copies.")],
    yes: Annotated[bool, typer.Option("--yes", help="Apply without asking.")] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Say how many copies (same bytes or a near picture) on how many devices a decision
    would reach across its operation, then apply it to them."""
    from phunt.review.propagate import apply, preview

    with session_for(home, db) as (session, _cfg):
        seen = preview(session, decision_id)
        summary = seen.as_dict()
        del summary["file_ids"]
        if as_json:
            print_json(summary)
        else:
            print(
                f"decision {decision_id} reaches {len(seen.file_ids)} files ({seen.exact} "
                f"identical, {seen.near} near copies) on {seen.devices} devices in "
                f"{seen.cases} cases; {seen.replacing} have another decision now"
            )
        if not seen.file_ids:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("nothing applied: give --yes to apply without a terminal")
            if not typer.confirm("Apply it to them?"):
                print("nothing applied")
                return
        made = apply(session, decision_id)
    print(f"{len(made)} decisions recorded from decision {decision_id}")


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="vics or plain.")] = "vics",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the categorised decisions as VICS 2.0 or a plain known-bad list."""
    from phunt.review.export import export_decisions

    with session_for(home, db) as (session, _cfg):
        details = export_decisions(session, str(out), fmt=fmt, force=force)
    shown = printable(str(out))
    print(f"{details['entries']} entries written to {shown} (sha256 {details['sha256']})")


@app.command("local-set")
def local_set_command(
    name: Annotated[str, typer.Argument(help="The local known-bad set's name.")],
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Name the hash set that the unit's categorised files join (an admin's choice)."""
    from phunt.review.local_set import choose_local_set

    with session_for(home, db) as (session, _cfg):
        choose_local_set(session, name)
    print(f"categorised files join hash set {printable(repr(name))}")


@app.command("publish")
def publish_command(
    agency: Annotated[str, typer.Option(help="The unit, as the set's source.")] = "",
    rescreen: Annotated[
        bool, typer.Option("--rescreen/--no-rescreen", help="Re-screen ingested devices.")
    ] = True,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the local set's next version from the decisions, then re-screen every device
    already ingested against it from the stored hashes."""
    from phunt.review.local_set import publish
    from phunt.review.rescreen import rescreen as rescreen_devices

    with session_for(home, db) as (session, cfg):
        result = publish(session, cfg.home / "local-sets", agency=agency)
        found = rescreen_devices(session, result.hash_set) if rescreen else None
    if as_json:
        print_json({"set": result.as_dict(), "rescreen": found and found.as_dict()})
        return
    print(
        f"hash set {printable(repr(result.hash_set))} version {result.version}: "
        f"{result.entries} entries "
        f"({result.added} added, {result.removed} removed)"
    )
    if found is not None:
        print(
            f"re-screened the stored files against its {found.entries} entries: "
            f"{found.matches_added} matches added, {found.files_newly_matched} files newly "
            f"matched on {len(found.devices)} devices"
        )
