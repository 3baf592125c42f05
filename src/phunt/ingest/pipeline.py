"""Running the per-file work: in this process, in a local process pool, or on Dask.

The work itself is :mod:`phunt.ingest.stages` (a profile's stages, matching included);
this module only carries it. Tasks are plain data (a path to read, or the bytes of a
member of a container), so the same function runs on any worker. They travel in batches
(``BATCH_FILES`` files or ``BATCH_BYTES`` bytes, whichever comes first): sent one by one,
the coordinator spent as much CPU handing files over as a worker spent hashing them.
Results come back in the order the source listed its files, with a bounded number in
flight, which keeps memory flat and lets the coordinator store files in sequence.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from phunt.ingest.stages import Processed, Profile, process_batch, process_entry, read_up_to
from phunt.sources.base import Entry, FileTimes

__all__ = ["Processed", "Profile", "Runner", "Task", "default_workers", "make_task", "process"]

ProfileLike = Profile | str | None
"""A profile, or a bare PDQ mode standing for the ingest profile with no lists."""

#: Container members up to this size are read by the coordinator and shipped to workers;
#: larger ones are hashed by the coordinator itself, streaming, to bound memory.
SHIP_LIMIT = 32 << 20
#: A batch for a worker closes at this many files...
BATCH_FILES = 32
#: ...or once its files' listed sizes reach this, so a big file travels alone.
BATCH_BYTES = 8 << 20
#: Batches in flight per worker. Generous, because results are kept in order: while one
#: worker hashes a 100 MB file at the head, the others work through what follows it.
WINDOW_PER_WORKER = 16
#: Container members travel as bytes; at most this many bytes of them are in flight (plus
#: the batch being sent), which keeps the memory of a disk-image ingest flat.
WINDOW_DATA_BYTES = 64 << 20


@dataclass(frozen=True)
class Task:
    """One file to process: ``local_path`` to read, or ``data`` already read."""

    seq: int
    path: str
    size: int | None
    times: FileTimes
    deleted: bool
    error: str | None
    warnings: tuple[str, ...]
    name_problem: str | None
    local_path: str | None = None
    data: bytes | None = None

    def entry(self) -> Entry:
        data = self.data
        opener = None if data is None else (lambda: io.BytesIO(data))
        return Entry(
            path=self.path,
            size=self.size,
            times=self.times,
            deleted=self.deleted,
            error=self.error,
            warnings=list(self.warnings),
            name_problem=self.name_problem,
            local_path=self.local_path,
            opener=opener,
        )


def _fields(seq: int, entry: Entry) -> dict[str, Any]:
    return dict(
        seq=seq,
        path=entry.path,
        size=entry.size,
        times=entry.times,
        deleted=entry.deleted,
        error=entry.error,
        warnings=tuple(entry.warnings),
        name_problem=entry.name_problem,
    )


def local_task(seq: int, entry: Entry) -> tuple[Task, Entry]:
    """A task whose entry stays in this process (a run with no workers reads it directly)."""
    return Task(**_fields(seq, entry)), entry


def make_task(seq: int, entry: Entry) -> tuple[Task, Entry | None]:
    """A shippable task for ``entry``; the entry is returned too when it must stay local."""
    base = _fields(seq, entry)
    if entry.error is not None or entry.local_path is not None:
        return Task(**base, local_path=entry.local_path), None
    if entry.size is not None and entry.size <= SHIP_LIMIT:
        try:
            with entry.open() as fh:
                data = read_up_to(fh, SHIP_LIMIT + 1, expected=entry.size)
        except OSError as exc:
            failed = dict(base, error=f"cannot read: {exc.strerror or exc}")
            return Task(**failed), None
        if len(data) <= SHIP_LIMIT:
            return Task(**base, data=data), None
    return Task(**base), entry


def as_profile(profile: ProfileLike) -> Profile:
    """``profile`` itself, or the ingest profile (no lists) of a bare PDQ mode."""
    return profile if isinstance(profile, Profile) else Profile.ingest(profile)


def process(task: Task, profile: ProfileLike = "default", entry: Entry | None = None) -> Processed:
    """Run the profile's stages on one task (or on ``entry``, kept local); never raises for a
    bad file. ``profile`` None is the crypto-only ingest: digests and type, no decoding."""
    target = entry if entry is not None else task.entry()
    return process_entry(task.seq, target, as_profile(profile))


def run_tasks(tasks: list[Task], profile: Profile) -> list[Processed]:
    """What a worker runs for one batch: the tasks' entries through the stages, in order."""
    return process_batch([(task.seq, task.entry()) for task in tasks], profile)


class Runner:
    """Submits tasks somewhere and hands back results in submission order."""

    def __init__(self, workers: int = 1, cluster: str | None = None) -> None:
        self.workers = max(1, workers)
        self.cluster = cluster
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        if cluster is not None:
            from distributed import Client

            self._client = Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]
            self.workers = max(1, sum(self._client.nthreads().values()))
        elif self.workers > 1:
            self._pool = ProcessPoolExecutor(self.workers)

    @property
    def pooled(self) -> bool:
        """Whether files go to other processes (else they are worked on here, in order)."""
        return self._pool is not None or self._client is not None

    def _submit(self, batch: list[Task], profile: Profile) -> Any:
        if self._client is not None:
            return self._client.submit(run_tasks, batch, profile, pure=False)
        assert self._pool is not None
        return self._pool.submit(run_tasks, batch, profile)

    def run(
        self, items: Iterable[tuple[Task, Entry | None]], profile: ProfileLike
    ) -> Iterator[Processed]:
        """Process ``items`` and yield results in order, a bounded number in flight."""
        profile = as_profile(profile)
        if not self.pooled:
            for task, local_entry in items:
                yield process(task, profile, local_entry)
            return
        window: deque[tuple[Any, int]] = deque()  # (future, bytes shipped with it)
        data_in_flight = 0
        batch: list[Task] = []
        batch_bytes = 0

        def send() -> None:
            nonlocal batch, batch_bytes, data_in_flight
            shipped = sum(len(task.data) for task in batch if task.data is not None)
            window.append((self._submit(batch, profile), shipped))
            data_in_flight += shipped
            batch, batch_bytes = [], 0

        def oldest() -> list[Processed]:
            nonlocal data_in_flight
            future, shipped = window.popleft()
            data_in_flight -= shipped
            done: list[Processed] = future.result()
            return done

        for task, local_entry in items:
            if local_entry is not None:  # too large to ship: hash it here, in order
                if batch:
                    send()
                while window:
                    yield from oldest()
                yield process(task, profile, local_entry)
                continue
            batch.append(task)
            batch_bytes += max(task.size or 0, len(task.data or b""))
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                send()
                while window and (
                    len(window) >= WINDOW_PER_WORKER * self.workers
                    or data_in_flight > WINDOW_DATA_BYTES
                ):
                    yield from oldest()
        if batch:
            send()
        while window:
            yield from oldest()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


ProgressFn = Callable[[int, int], None]
