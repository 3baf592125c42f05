"""Open any evidence path and every container inside it: the one entry point for ingest.

Detection order (first ``probe`` that says yes wins): ``folder``, ``7z``, ``zip``, ``tar``
(also gzip/bzip2/xz-compressed tars), ``compressed`` (a lone .gz/.bz2/.xz file), then
``disk-image``, whose raw-disk test (an MBR's 0x55AA, file-system signatures) is the
loosest and so goes last.

Naming: members are named by their container chain, ``phone.zip!/DCIM/a.jpg``. The
container named on the command line is opened, not yielded (ingest records its own hash
as the source's); every nested container is yielded as a file first, then its members.
Problems with a container as a whole (damage, a limit, a partition with no file system)
are yielded as entries named ``container!/`` with ``error`` set.

Every readable entry carries a :class:`~phunt.sources.locator.Locator`, so its content
can be read at any time and in any process, walk or no walk. The walk itself spools
nested containers into its scratch folder to list them, and deletes each spool once its
members are listed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from itertools import count
from typing import BinaryIO

from phunt import scratch as scratch_area
from phunt.registry import Registry
from phunt.sources.base import Entry, Source, display_path, join_container_path
from phunt.sources.disk_image import DiskImageSource, is_later_segment
from phunt.sources.folder import FolderSource, root_stat
from phunt.sources.gzip import CompressedFileSource
from phunt.sources.limits import ArchiveSource, Budget, ExpandLimits
from phunt.sources.locator import CONTAINERS, ContainerFactory, Locator, open_read_only
from phunt.sources.sevenzip import SevenZipSource
from phunt.sources.tar import TarSource
from phunt.sources.zip import ZipSource

__all__ = [
    "SOURCES",
    "ExpandLimits",
    "detect_source",
    "make_source",
    "open_evidence",
    "read_head",
    "walk_evidence",
]

#: Every evidence source, in detection order.
SOURCES: Registry[type[Source]] = Registry("evidence source")
for _source in (
    FolderSource,
    SevenZipSource,
    ZipSource,
    TarSource,
    CompressedFileSource,
    DiskImageSource,
):
    SOURCES.register(_source.name, _source)

#: The first bytes read for the probes: archive magics, a tar header, an MBR and the
#: file-system superblocks (ext's magic, the farthest, ends at byte 1,082).
HEAD_SIZE = 4096
#: ISO 9660's signature lies beyond, at 32 KiB (sector 16): read apart and put at its
#: offset in the head, the bytes between left zero (no probe looks there). Reading every
#: file's first 64 KiB had been a fifth of the coordinator's walk.
ISO_AT = 32 * 1024
_ISO_LEN = 8
_COPY_CHUNK = 1 << 20
_SAFE_EXT = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _read_head(path: str) -> bytes:
    with open_read_only(path) as handle:
        return read_head(handle)


def read_head(stream: BinaryIO) -> bytes:
    """What the probes are given: the first :data:`HEAD_SIZE` bytes and, for a longer
    file, the bytes at :data:`ISO_AT` at their offset."""
    head = stream.read(HEAD_SIZE)
    if len(head) < HEAD_SIZE:
        return head
    if stream.seekable():
        stream.seek(ISO_AT)
    elif len(stream.read(ISO_AT - HEAD_SIZE)) < ISO_AT - HEAD_SIZE:
        return head
    far = stream.read(_ISO_LEN)
    return head + bytes(ISO_AT - HEAD_SIZE) + far if far else head


def detect_source(path: str, head: bytes | None = None) -> type[Source] | None:
    """The first registered source whose probe accepts ``path``; ``None`` for a plain file."""
    if head is None and not os.path.isdir(path):
        head = _read_head(path)
    for _, source in SOURCES:
        if source.probe(path, head or b""):
            return source
    return None


def _container(path: str, head: bytes) -> type[Source] | None:
    """The first container source whose probe accepts a file (never a folder: what a
    walk yields as a file needs no second look at the disk to say so)."""
    for name, source in SOURCES:
        if name != FolderSource.name and source.probe(path, head):
            return source
    return None


def _factory(name: str) -> ContainerFactory:
    def open_container(path: str, where: Locator, scratch: str) -> Source:
        return make_source(name, path, where, scratch)

    return open_container


for _name, _ in SOURCES:
    if _name != FolderSource.name:
        CONTAINERS.register(_name, _factory(_name))


def make_source(
    name: str,
    path: str,
    locator: Locator,
    scratch: str | None,
    *,
    display: str | None = None,
    limits: ExpandLimits | None = None,
    budget: Budget | None = None,
) -> Source:
    """The registered source ``name`` over the local file ``path``, which lives at
    ``locator`` in the evidence; 7z spools the members it opens into ``scratch``."""
    source = SOURCES.get(name)
    if source is SevenZipSource:
        return SevenZipSource(
            path,
            display=display,
            locator=locator,
            limits=limits,
            budget=budget,
            scratch_dir=scratch,
        )
    if issubclass(source, ArchiveSource):
        return source(path, display=display, locator=locator, limits=limits, budget=budget)
    if source is DiskImageSource:
        return DiskImageSource(path, display=display, locator=locator, limits=limits)
    return source(path, display=display, locator=locator)


def open_evidence(
    path: str,
    *,
    expand: bool = True,
    limits: ExpandLimits | None = None,
    scratch_dir: str | None = None,
) -> Iterator[Entry]:
    """Yield every file of the evidence at ``path``, descending into nested containers.

    ``expand=False`` lists a folder's files or the named file itself, opening nothing.
    Spooled copies go to a private folder made inside ``scratch_dir`` (this process's
    folder of :mod:`phunt.scratch` when ``None``) and removed when the iteration ends.
    ``path``'s own times are taken now, before anything (the probe, the source's hash)
    reads it.
    """
    root = root_stat(path)
    return walk_evidence(path, root, expand=expand, limits=limits, scratch_dir=scratch_dir)


def walk_evidence(
    path: str,
    root: os.stat_result | None,
    *,
    expand: bool = True,
    limits: ExpandLimits | None = None,
    scratch_dir: str | None = None,
) -> Iterator[Entry]:
    """:func:`open_evidence` with ``path``'s times taken earlier (``root``, from
    :func:`~phunt.sources.folder.root_stat`): ingest takes them in its coordinator and
    walks in a process of its own."""
    if not expand:
        yield from FolderSource(path, root_stat=root).entries()
        return
    private = tempfile.mkdtemp(prefix="phunt-expand-", dir=scratch_dir or scratch_area.folder())
    try:
        limits = limits or ExpandLimits()
        expander = _Expander(limits, Budget(limits), private)
        yield from expander.top(path, root)
    finally:
        shutil.rmtree(private, ignore_errors=True)


class _Expander:
    """Walks containers recursively, sharing the limits, the byte budget and the scratch."""

    def __init__(self, limits: ExpandLimits, budget: Budget, scratch: str) -> None:
        self.limits = limits
        self.budget = budget
        self.scratch = scratch
        self._names = count(1)

    def top(self, path: str, root: os.stat_result | None = None) -> Iterator[Entry]:
        try:
            source = detect_source(path)
        except OSError as exc:
            yield Entry(path=display_path(path), error=f"cannot read: {exc.strerror or exc}")
            return
        opened = None
        if source is not None and source is not FolderSource and self.limits.max_depth >= 1:
            opened = self._make(source, path, display_path(path), Locator(path))
            if isinstance(opened, DiskImageSource) and opened.found_nothing:
                opened = None
        if opened is None:
            yield from self._members(FolderSource(path, root_stat=root), depth=0)
        else:
            yield from self._members(opened, depth=1)

    def _make(self, source: type[Source], path: str, display: str, locator: Locator) -> Source:
        return make_source(
            source.name,
            path,
            locator,
            self.scratch,
            display=display,
            limits=self.limits,
            budget=self.budget,
        )

    def _members(self, source: Source, depth: int) -> Iterator[Entry]:
        """``source``'s entries, each nested container followed by its own members."""
        with source:
            if isinstance(source, DiskImageSource) and source.found_nothing:
                return
            for entry in source.entries():
                if entry.error is None and entry.locator is not None:
                    yield from self._maybe_expand(entry, depth)
                else:
                    yield entry
            if isinstance(source, DiskImageSource):
                for warning in source.warnings:
                    yield Entry(path=join_container_path(source.display, ""), error=warning)

    def _maybe_expand(self, entry: Entry, depth: int) -> Iterator[Entry]:
        local = entry.local_path
        try:
            if local is not None:
                source = None if is_later_segment(local) else _container(local, _read_head(local))
            else:
                source = self._candidate(entry)
        except OSError as exc:
            if local is not None:
                entry.error = f"cannot read: {exc.strerror or exc}"
            else:
                entry.warnings.append(f"not checked for a container: {exc}")
            yield entry
            return
        if source is None:
            yield entry
            return
        if depth + 1 > self.limits.max_depth:
            yield entry  # still a file to hash; not opening it is an error, never silent
            yield Entry(path=join_container_path(entry.path, ""), error=self.limits.depth_problem())
            return
        spool = None
        spooled = entry.size or 0
        if local is None:
            refusal = self.budget.spool(spooled, self.scratch)
            if refusal is not None:
                yield entry
                yield Entry(path=join_container_path(entry.path, ""), error=refusal)
                return
            try:
                spool, source = self._spool(entry)
            except OSError as exc:
                self.budget.unspool(spooled)
                entry.warnings.append(f"nested container not opened: {exc}")
                yield entry
                return
            if source is None:
                self._unspool(spool, spooled)
                yield entry
                return
        try:
            yield entry
            opened = spool or local
            assert opened is not None and entry.locator is not None
            nested = self._make(source, opened, entry.path, entry.locator)
            yield from self._members(nested, depth + 1)
        finally:
            if spool is not None:
                self._unspool(spool, spooled)

    def _unspool(self, spool: str, size: int) -> None:
        _remove(spool)
        self.budget.unspool(size)

    def _candidate(self, entry: Entry) -> type[Source] | None:
        """A container class when the member's first bytes carry a container signature."""
        with entry.open() as stream:
            return _container("", read_head(stream))

    def _spool(self, entry: Entry) -> tuple[str, type[Source] | None]:
        """Copy a member into scratch under a generated name (keeping only a safe suffix)."""
        suffix = _SAFE_EXT.search(entry.path.rsplit("/", 1)[-1])
        name = f"{next(self._names):06d}{suffix.group(0) if suffix else '.bin'}"
        spool = os.path.join(self.scratch, name)
        try:
            with entry.open() as stream, open(spool, "xb") as out:
                shutil.copyfileobj(stream, out, _COPY_CHUNK)
            return spool, detect_source(spool)
        except OSError:
            _remove(spool)
            raise


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
