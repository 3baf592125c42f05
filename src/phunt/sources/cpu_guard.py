"""Listing one file system in a child process whose CPU time is bounded, step by step.

Damaged file-system metadata can make The Sleuth Kit spin in C code (an ext2 root inode
claiming 1.1 GB kept ``open_meta`` busy for 24 s of CPU), where no Python signal reaches
it and nothing can judge the inode before loading it. So the listing runs in a forked
child that sets its own CPU-time timer (``ITIMER_PROF``) to the limit before every step
(a folder read, a file's metadata loaded) and renews it for every name a folder loads;
the kernel ends a step that runs past it with ``SIGPROF``, whose default action no C code
can hold up. A healthy file system of millions of files may take minutes in all: only
one step is bounded, never the whole listing.

The child sends its entries in batches and writes where it stands (step, and item in
the step: a folder's names are its items) to a page shared with the parent. When it
dies there (the CPU limit, a crash inside the C library, or :data:`STALL_S` without
using CPU or sending anything) the parent starts another child that skips the entries
already received and stops at that point, yielding an error entry instead: the damaged
folder or file is recorded, and the rest of the file system is still listed. The walk
is deterministic, so a second child meets the same steps in the same order.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import fcntl
import gc
import mmap
import os
import pickle
import resource
import select
import signal
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from phunt.sources.base import Entry

#: Entries per message from the child: pickled together, they cost the parent little.
BATCH = 256
#: The pipe's size (64 KiB by default): room for several batches, so the child runs
#: ahead instead of waiting for the parent at every batch.
PIPE_BYTES = 1 << 20
#: Damaged steps skipped in one file system before the rest of it is given up.
MAX_SKIPS = 32
#: A child that neither uses CPU nor sends anything for this long is stuck (a lock held
#: across the fork by another thread of the parent, a read that never returns) and is
#: ended as one that spins. Generous: a failing disk retries a sector for tens of seconds.
STALL_S = 300.0
#: How often the parent, waiting, looks at the child's CPU time (Linux ``/proc``).
POLL_S = 1.0
_HEADER = struct.Struct("<cQ")
#: Where the child stands, in the page it shares with the parent: step, item in it.
_WHERE = struct.Struct("<qq")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Stop:
    """Where an earlier child died: in item ``item`` of a step (0: before its first)."""

    item: int
    reason: str


class StepGuard:
    """The child's side: numbers steps and their items, says where to stop, renews the
    CPU timer.

    ``stops`` maps the number of a step an earlier child died in to where and why:
    :meth:`step` answers ``False`` for a step it died in before any item, :meth:`item`
    answers ``False`` at the item it died loading; the walker then yields an error
    entry with :meth:`reason` instead of going on.
    """

    def __init__(self, limit: float, stops: dict[int, Stop], shared: mmap.mmap) -> None:
        self.limit = limit
        self._stops = stops
        self._shared = shared
        self._number = 0
        self._item = 0
        self._armed_at = -limit

    def step(self) -> bool:
        """Start the next step; ``False`` when it is one to skip."""
        self._number += 1
        self._item = 0
        _WHERE.pack_into(self._shared, 0, self._number, 0)
        self.renew()
        stop = self._stops.get(self._number)
        return stop is None or stop.item > 0

    def item(self) -> bool:
        """Start loading the next item of the step (a folder's next name); ``False``
        when an earlier child died loading it, so the step ends before it."""
        self._item += 1
        _WHERE.pack_into(self._shared, 0, self._number, self._item)
        self.renew()
        stop = self._stops.get(self._number)
        return stop is None or stop.item != self._item

    @property
    def item_number(self) -> int:
        """The item the step is at (1 for the first)."""
        return self._item

    def reason(self) -> str:
        """Why the current step is skipped or ended early."""
        stop = self._stops.get(self._number)
        return stop.reason if stop is not None else ""

    def renew(self) -> None:
        """Give the work from here on :attr:`limit` seconds of CPU (at least 99% of it:
        the timer is set again only once 1% has gone, so most calls cost a clock read)."""
        now = time.process_time()
        if now - self._armed_at >= self.limit / 100:
            signal.setitimer(signal.ITIMER_PROF, self.limit)
            self._armed_at = now


#: A walk of one file system that takes its steps through the guard.
Walk = Callable[[StepGuard], Iterator[Entry]]


@dataclass
class _Ending:
    """How one child ended: its entries' count, and where and why it died."""

    received: int = 0
    finished: bool = False
    step: int = 0
    item: int = 0
    reason: str = ""
    stalled: bool = False


def guarded(walk: Walk, limit: float, given_up: Callable[[str, bool], Entry]) -> Iterator[Entry]:
    """``walk``'s entries, listed in children bounded to ``limit`` s of CPU a step.

    Where a child ran out (or crashed), the next child stops, and the walker yields its
    error entry there. ``given_up(reason, listed_some)`` is the entry that ends the
    listing when a child dies outside any step, where an earlier one stopped, or after
    :data:`MAX_SKIPS` stops. An exception raised by the walk itself is raised here.
    """
    if not limit > 0:  # a timer of 0 is no timer at all
        raise ValueError(f"the listing's CPU limit must be more than 0 s, not {limit}")
    stops: dict[int, Stop] = {}
    received = 0
    while True:
        ending = _Ending()
        yield from _one_child(walk, limit, stops, received, ending)
        received += ending.received
        if ending.finished:
            return
        earlier = stops.get(ending.step)
        no_progress = earlier is not None and ending.item >= earlier.item
        if not ending.step or no_progress or len(stops) >= MAX_SKIPS:
            yield given_up(ending.reason, received > 0)
            return
        stops[ending.step] = Stop(ending.item, ending.reason)


def _one_child(
    walk: Walk, limit: float, stops: dict[int, Stop], skip: int, ending: _Ending
) -> Iterator[Entry]:
    shared = mmap.mmap(-1, mmap.PAGESIZE)
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError, AttributeError):  # Linux: fewer hand-overs
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its results are what the tests check
        os.close(read_end)
        _child(walk, StepGuard(limit, stops, shared), skip, write_end)
    os.close(write_end)
    status: int | None = None
    try:
        pipe = _Pipe(read_end, pid)
        with contextlib.closing(pipe):
            while (message := pipe.receive()) is not None:
                kind, body = message
                if kind == b"D":
                    ending.finished = True
                    break
                if kind == b"E":
                    raise pickle.loads(body)
                batch: list[Entry] = pickle.loads(body)
                ending.received += len(batch)
                yield from batch
        _, status = os.waitpid(pid, 0)
    finally:
        if status is None:  # the consumer stopped early, or the parent failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        ending.step, ending.item = _WHERE.unpack_from(shared, 0)
        shared.close()
    if not ending.finished:
        ending.reason = _stalled() if pipe.stalled else _death(status, limit)


