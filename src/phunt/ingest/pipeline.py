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

Local workers die with the process that started them (:func:`watch_coordinator`): a
coordinator killed outright (SIGKILL, the OOM killer) cannot shut its pool down, and its
workers would otherwise wait on their task pipe for ever, holding the database open.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from phunt import scratch
from phunt.sources.base import Entry
from phunt.sources.locator import close_caches, close_thread_cache, set_scratch_dir

#: A batch for a worker closes at this many files...
BATCH_FILES = 32
#: ...or once its files' listed sizes reach this, so a big file travels alone. At 8 MB,
#: camera photos went about 15 to a batch, and the coordinator's threads spent more time
#: handing batches over than the rest of its per-file work (each batch costs about 0.4 ms).
BATCH_BYTES = 32 << 20
#: Batches in flight per worker. Generous, because results are kept in order: while one
#: worker hashes a 100 MB file at the head, the others work through what follows it.
WINDOW_PER_WORKER = 16
#: How often a worker with no process handle (not Linux) checks that its parent is alive.
PARENT_POLL_S = 0.5
#: How long a worker whose coordinator died may spend removing its scratch copies.
CLEANUP_GRACE_S = 2.0

#: Numbered entries, or a function that lists them (see :meth:`Runner.run`).
Listing = Iterable[tuple[int, Entry]] | Callable[[], Iterable[tuple[int, Entry]]]
#: How long a listing process that said it is done gets to exit on its own.
_LISTER_EXIT_S = 2.0
#: Listing processes are forked: a listing function is a closure, which cannot be pickled.
_FORK = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods()
    else None
)

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
                self.workers, initializer=_start_worker, initargs=(scratch, os.getpid())
            )

    @property
    def pooled(self) -> bool:
        """Whether files go to other processes (else they are worked on here, in order)."""
        return self._pool is not None or self._client is not None

    @property
    def local_pool(self) -> bool:
        """Whether files go to processes of this machine, which reach what it reaches (its
        database file too), unlike a Dask cluster's."""
        return self._pool is not None

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

    def run(self, items: Listing, work: WorkFn[R], *args: Any) -> Iterator[R]:
        """Run ``work(batch, *args)`` over ``items`` and yield its results in order, a
        bounded number in flight. With no workers the batches run here, one after the
        other (a batch lets the match stage search the lists once for all its files).

        ``items`` may be a function that lists them. With a local pool it then runs in a
        listing process of its own, which sends the batches ready-pickled: walking a
        source (a stat, a look at each file's head for containers) and pickling its
        entries is work per file, which the coordinator so leaves to another process.
        """
        if self._pool is None and self._client is None:
            for batch in _batches(items() if callable(items) else items):
                yield from work(batch, *args)
            return
        window: deque[Future[list[R]]] = deque()
        if callable(items) and self._pool is not None and _FORK is not None:
            futures = (self.submit(_unpacked, work, blob, *args) for blob in _listed(items))
        else:
            listed = items() if callable(items) else items
            futures = (self.submit(work, batch, *args) for batch in _batches(listed))
        for future in futures:
            window.append(future)
            while len(window) >= WINDOW_PER_WORKER * self.workers:
                yield from window.popleft().result()
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


def _batches(items: Iterable[tuple[int, Entry]]) -> Iterator[list[tuple[int, Entry]]]:
    """``items`` in batches of ``BATCH_FILES`` files or ``BATCH_BYTES`` listed bytes."""
    batch: list[tuple[int, Entry]] = []
    batch_bytes = 0
    for item in items:
        batch.append(item)
        batch_bytes += item[1].size or 0
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            yield batch
            batch, batch_bytes = [], 0
    if batch:
        yield batch


def _unpacked(work: WorkFn[R], blob: bytes, *args: Any) -> list[R]:
    """A worker's side of a listed batch: unpickle it, run the work."""
    batch: list[tuple[int, Entry]] = pickle.loads(blob)
    return work(batch, *args)


