"""Where a file lives, as plain data: the evidence path plus the containers to go through.

A :class:`Locator` is in the spirit of dfvfs path specs: the root evidence path on the
local file system and a chain of hops, each naming the registered source that opens the
container (``"zip"``, ``"tar"``, ``"7z"``, ``"compressed"``, ``"disk-image"``) and that
source's own stable key for the member (a zip member's index and name, a tar member's
header offset, a file system's volume and inode). It pickles, and round-trips through
JSON, so any worker (local or on a Dask cluster) and any later step (chat import,
review, re-verification) reopens a member with :func:`open_locator` without walking the
source again. A locator with no hops is a plain local file.

Opening is cached per process and thread: the last few opened containers stay open
(bounded LRU), so reading 10,000 members of one zip opens the zip once. A nested
container is copied into a private scratch folder of the cache (inside this process's
folder of :mod:`phunt.scratch`) and deleted when evicted or when the process ends.

Evidence files are opened with :func:`open_read_only`: ``O_NOATIME`` where the system
allows it, so reading a file on a read-write mount does not move its access time.

The sources create entries and entries open through the sources, so this module names
no source: each container source is registered in :data:`CONTAINERS` by
:mod:`phunt.sources.expand`, which every walk imports and which the first container
opened in a process loads (:func:`container_factory`). A process that only hands entries
on (ingest's coordinator) so never loads the disk-image and archive libraries.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import importlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing import util as mp_util
from typing import BinaryIO, Protocol

from phunt import json_limits
from phunt import scratch as scratch_area
from phunt.registry import Registry
from phunt.sources.signatures import EWF_SIGNATURE

#: Opened containers kept per thread: enough for a nested chain and its neighbours.
CACHE_SIZE = 8
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Hop:
    """One container on the way: ``source`` opens it, ``key`` names the member in it."""

    source: str
    key: str


@dataclass(frozen=True)
class Locator:
    """The root evidence path and the container hops down to one member."""

    path: str
    hops: tuple[Hop, ...] = ()

    def child(self, source: str, key: str) -> Locator:
        """The member ``key`` of the container at this locator, opened by ``source``."""
        return Locator(self.path, (*self.hops, Hop(source, key)))

    @property
    def parent(self) -> Locator:
        """The container holding this member (a locator with one hop fewer)."""
        if not self.hops:
            raise ValueError("a local path has no container")
        return Locator(self.path, self.hops[:-1])

    def to_json(self) -> str:
        """Compact JSON; the path keeps bytes that are not UTF-8 as surrogate escapes."""
        return json.dumps(
            {"path": self.path, "hops": [[hop.source, hop.key] for hop in self.hops]},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Locator:
        """The locator :meth:`to_json` wrote; ``ValueError`` for anything else."""
        try:
            data = json_limits.loads(text)
            hops = tuple(Hop(str(source), str(key)) for source, key in data["hops"])
            path = data["path"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a locator: {text[:80]!r}") from exc
        if not isinstance(path, str):
            raise ValueError(f"not a locator: {text[:80]!r}")
        return cls(path, hops)

    def __str__(self) -> str:
        shown = os.fsencode(self.path).decode("utf-8", "backslashreplace")
        return shown + "".join(f" -> {hop.source}:{hop.key}" for hop in self.hops)


class Container(Protocol):
    """An opened container, as the cache keeps it: a source over one local file."""

    def open_member(self, key: str) -> BinaryIO: ...

    def close(self) -> None: ...


class ContainerFactory(Protocol):
    """Opens the local file ``path``, which lives at ``where`` in the evidence; members
    that must be decompressed to a file go to ``scratch``."""

    def __call__(self, path: str, where: Locator, scratch: str) -> Container: ...


#: How each container source (by its registered name) is opened from a local file.
CONTAINERS: Registry[ContainerFactory] = Registry("container source")
#: The module whose import registers every container source (it imports this one, so it
#: is named here, not imported: loaded where a container is first opened).
REGISTERING_MODULE = "phunt.sources.expand"


def container_factory(source: str) -> ContainerFactory | None:
    """How the container source named ``source`` is opened; ``None`` when no such source
    is registered, even once :data:`REGISTERING_MODULE` is loaded."""
    if source not in CONTAINERS:
        importlib.import_module(REGISTERING_MODULE)
    return CONTAINERS.get(source) if source in CONTAINERS else None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOATIME = getattr(os, "O_NOATIME", 0)


def open_read_only(path: str, buffering: int = -1) -> BinaryIO:
    """Open the local evidence file ``path`` for reading without moving its access time
    (``buffering`` as :func:`open` takes it).

    ``O_NOATIME`` (Linux) needs the file's owner or CAP_FOWNER; otherwise the open fails
    with EPERM and the file is opened normally: the time may then move (a read-only
    mount keeps it), which is why the walk records times before anything reads.
    """
    fd = -1
    if _NOATIME:
        try:
            fd = os.open(path, _READ_FLAGS | _NOATIME)
        except PermissionError as exc:
            if exc.errno != errno.EPERM:
                raise
    if fd < 0:
        fd = os.open(path, _READ_FLAGS)
    try:
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def open_locator(locator: Locator) -> BinaryIO:
    """Open the file at ``locator`` read-only; ``OSError`` when it cannot be read."""
    if not locator.hops:
        return open_read_only(locator.path)
    container = _cache().container(locator.parent, locator.hops[-1].source)
    return container.open_member(locator.hops[-1].key)


class ContainerCache:
    """Opened containers of one thread, least recently used closed first.

    ``(container locator, source name)`` keys an opened :class:`Source`; a container that
    is itself a member is first copied into this cache's scratch folder.
    """

    def __init__(self, size: int = CACHE_SIZE, scratch_dir: str | None = None) -> None:
        self.size = max(1, size)
        where = scratch_dir or scratch_area.folder()
        self.scratch = tempfile.mkdtemp(prefix="phunt-open-", dir=where)
        self._open: OrderedDict[tuple[Locator, str], tuple[Container, str | None]] = OrderedDict()
        self._names = 0
        self.closed = False

    def container(self, where: Locator, source: str) -> Container:
        """The container at ``where`` opened as ``source``, from the cache when it can."""
        key = (where, source)
        found = self._open.get(key)
        if found is not None:
            self._open.move_to_end(key)
            return found[0]
        factory = container_factory(source)
        if factory is None:
            raise OSError(
                f"{where}: no container source {source!r} (is phunt.sources.expand imported?)"
            )
        spool = self._spool(where) if where.hops else None
        try:
            opened = factory(spool or where.path, where, self.scratch)
        except BaseException:
            _remove(spool)
            raise
        self._open[key] = (opened, spool)
        while len(self._open) > self.size:
            self._evict()
        return opened

    def _spool(self, where: Locator) -> str:
        """Copy the container at ``where`` here; an EWF copy is named ``.E01``, the one
        name libewf opens a set by (other formats are found by their content)."""
        self._names += 1
        spool = os.path.join(self.scratch, f"{self._names:06d}")
        try:
            with open_locator(where) as stream, open(spool, "xb") as out:
                head = stream.read(_COPY_CHUNK)
                out.write(head)
                shutil.copyfileobj(stream, out, _COPY_CHUNK)
        except BaseException:
            _remove(spool)
            raise
        named = spool + (".E01" if head.startswith(EWF_SIGNATURE) else ".bin")
        os.rename(spool, named)
        return named

    def _evict(self) -> None:
        _key, (opened, spool) = self._open.popitem(last=False)
        opened.close()
        _remove(spool)

    def close(self) -> None:
        """Close every container and remove the scratch folder (safe to call twice)."""
        self.closed = True
        while self._open:
            self._evict()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _remove(path: str | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


class _PerThread(threading.local):
    cache: ContainerCache | None = None
    pid: int = 0


_local = _PerThread()
_scratch_dir: str | None = None
_all: list[ContainerCache] = []
_all_lock = threading.Lock()
_all_pid = os.getpid()


def _cache() -> ContainerCache:
    """This thread's cache; a forked child starts its own and leaves the parent's alone,
    and a thread whose cache was closed (by :func:`close_caches`) gets a new one."""
    global _all, _all_pid
    pid = os.getpid()
    if _local.cache is None or _local.pid != pid or _local.cache.closed:
        with _all_lock:
            if _all_pid != pid:  # inherited from the parent through fork: not ours
                _all, _all_pid = [], pid
                mp_util.Finalize(None, close_caches, exitpriority=10)
            _local.cache, _local.pid = ContainerCache(scratch_dir=_scratch_dir), pid
            _all.append(_local.cache)
    return _local.cache


def set_scratch_dir(scratch_dir: str | None) -> str | None:
    """Make the caches opened from now on in this process spool into a private folder
    inside ``scratch_dir`` (``None``: this process's folder of :mod:`phunt.scratch`). The
    ``scratch`` of ``ingest()`` reaches pool workers through this, as their initializer.
    Returns the previous one."""
    global _scratch_dir
    previous, _scratch_dir = _scratch_dir, scratch_dir
    return previous


def close_thread_cache() -> None:
    """Close this thread's cache: its containers, and its spooled copies (after a run)."""
    cache = _local.cache
    if cache is None or _local.pid != os.getpid():
        return
    with _all_lock:
        if cache in _all:
            _all.remove(cache)
    cache.close()
    _local.cache = None


def close_caches() -> None:
    """Close every container cache this process opened (at exit, and in tests)."""
    with _all_lock:
        if _all_pid != os.getpid():
            return
        caches = list(_all)
        _all.clear()
    for cache in caches:
        cache.close()
    _local.cache = None


atexit.register(close_caches)
# Pool workers leave through multiprocessing, which runs its finalizers but not atexit.
mp_util.Finalize(None, close_caches, exitpriority=10)