class _Pipe:
    """The parent's end of the pipe: messages, read while watching that the child moves
    (uses CPU or sends); a child that does neither for :data:`STALL_S` is killed."""

    def __init__(self, fd: int, pid: int) -> None:
        self._fd = fd
        self._pid = pid
        self.stalled = False

    def receive(self) -> tuple[bytes, bytes] | None:
        """The next message ``(kind, body)``; ``None`` once the child is gone."""
        header = self._read(_HEADER.size)
        if len(header) < _HEADER.size:
            return None
        kind, size = _HEADER.unpack(header)
        body = self._read(size)
        return (kind, body) if len(body) == size else None

    def _read(self, size: int) -> bytes:
        parts: list[bytes] = []
        left = size
        cpu, since = _cpu_ticks(self._pid), time.monotonic()
        while left:
            ready, _, _ = select.select([self._fd], [], [], POLL_S)
            if not ready:
                now_cpu = _cpu_ticks(self._pid)
                if now_cpu is None or now_cpu != cpu:
                    cpu, since = now_cpu, time.monotonic()
                elif time.monotonic() - since > STALL_S:
                    self.stalled = True
                    os.kill(self._pid, signal.SIGKILL)
                    break
                continue
            data = os.read(self._fd, min(left, 1 << 20))
            if not data:
                break
            parts.append(data)
            left -= len(data)
            since = time.monotonic()
        return b"".join(parts)

    def close(self) -> None:
        os.close(self._fd)


def _cpu_ticks(pid: int) -> int | None:
    """User and system CPU of process ``pid`` in clock ticks; ``None`` where ``/proc``
    cannot say (then only data from the child counts as moving)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])


def _stalled() -> str:
    return (
        f"made no progress for {STALL_S:g} s (no CPU used, nothing sent): a read that "
        "never returns?"
    )


def _death(status: int | None, limit: float) -> str:
    """The reason a child's death gives, in the words of an error line."""
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGPROF:
            return f"exceeded {limit:g} s of CPU; damaged metadata?"
        return f"The Sleuth Kit crashed ({signal.Signals(number).name}); damaged metadata?"
    code = os.WEXITSTATUS(status) if status is not None else None
    return f"the listing process ended early (exit status {code})"


def _child(walk: Walk, guard: StepGuard, skip: int, write_end: int) -> None:
    """Run in the forked child: list, send, and leave by ``os._exit`` (never the parent's
    exit handlers: its scratch clean-up belongs to it)."""
    code = 0
    try:
        _set_up_child(guard.limit)
        with os.fdopen(write_end, "wb") as pipe:
            batch: list[Entry] = []
            try:
                for index, entry in enumerate(walk(guard)):
                    if index < skip:
                        continue
                    batch.append(entry)
                    if len(batch) >= BATCH:
                        _send(pipe, b"B", pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
                        batch = []
                if batch:
                    _send(pipe, b"B", pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
                _send(pipe, b"D", b"")
            except Exception as exc:  # the walk's own failure travels to the parent
                code = 1
                _send(pipe, b"E", _pickled_error(exc))
    except BaseException:  # a closed pipe (the parent stopped reading), anything else
        code = 1
    finally:
        os._exit(code)


def _send(pipe: BinaryIO, kind: bytes, body: bytes) -> None:
    pipe.write(_HEADER.pack(kind, len(body)) + body)
    pipe.flush()


def _pickled_error(exc: Exception) -> bytes:
    try:
        return pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that cannot travel: its type and text do
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


def _set_up_child(limit: float) -> None:
    """The CPU timer of the first step, no core file (a crash in C is reported, not
    dumped), Ctrl-C left to the parent, and
    death with the parent (Linux), so a killed ingest leaves no child behind."""
    gc.disable()  # a collection would touch, and so copy, every page shared with the parent
    faulthandler.disable()  # a crash is the parent's to report, as an error line
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # a profiler's handler would outlive C
    _, core_hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, core_hard))
    signal.setitimer(signal.ITIMER_PROF, limit)
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
