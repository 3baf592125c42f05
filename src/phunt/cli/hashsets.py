"""``phunt hashset``: import, inspect, govern, export and look up hash sets."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    print_json,
    print_json_lines,
    print_rows,
    print_table,
    session_for,
)
from phunt.errors import UsageError
from phunt.hashsets.vics_writer import VicsWriter
from phunt.hashsets.writers import WRITERS
from phunt.safe_text import printable

app = typer.Typer(
    help="Hash sets: import versions, diff, disable, export, lookup, verify, rebuild.",
    no_args_is_help=True,
)


@app.command("import")
def import_command(
    file: Annotated[str | None, typer.Argument(help="The hash-list file.")] = None,
    name: Annotated[
        str | None, typer.Option(help="Hash-set name; re-importing makes a new version.")
    ] = None,
    list_format: Annotated[
        str | None,
        typer.Option("--format", help="Reader (default: detect); 'list' names every reader."),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="known-bad, known-good or alert.")] = None,
    category_scheme: Annotated[
        str | None, typer.Option(help="vics-us-2.0, dhs-legacy or uk-caid.")
    ] = None,
    hash_kind: Annotated[
        str | None, typer.Option(help="Kind of 64-hex lines in plain lists (pdq).")
    ] = None,
    source_agency: Annotated[str, typer.Option(help="Who supplied the list.")] = "",
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a list file as the next version of a hash set."""
    from phunt.hashsets.detect import reader_summaries
    from phunt.hashsets.store import import_hash_list

    if list_format == "list":
        columns = [("format", "format"), ("list kind", "list_kind"), ("reads", "reads")]
        print_rows("Hash-list readers", reader_summaries(), columns, as_json)
        return
    if file is None or name is None:
        raise UsageError("give the hash-list file and --name (or --format list to see the readers)")
    with session_for(home, db) as (session, _cfg):
        result = import_hash_list(
            session,
            file,
            name=name,
            fmt=list_format,
            kind=kind,
            category_scheme=category_scheme,
            hash_kind=hash_kind,
            source_agency=source_agency,
        )
    if as_json:
        print_json(result.as_dict())
    else:
        print(
            f"{printable(result.hash_set)} version {result.version} ({result.kind}, "
            f"{result.format}): "
            f"{result.entries} entries, {result.added} added, {result.removed} removed"
        )


