"""Running the per-file work: in this process, in a local process pool, or on Dask.

Work travels as entries: each carries a locator (plain data), and the worker opens the
file itself, from the evidence, through its own cache of open containers. Nothing is
read or hashed by the coordinator, which only walks the source and stores results.
Entries travel in batches (``BATCH_FILES`` files or ``BATCH_BYTES`` listed bytes,
whichever comes first): sent one by one, the coordinator spent as much CPU handing files
over as a worker spent hashing them. Results come back in the order the source listed its
files, with a bounded number in flight, which keeps memory flat and lets the coordinator
store files in sequence.

The runner is generic over the work: ``run(items, work, *args)`` calls
``work(batch, *args)`` on a worker, ``batch`` being a list of ``(seq, entry)``, and
expects one result per item back, in order. The per-file work itself is
:func:`phunt.ingest.stages.process_batch` (a profile's stages, matching included).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

from phunt.sources import expand  # noqa: F401 - registers the container sources
from phunt.sources.base import Entry
from phunt.sources.locator import close_thread_cache, set_scratch_dir

#: A batch for a worker closes at this many files...
BATCH_FILES = 32
#: ...or once its files' listed sizes reach this, so a big file travels alone.
BATCH_BYTES = 8 << 20
#: Batches in flight per worker. Generous, because results are kept in order: while one
#: worker hashes a 100 MB file at the head, the others work through what follows it.
WINDOW_PER_WORKER = 16

R = TypeVar("R")
T = TypeVar("T")
#: The work a runner runs: ``work(batch, *args)`` with one result per ``(seq, entry)``.
WorkFn = Callable[..., list[R]]


class Runner:
    """Runs work on batches of entries somewhere and hands back results in order."""

    def __init__(
        self, workers: int = 1, cluster: str | None = None, scratch: str | None = None
    ) -> None:
        """``scratch`` is where local workers spool nested containers (Dask workers use
        their own temporary folder: the path may not exist on their machines)."""
        self.workers = max(1, workers)
        self.cluster = cluster
        # This process opens members too (probing for containers, or with no workers).
        self._previous_scratch = set_scratch_dir(scratch)
        self._pool: ProcessPoolExecutor | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._client: Any = None
        if cluster is not None:
            from distributed import Client

            self._client = Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]
            self.workers = max(1, sum(self._client.nthreads().values()))
        elif self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers, initializer=set_scratch_dir, initargs=(scratch,)
            )

    @property
    def pooled(self) -> bool:
        """Whether files go to other processes (else they are worked on here, in order)."""
        return self._pool is not None or self._client is not None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run one call on a worker (or, with no workers, on a thread of this process) and
        return its future: for long work such as hashing the source image, which must
        not hold up the coordinator."""
        if self._client is not None:
            future: Future[T] = self._client.submit(fn, *args, pure=False)
            return future
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        if self._threads is None:
            self._threads = ThreadPoolExecutor(1, thread_name_prefix="phunt-runner")
        return self._threads.submit(fn, *args)

    def run(self, items: Iterable[tuple[int, Entry]], work: WorkFn[R], *args: Any) -> Iterator[R]:
        """Run ``work(batch, *args)`` over ``items`` and yield its results in order, a
        bounded number in flight. With no workers each item is its own batch, run here."""
        if self._pool is None and self._client is None:
            for item in items:
                yield from work([item], *args)
            return
        window: deque[Future[list[R]]] = deque()
        batch: list[tuple[int, Entry]] = []
        batch_bytes = 0
        for item in items:
            batch.append(item)
            batch_bytes += item[1].size or 0
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                window.append(self.submit(work, batch, *args))
                batch, batch_bytes = [], 0
                while len(window) >= WINDOW_PER_WORKER * self.workers:
                    yield from window.popleft().result()
        if batch:
            window.append(self.submit(work, batch, *args))
        while window:
            yield from window.popleft().result()

    def close(self) -> None:
        """Stop the workers, then close the containers this thread opened for the run."""
        set_scratch_dir(self._previous_scratch)
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._threads is not None:
            self._threads.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()
        close_thread_cache()

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
