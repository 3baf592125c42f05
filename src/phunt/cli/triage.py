"""``phunt hash`` and ``phunt scan``: triage on scene, no case needed.

Exit status of ``scan`` follows clamscan: 0 nothing matched, 1 matches found, 2 an
error (a file that could not be read, a bad list). Matches win over errors: an officer
must never miss a "found" because some other file was unreadable.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from phunt.cli.common import JsonOpt, print_json_lines

PathsArg = Annotated[list[str], typer.Argument(help="Files, folders or containers to read.")]


def hash_command(paths: PathsArg, as_json: JsonOpt = False) -> None:
    """Hash every file (MD5, SHA-1, SHA-256) and identify its type by content."""
    from phunt.ingest.triage import hash_sources

    errors = 0
    for result in hash_sources(paths):
        if result.error is not None:
            errors += 1
        if as_json:
            print_json_lines([result.as_json()])
        elif result.md5 is None:
            sys.stderr.write(f"{result.path}: {result.error}\n")
        else:
            if result.error is not None:
                sys.stderr.write(f"{result.path}: {result.error}\n")
            print(
                f"{result.sha256}  {result.md5}  {result.sha1}  "
                f"{result.size}  {result.mime}  {result.path}"
            )
    if errors:
        raise typer.Exit(2)


def scan_command(
    paths: PathsArg,
    hashlist: Annotated[
        list[str] | None, typer.Option("--hashlist", help="A hash-list file; repeatable.")
    ] = None,
    list_format: Annotated[
        str | None,
        typer.Option("--format", help="Format of the --hashlist files (default: detect)."),
    ] = None,
    category_scheme: Annotated[
        str | None,
        typer.Option(help="vics-us-2.0, dhs-legacy or uk-caid, when a list does not say."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash every file and report those on the given hash lists."""
    from phunt.errors import UsageError
    from phunt.ingest.scan import ListMatcher, scan_sources
    from phunt.ingest.triage import Match, ScanSummary

    if not hashlist:
        raise UsageError("give at least one --hashlist FILE")
    matcher = ListMatcher()
    for path in hashlist:
        matcher.add_file(path, fmt=list_format, scheme=category_scheme)
    summary = ScanSummary()
    for item in scan_sources(paths, matcher, summary):
        if isinstance(item, Match):
            if as_json:
                print_json_lines([item.as_json()])
            else:
                print(
                    f"MATCH {item.path}  [{item.kind} on {item.list}, "
                    f"entry {item.entry}, category {item.category}]"
                )
        elif item.error is not None:
            if as_json:
                print_json_lines([{"type": "error", "path": item.path, "error": item.error}])
            else:
                sys.stderr.write(f"{item.path}: {item.error}\n")
    totals = summary.as_json()
    if as_json:
        print_json_lines([totals])
    else:
        print(
            f"{totals['files']} files, {totals['bytes']} bytes, {totals['matched_files']} matched, "
            f"{totals['errors']} errors, {totals['elapsed_s']} s"
        )
    if summary.matched_files:
        raise typer.Exit(1)
    if summary.errors:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_command)
    app.command("scan")(scan_command)