def _listed(lister: Callable[[], Iterable[tuple[int, Entry]]]) -> Iterator[bytes]:
    """The pickled batches of ``lister``, run in a forked listing process.

    The pipe holds a few batches, so the listing runs only a little ahead of the work. An
    error of the listing is raised here, as if the listing had run in this process; the
    listing process is ended when the run ends, however it ends.
    """
    assert _FORK is not None
    receive, send = _FORK.Pipe(duplex=False)
    process = _FORK.Process(
        target=_list_batches, args=(lister, send, os.getpid()), name="phunt-lister", daemon=True
    )
    process.start()
    send.close()
    try:
        while True:
            try:
                blob = receive.recv_bytes()
            except EOFError:
                raise RuntimeError("the listing process ended before the listing did") from None
            if blob[:1] == b"E":
                raise pickle.loads(blob[1:])
            if blob[:1] == b"D":
                return
            yield blob[1:]
    finally:
        receive.close()
        process.join(timeout=_LISTER_EXIT_S)  # it has cleaned up before saying "done"
        if process.is_alive():
            process.kill()
        process.join()


def _list_batches(
    lister: Callable[[], Iterable[tuple[int, Entry]]], send: Connection, coordinator: int
) -> None:
    """The listing process: batches (``B``), then done (``D``) or the error (``E``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator answers Ctrl-C
    watch_coordinator(coordinator)
    try:
        for batch in _batches(lister()):
            send.send_bytes(b"B" + pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    except BaseException as exc:
        try:
            error = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot travel: its type and text do
            error = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        send.send_bytes(b"E" + error)
    else:
        # The containers it opened, and their copies in its scratch folder, go before it
        # says it is done: the coordinator ends it once it has heard.
        close_caches()
        scratch.remove_own()
        send.send_bytes(b"D")
    finally:
        send.close()


def _start_worker(scratch: str | None, coordinator: int) -> None:
    """A local pool worker's initializer: where it spools, and whose death it follows.

    Ctrl-C at a terminal reaches the whole process group: the coordinator decides what it
    means and shuts the pool down, so a worker ignores it instead of dying mid-task.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_scratch_dir(scratch)
    watch_coordinator(coordinator)


def watch_coordinator(coordinator: int) -> threading.Thread:
    """End this process when the ``coordinator`` process ends, on a watchdog thread.

    Why not ``prctl(PR_SET_PDEATHSIG)``: its signal follows the *thread* that forked the
    worker, and a ``ProcessPoolExecutor`` forks from whichever thread first submits (a
    generator's consumer, a web request's thread) and, replacing a dead worker, from its
    own manager thread; under the forkserver start method the parent is the server. A
    pidfd (Linux 5.3) refers to the coordinator process itself and becomes readable when
    it exits, with no polling. Elsewhere the thread polls for the parent process to change
    (the forkserver exits with the coordinator too, so that covers it).
    """
    parent = os.getppid()
    handle: int | None = None
    try:
        handle = os.pidfd_open(coordinator)
    except ProcessLookupError:
        _die()
    except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
        handle = None
    thread = threading.Thread(
        target=_wait_for_coordinator,
        args=(handle, parent),
        name="phunt-coordinator-watch",
        daemon=True,
    )
    thread.start()
    return thread


def _wait_for_coordinator(handle: int | None, parent: int) -> None:
    if handle is not None:
        select.select([handle], [], [])  # readable once the coordinator has exited
    else:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
    _die()


def _die() -> None:
    """Remove this worker's scratch copies (nested containers can be gigabytes), then
    exit at once: no pool shutdown, no result to send, nobody is left to take one. A
    clean-up that hangs is cut short by a timer."""
    killer = threading.Timer(CLEANUP_GRACE_S, _exit_now)
    killer.daemon = True
    killer.start()
    try:
        close_caches()
    finally:
        _exit_now()


def _exit_now() -> None:
    os._exit(1)


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
