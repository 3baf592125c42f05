"""``phunt audit``: read and verify the hash-chained audit log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    print_json_lines,
    print_table,
    session_for,
    settings,
)

app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)


#: What a chain whose head sits in the same database cannot show without an anchor.
UNCHECKED = (
    "not checked without --anchor: the whole log deleted with the rows it sealed, the tail "
    "cut with its head moved, every record rewritten with recomputed hashes"
)
KeyOpt = Annotated[
    Path | None,
    typer.Option("--key", help="The audit key (default: beside the data folder)."),
]

AnchorOpt = Annotated[
    Path | None,
    typer.Option("--anchor", help="A checkpoint written by phunt audit anchor, to check against."),
]
OutOpt = Annotated[Path, typer.Option("-o", "--out", help="Where to write the signed checkpoint.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


def _key_path(key: Path | None, home: str | None, db: str | None) -> Path:
    from phunt.audit.anchor import default_key_path

    return key if key is not None else default_key_path(settings(home, db).home)


@app.command("verify")
def verify(
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    anchor: AnchorOpt = None,
    key: KeyOpt = None,
) -> None:
    """Check the chain and every sealed row; exit 1 and name the first bad record or row."""
    from phunt.audit.anchor import check_against, read_anchor
    from phunt.audit.store import verify as verify_chain

    signed = read_anchor(anchor, _key_path(key, home, db)) if anchor is not None else None
    with session_for(home, db, read_only=True) as (session, _cfg):
        verdict = verify_chain(session)
        against = check_against(session, signed[0]) if signed is not None else None
    result = verdict.as_dict()
    if signed is not None:
        checkpoint, trusted = signed
        result["anchor"] = {
            "records": checkpoint.records,
            "head": checkpoint.head,
            "at": checkpoint.at.isoformat(),
            "key_id": checkpoint.key_id,
            "signature_checked_with": trusted,
            "ok": against is None,
            "problem": None if against is None else against[0],
            "detail": "" if against is None else against[1],
        }
    else:
        result["unchecked"] = UNCHECKED
    ok = verdict.ok and against is None
    result["ok"] = ok
    if as_json:
        print_json(result)
    else:
        _say(verdict, signed, against)
    if not ok:
        raise typer.Exit(1)


def _say(verdict: Any, signed: Any, against: tuple[str, str] | None) -> None:
    from phunt.safe_text import printable

    if verdict.ok:
        pending = f", {verdict.pending} rows of unfinished ingests not sealed yet"
        said = verdict.scope or f"audit log intact: {verdict.records} records"
        print(said + (pending if verdict.pending else ""))
    else:
        where = f"record {verdict.first_bad}" if verdict.first_bad is not None else "a row"
        sys.stderr.write(
            f"audit log BROKEN at {where}: {verdict.problem} ({printable(verdict.detail)})\n"
        )
    if signed is None:
        print(UNCHECKED)
    elif against is None:
        checkpoint, trusted = signed
        print(
            f"anchor holds: record {checkpoint.records} is the head signed at "
            f"{checkpoint.at.isoformat()} (key {checkpoint.key_id[:16]}, checked with {trusted})"
        )
    else:
        sys.stderr.write(f"anchor FAILS: {against[0]} ({printable(against[1])})\n")


key_app = typer.Typer(help="The Ed25519 key that signs checkpoints.", no_args_is_help=True)
app.add_typer(key_app, name="key")


@key_app.command("init")
def key_init(home: HomeOpt = None, db: DbOpt = None, key: KeyOpt = None) -> None:
    """Make the audit key (readable only by you); keep a copy of it somewhere safe."""
    from phunt.audit.anchor import init_key

    path = _key_path(key, home, db)
    ident = init_key(path)
    print(f"audit key {ident[:16]} written to {path} (mode 0600)")


@app.command("anchor")
def anchor_command(
    out: OutOpt,
    home: HomeOpt = None,
    db: DbOpt = None,
    key: KeyOpt = None,
    force: ForceOpt = False,
) -> None:
    """Sign the log's head into a checkpoint file; keep it outside the database."""
    from phunt.audit.anchor import write_anchor

    path = _key_path(key, home, db)
    with session_for(home, db) as (session, _cfg):
        checkpoint = write_anchor(session, path, out, force=force)
    print(
        f"checkpoint of {checkpoint.records} records (head {checkpoint.head[:16]}) "
        f"signed with key {checkpoint.key_id[:16]} into {out}"
    )


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
