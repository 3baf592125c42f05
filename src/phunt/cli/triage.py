"""``phunt hash`` and ``phunt scan``: triage on scene, no case needed.

Exit status of ``scan`` follows clamscan: 0 nothing matched, 1 matches found, 2 an
error (a file that could not be read, a bad list). Matches win over errors: an officer
must never miss a "found" because some other file was unreadable.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    check_workers,
    print_json_lines,
    use_triage_scratch,
)
from phunt.cli.limits import (
    MaxDepthOpt,
    MaxExpandedOpt,
    MaxHighRatioOpt,
    MaxListingCpuOpt,
    MaxScratchOpt,
    expand_limits,
)
from phunt.hashing import kinds
from phunt.safe_text import printable

PathsArg = Annotated[list[str], typer.Argument(help="Files, folders or containers to read.")]
ExpandOpt = Annotated[
    bool,
    typer.Option(
        "--expand/--no-expand",
        help="Open containers and list their files (--no-expand: hash them whole).",
    ),
]
PdqOpt = Annotated[
    bool,
    typer.Option(
        "--pdq/--no-pdq",
        help="PDQ of pictures, vPDQ of videos (--no-pdq: digests and type only, least memory).",
    ),
]
FastOpt = Annotated[
    bool, typer.Option("--fast", help="PDQ from reduced-size JPEG luminance (a few bits off).")
]
WorkersOpt = Annotated[int, typer.Option(help="Worker processes (1: all work in this process).")]
ThresholdOpt = Annotated[
    int | None,
    typer.Option(help=f"PDQ match distance, inclusive (default {kinds.pdq_threshold()})."),
]
QualityOpt = Annotated[
    int | None,
    typer.Option(
        "--pdq-quality-min",
        help=(
            "Pictures below this PDQ quality are not near-matched "
            f"(default {kinds.pdq_quality_min()})."
        ),
    ),
]


def hash_command(
    paths: PathsArg,
    fast: FastOpt = False,
    pdq: PdqOpt = True,
    expand: ExpandOpt = True,
    workers: WorkersOpt = 1,
    max_depth: MaxDepthOpt = None,
    max_expanded: MaxExpandedOpt = None,
    max_high_ratio: MaxHighRatioOpt = None,
    max_scratch: MaxScratchOpt = None,
    max_listing_cpu: MaxListingCpuOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash every file (MD5, SHA-1, SHA-256, PDQ for pictures) and type it by content."""
    from phunt.ingest.triage import hash_sources

    errors = 0
    mode = None if not pdq else ("fast" if fast else "default")
    check_workers(workers)
    use_triage_scratch()
    limits = expand_limits(max_depth, max_expanded, max_high_ratio, max_scratch, max_listing_cpu)
    results = hash_sources(paths, pdq_mode=mode, expand=expand, workers=workers, limits=limits)
    for result in results:
        if result.error is not None:
            errors += 1
            if not as_json:
                sys.stderr.write(f"{printable(result.path)}: {printable(str(result.error))}\n")
        if as_json:
            print_json_lines([result.as_json()])
        elif result.md5 is not None:
            shown = f"  pdq={result.pdq.hash.hex}" if result.pdq is not None else ""
            print(
                f"{result.sha256}  {result.md5}  {result.sha1}  "
                f"{result.size}  {result.mime}  {printable(result.path)}{shown}"
            )
    if errors:
        raise typer.Exit(2)


def scan_command(
    paths: PathsArg,
    hashlist: Annotated[
        list[str] | None, typer.Option("--hashlist", help="A hash-list file; repeatable.")
    ] = None,
    hashset: Annotated[
        list[str] | None, typer.Option("--hashset", help="An imported hash set; repeatable.")
    ] = None,
    list_format: Annotated[
        str | None, typer.Option("--format", help="Format of --hashlist files (default: detect).")
    ] = None,
    category_scheme: Annotated[
        str | None, typer.Option(help="vics-us-2.0, dhs-legacy or uk-caid, if a list is silent.")
    ] = None,
    hash_kind: Annotated[
        str | None, typer.Option(help="Kind of 64-hex lines in plain --hashlist files (pdq).")
    ] = None,
    pdq_threshold: ThresholdOpt = None,
    pdq_quality: QualityOpt = None,
    dihedral: Annotated[
        bool, typer.Option("--dihedral/--no-dihedral", help="Match rotated and mirrored copies.")
    ] = True,
    fast: FastOpt = False,
    pdq: PdqOpt = True,
    expand: ExpandOpt = True,
    workers: WorkersOpt = 1,
    max_depth: MaxDepthOpt = None,
    max_expanded: MaxExpandedOpt = None,
    max_high_ratio: MaxHighRatioOpt = None,
    max_scratch: MaxScratchOpt = None,
    max_listing_cpu: MaxListingCpuOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash every file and report those on the given hash lists or hash sets."""
    from phunt.errors import UsageError

    # The options are checked before the matching and hashing code is imported: a
    # mistake is answered at once.
    check_workers(workers)
    use_triage_scratch(home)
    limits = expand_limits(max_depth, max_expanded, max_high_ratio, max_scratch, max_listing_cpu)
    if not hashlist and not hashset:
        raise UsageError("give at least one --hashlist FILE or --hashset NAME")
    threshold = pdq_threshold if pdq_threshold is not None else kinds.pdq_threshold()
    quality = pdq_quality if pdq_quality is not None else kinds.pdq_quality_min()
    if not 0 <= threshold <= 256:
        raise UsageError("--pdq-threshold must be within 0..256")
    from phunt.ingest.scan import scan_sources
    from phunt.ingest.triage import Match, ScanSummary
    from phunt.matching.spec import EngineSpec, ListFile, engine_for

    files = tuple(
        ListFile.of(path, fmt=list_format, scheme=category_scheme, hash_kind=hash_kind)
        for path in hashlist or []
    )
    if hashset:  # an SQLite file needs no SQLAlchemy for this (hashset_spec.engine_spec_at)
        from phunt.cli.common import settings
        from phunt.hashset_spec import engine_spec_at

        url = settings(home, db).database_url
        spec = engine_spec_at(
            url, hashset, files=files, pdq_threshold=threshold, pdq_quality_min=quality
        )
    else:
        spec = EngineSpec(files, pdq_threshold=threshold, pdq_quality_min=quality)
    if workers <= 1:  # the engine this process will use; a bad list stops here
        engine_for(spec)
    summary = ScanSummary()
    mode = None if not pdq else ("fast" if fast else "default")
    items = scan_sources(
        paths,
        spec,
        summary,
        pdq_mode=mode,
        dihedral=dihedral,
        expand=expand,
        workers=workers,
        limits=limits,
    )
    for item in items:
        if isinstance(item, Match):
            if as_json:
                print_json_lines([item.as_json()])
            else:
                print(
                    f"MATCH {printable(item.path)}  [{item.kind} on {printable(str(item.list))}, "
                    f"entry {printable(str(item.entry))}, "
                    f"distance {item.distance}, category {item.category}]"
                )
        elif item.error is not None:
            if as_json:
                print_json_lines([{"type": "error", "path": item.path, "error": item.error}])
            else:
                sys.stderr.write(f"{printable(item.path)}: {printable(str(item.error))}\n")
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
