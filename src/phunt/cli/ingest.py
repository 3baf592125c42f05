"""``phunt ingest``: store every file of a source for a device, matched against hash sets."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    check_at_least_one,
    check_workers,
    print_json,
    settings,
)
from phunt.cli.limits import (
    MaxDepthOpt,
    MaxExpandedOpt,
    MaxHighRatioOpt,
    MaxScratchOpt,
    expand_limits,
)

if TYPE_CHECKING:
    from phunt.ingest.job import IngestSummary


def ingest_command(
    source: Annotated[str, typer.Argument(help="Folder, archive, disk image or extraction.")],
    device: Annotated[str, typer.Option(help="Device id or evidence number.")],
    workers: Annotated[
        int, typer.Option(help="Local worker processes (default: one per core).")
    ] = 0,
    cluster: Annotated[
        str | None, typer.Option(help="Dask scheduler, e.g. tcp://lab-1:8786.")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Finish an interrupted ingest of this source.")
    ] = False,
    fast: Annotated[
        bool, typer.Option("--fast", help="Fast PDQ (reduced-size JPEG decode).")
    ] = False,
    pdq: Annotated[
        bool,
        typer.Option("--pdq/--no-pdq", help="PDQ, vPDQ, EXIF (--no-pdq: digests and type only)."),
    ] = True,
    expand: Annotated[
        bool, typer.Option("--expand/--no-expand", help="Open archives and images found inside.")
    ] = True,
    batch: Annotated[int, typer.Option(help="Files stored per transaction.")] = 200,
    max_depth: MaxDepthOpt = None,
    max_expanded: MaxExpandedOpt = None,
    max_high_ratio: MaxHighRatioOpt = None,
    max_scratch: MaxScratchOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash, type, PDQ and match every file of SOURCE and store it for the device."""
    from phunt.ingest.job import ingest
    from phunt.ingest.pipeline import default_workers
    from phunt.schema.db import Database

    check_workers(workers, zero_means_default=True)
    check_at_least_one("--batch", batch)
    cfg = settings(home, db)
    database = Database(cfg.database_url)
    n = workers or (1 if cluster else default_workers())
    show_progress = not as_json and sys.stderr.isatty()
    mode = None if not pdq else ("fast" if fast else "default")
    run = functools.partial(
        ingest,
        database,
        source,
        device,
        workers=n,
        cluster=cluster,
        resume=resume,
        pdq_mode=mode,
        expand=expand,
        batch_size=batch,
        limits=expand_limits(max_depth, max_expanded, max_high_ratio, max_scratch),
    )
    try:
        summary = _with_progress(run, source) if show_progress else run()
    finally:
        database.close()
    if as_json:
        print_json(summary.as_dict())
    else:
        print(
            f"ingest {summary.job} of {summary.source} for {summary.device}: "
            f"{summary.files} files, {summary.bytes} bytes, "
            f"{summary.matched_files} matched, {summary.errors} errors"
        )
        print(f"source sha256 {summary.source_sha256}; manifest sha256 {summary.manifest_sha256}")
        ewf = summary.verification.get("ewf")
        if ewf:
            print(f"E01 acquisition hash: {'verified' if ewf.get('ok') else 'NOT verified'} {ewf}")


def _estimate_bytes(source: str) -> int | None:
    """Total size to expect, for the ETA: the files of a folder, or the container's size."""
    import os

    if os.path.isfile(source):
        return os.path.getsize(source)
    total = 0
    for root, _dirs, files in os.walk(source):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def _with_progress(run: Callable[..., IngestSummary], source: str) -> IngestSummary:
    """``run`` the ingest under a Rich progress bar: files, bytes, files/s and time left."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[files]} files"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[rate]:.0f} files/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("ingesting", total=_estimate_bytes(source), files=0, rate=0.0)

        def update(files: int, size: int) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, completed=size, files=files, rate=files / elapsed)

        return run(progress=update)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
