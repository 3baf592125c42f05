"""``phunt ingest``: store every file of a source for a device, matched against hash sets."""

from __future__ import annotations

import functools
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from phunt.cli.common import (
    DbOpt,
    HomeOpt,
    JsonOpt,
    actor_name,
    check_at_least_one,
    check_workers,
    print_json,
    print_rows,
    session_for,
    settings,
)
from phunt.cli.limits import (
    MaxDepthOpt,
    MaxExpandedOpt,
    MaxHighRatioOpt,
    MaxListingCpuOpt,
    MaxScratchOpt,
    expand_limits,
)
from phunt.safe_text import printable

#: Files stored per transaction (``phunt.ingest.job.BATCH``, not imported: the CLI loads
#: the ingest code only when it runs one; a test keeps the two equal).
BATCH = 1000

if TYPE_CHECKING:
    from phunt.ingest.job import IngestInterrupted, IngestSummary

#: Exit status after Ctrl-C, as a shell reports a process ended by SIGINT.
EXIT_INTERRUPTED = 130


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
    batch: Annotated[
        int,
        typer.Option(
            help="Files stored per transaction at most (one also closes at 256 MB); "
            "with --workers 2 or more, each worker stores its own batches of up to 32 files."
        ),
    ] = BATCH,
    again: Annotated[
        str | None,
        typer.Option(
            metavar="REASON",
            help="Ingest a source the device already holds again, and record why.",
        ),
    ] = None,
    take_over: Annotated[
        bool,
        typer.Option("--take-over", help="Take the device's lock from an ingest on another host."),
    ] = False,
    max_depth: MaxDepthOpt = None,
    max_expanded: MaxExpandedOpt = None,
    max_high_ratio: MaxHighRatioOpt = None,
    max_scratch: MaxScratchOpt = None,
    max_listing_cpu: MaxListingCpuOpt = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash, type, PDQ and match every file of SOURCE and store it for the device.

    One ingest at a time writes a device. Ctrl-C leaves the job interrupted and prints
    the command that resumes it.
    """
    from phunt.audit.store import acting_as
    from phunt.ingest.job import IngestInterrupted, ingest
    from phunt.ingest.pipeline import default_workers
    from phunt.review import groups as review_groups
    from phunt.schema.db import Database

    check_workers(workers, zero_means_default=True)
    check_at_least_one("--batch", batch)
    cfg = settings(home, db)
    cfg.check_source(source)
    database = Database(cfg.database_url, create=False)
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
        again=again,
        take_over=take_over,
        limits=expand_limits(max_depth, max_expanded, max_high_ratio, max_scratch, max_listing_cpu),
        should_stop=_deferred_ctrl_c(),
    )
    try:
        with database.session() as session:
            actor = actor_name(session, write=True)
        with acting_as(actor):
            summary = _with_progress(run, source) if show_progress else run()
            with database.session() as s:  # the new files' near-duplicates, for the review queue
                review_groups.update_after_ingest(s, summary.job)
    except IngestInterrupted as stop:
        resume_cmd = _resume_command(source, device, workers, cluster, fast, pdq, expand, batch)
        sys.stderr.write(_interrupted_message(stop, device, resume_cmd, home, db))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        database.close()
    if as_json:
        print_json(summary.as_dict())
    else:
        print(
            f"ingest {summary.job} of {printable(summary.source)} for {printable(summary.device)}: "
            f"{summary.files} files, {summary.bytes} bytes, "
            f"{summary.matched_files} matched, {summary.errors} errors"
        )
        source = summary.source_sha256 or "none (a folder: each file's own digest is stored)"
        print(f"source sha256 {source}; manifest sha256 {summary.manifest_sha256}")
        ewf = summary.verification.get("ewf")
        if ewf:
            state = "verified" if ewf.get("ok") else "NOT verified"
            print(f"E01 acquisition hash: {state} {printable(str(ewf))}")


def _resume_command(
    source: str,
    device: str,
    workers: int,
    cluster: str | None,
    fast: bool,
    pdq: bool,
    expand: bool,
    batch: int,
) -> list[str]:
    """The command line that resumes this ingest with the options it ran with."""
    import os

    cmd = ["phunt", "ingest", os.path.abspath(source), "--device", device, "--resume"]
    if workers:
        cmd += ["--workers", str(workers)]
    if cluster:
        cmd += ["--cluster", cluster]
    cmd += ["--fast"] if fast else []
    cmd += [] if pdq else ["--no-pdq"]
    cmd += [] if expand else ["--no-expand"]
    if batch != BATCH:
        cmd += ["--batch", str(batch)]
    return cmd


def _interrupted_message(
    stop: IngestInterrupted, device: str, cmd: list[str], home: str | None, db: str | None
) -> str:
    """What Ctrl-C leaves behind and the exact command that finishes it."""
    where = (["--home", home] if home else []) + (["--db", db] if db else [])
    return (
        f"phunt: ingest job {stop.job} of {printable(stop.source)} for device "
        f"{printable(device)} interrupted "
        f"with {stop.files} files stored; it is left resumable.\n"
        f"phunt: resume it with: {printable(shlex.join(cmd + where))}\n"
    )


def jobs_command(
    device: Annotated[
        str | None, typer.Option(help="Only this device (id or evidence number).")
    ] = None,
    home: HomeOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List ingest jobs: complete, interrupted, running, or stopped with no process left."""
    from dataclasses import asdict

    from phunt.ingest.guard import list_jobs

    with session_for(home, db, read_only=True) as (session, cfg):
        rows = []
        for job in list_jobs(session, device):
            row = asdict(job)
            for key in ("started_at", "finished_at"):
                if row[key] is not None:
                    row[key] = row[key].astimezone(cfg.timezone).isoformat()
            rows.append(row)
    print_rows(
        "Ingest jobs",
        rows,
        [
            ("job", "id"),
            ("device", "device"),
            ("source", "source"),
            ("status", "state"),
            ("started", "started_at"),
            ("finished", "finished_at"),
            ("files", "files"),
            ("held by", "holder"),
        ],
        as_json,
    )


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


def _deferred_ctrl_c() -> Callable[[], bool]:
    """Make the first Ctrl-C a request the ingest honours between files (never inside a
    transaction), and a second one an immediate stop."""
    asked = threading.Event()

    def on_sigint(_signum: int, _frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()

    signal.signal(signal.SIGINT, on_sigint)
    return asked.is_set


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("jobs")(jobs_command)