@app.command("list")
def list_command(home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List hash sets with their current version."""
    from phunt.hashsets.store import list_hash_sets, versions
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = []
        for hs in list_hash_sets(session):
            current = versions(session, hs)[-1] if hs.current_version else None
            rows.append(as_dict(hs, cfg.timezone) | {"entries": current.entries if current else 0})
    print_rows(
        "Hash sets",
        rows,
        [
            ("id", "id"),
            ("name", "name"),
            ("kind", "kind"),
            ("version", "current_version"),
            ("entries", "entries"),
            ("source", "source_agency"),
        ],
        as_json,
    )


@app.command("show")
def show_command(
    name: str, home: HomeOpt = None, db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """Show a hash set and the history of its versions."""
    from phunt.hashsets.store import get_hash_set, versions
    from phunt.schema.records import as_dict

    with session_for(home, db, read_only=True) as (session, cfg):
        hs = get_hash_set(session, name)
        out = as_dict(hs, cfg.timezone)
        out["versions"] = [as_dict(v, cfg.timezone) for v in versions(session, hs)]
    if as_json:
        print_json(out)
        return
    print(f"{printable(out['name'])} ({out['kind']}), current version {out['current_version']}")
    cols = ["version", "imported", "by", "file", "sha256", "entries", "added", "removed"]
    print_table(
        "Versions",
        cols,
        (
            (
                v["version"],
                v["imported_at"],
                v["imported_by"],
                v["file_name"],
                v["file_sha256"][:16],
                v["entries"],
                v["added"],
                v["removed"],
            )
            for v in out["versions"]
        ),
    )


@app.command("diff")
def diff_command(
    name: str,
    from_version: Annotated[
        int | None, typer.Option("--from", help="Default: previous version.")
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", help="Default: current version.")
    ] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entries added and removed between two versions."""
    from phunt.hashsets.store import diff, get_hash_set

    with session_for(home, db, read_only=True) as (session, _cfg):
        current = get_hash_set(session, name).current_version
        to_v = to_version if to_version is not None else current
        from_v = from_version if from_version is not None else max(1, to_v - 1)
        result = diff(session, name, from_v, to_v)
    if as_json:
        print_json(result.as_dict())
    else:
        print(
            f"{printable(name)}: version {from_v} -> {to_v}: "
            f"{len(result.added)} added, {len(result.removed)} removed"
        )


@app.command("disable")
def disable_command(
    name: str,
    entry: Annotated[str, typer.Argument(help="Entry id, or one of its hashes.")],
    reason: Annotated[str, typer.Option(help="Why it is a false positive.")],
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Disable an entry as a false positive (kept, audited, no longer matched)."""
    from phunt.hashsets.store import disable_entry
    from phunt.schema.records import as_dict

    with session_for(home, db) as (session, cfg):
        out = as_dict(disable_entry(session, name, entry, reason), cfg.timezone)
    print_json(out) if as_json else print(
        f"entry {out['entry']} of {printable(name)} disabled: {printable(reason)}"
    )


@app.command("export")
def export_command(
    name: str,
    out: Annotated[str, typer.Option("--out", help="File to write.")],
    export_format: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(WRITERS.names())}.")
    ] = VicsWriter.name,
    version: Annotated[int | None, typer.Option(help="Default: current.")] = None,
    form: Annotated[str, typer.Option(help="VICS form: hashset or case.")] = "hashset",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a version (without disabled entries) to share with another agency: never
    into the data folder, an existing file only with --force, into an existing folder."""
    from phunt.hashsets.store import export

    with session_for(home, db) as (session, _cfg):
        details = export(
            session, name, out, fmt=export_format, version=version, form=form, force=force
        )
    if as_json:
        print_json(details)
    else:
        print(
            f"wrote {details['entries']} entries to {printable(details['file'])} "
            f"(sha256 {details['sha256']})"
        )


@app.command("verify")
def verify_command(
    name: Annotated[str | None, typer.Argument(help="Hash set (default: every set).")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every version's set file (SHA-256 and structure); exit 1 if one is not whole."""
    from phunt.hashsets.store_repair import verify_files

    with session_for(home, db, read_only=True) as (session, _cfg):
        checks = verify_files(session, name)
    if as_json:
        print_json_lines(c.as_dict() for c in checks)
    else:
        for c in checks:
            state = "ok" if c.ok else printable(str(c.problem))
            print(f"{printable(c.hash_set)} version {c.version}: {state}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command("rebuild")
def rebuild_command(
    name: str,
    version: Annotated[int | None, typer.Option(help="Default: every version.")] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild missing or damaged set files from the lists they were imported from."""
    from phunt.hashsets.store_repair import rebuild

    with session_for(home, db) as (session, _cfg):
        checks = rebuild(session, name, version)
    if as_json:
        print_json_lines(c.as_dict() for c in checks)
        return
    for c in checks:
        state = "rebuilt" if c.rebuilt else "intact"
        print(f"{printable(c.hash_set)} version {c.version}: {state} ({c.index_sha256[:16]})")


@app.command("lookup")
def lookup_command(
    hashes: Annotated[list[str] | None, typer.Argument(help="Hashes; none: read stdin.")] = None,
    hashset: Annotated[
        list[str] | None, typer.Option("--hashset", help="Repeatable; default all.")
    ] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
) -> None:
    """Look hashes up, one JSON line per query (the index stays loaded for the stream,
    which is answered in batches; one query at a time for someone typing)."""
    from phunt.ingest.lookup import BATCH, Lookup

    with session_for(home, db, read_only=True) as (session, _cfg):
        service = Lookup.from_database(session, hashset or None)
    source = hashes if hashes else (line.strip() for line in sys.stdin)
    batch = 1 if not hashes and sys.stdin.isatty() else BATCH
    for answers in service.answer_batches((query for query in source if query), batch):
        print_json_lines(answers)
