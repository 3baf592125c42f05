"""Walks of one file system of a disk image: pytsk3's (deleted names included) and dfvfs's.

Both run inside the CPU-bounded listing child of :mod:`phunt.sources.cpu_guard` and take
every call that can spin on damaged metadata as a step of its guard: opening a folder and
loading each name's metadata (one step a folder, its limit renewed for every name), a
regular file's data runs (loaded here, so reading the file later cannot spin where the
listing did not), a link's target. A step an earlier child died in is skipped with an
error entry naming it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytsk3
from dfvfs.lib import errors as dfvfs_errors
from dfvfs.resolver import resolver

from phunt.sources.base import Entry, FileTimes, display_path, name_problem
from phunt.sources.base import join_container_path as _join
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.cpu_guard import StepGuard
from phunt.sources.locator import Locator

DFVFS_ERRORS = (dfvfs_errors.Error, OSError, OverflowError, ValueError)
Locate = Callable[[str], Locator]

_SPECIAL = {
    pytsk3.TSK_FS_META_TYPE_FIFO: "a FIFO (named pipe)",
    pytsk3.TSK_FS_META_TYPE_SOCK: "a socket",
    pytsk3.TSK_FS_META_TYPE_CHR: "a character device",
    pytsk3.TSK_FS_META_TYPE_BLK: "a block device",
}


def file_system_lost(display: str, label: str, where: str, reason: str, rest: bool) -> Entry:
    """The error entry of a file system whose listing stopped at a step that spun (or
    crashed): ``rest`` when some of it was listed before."""
    what = "the rest of it is not listed" if rest else "nothing of it is listed"
    return Entry(path=_join(display, label), error=f"{where}: listing {reason} ({what})")


def times_of(meta: Any) -> FileTimes:
    def at(name: str) -> Any:
        seconds = getattr(meta, name, 0) or 0
        if not seconds:
            return None
        nano = getattr(meta, f"{name}_nano", 0) or 0
        return _utc(seconds + nano / 1e9)

    return FileTimes(at("mtime"), at("atime"), at("ctime"), at("crtime"))


class TskWalker:
    """Depth-first, name-ordered walk of one pytsk3 file system, deleted names included.

    ``where`` names the file system in error lines (``file system at offset 1048576``).
    """

    def __init__(
        self, fs_info: Any, display: str, label: str, locate: Locate, guard: StepGuard, where: str
    ) -> None:
        self._fs = fs_info
        self._display = display
        self._label = label
        self._locate = locate
        self._guard = guard
        self._where = where
        self._seen: set[int] = set()

    def walk(self) -> Iterator[Entry]:
        if not self._guard.step():
            reason = self._guard.reason()
            yield file_system_lost(self._display, self._label, self._where, reason, False)
            return
        try:
            root = self._fs.open_dir(path="/")
        except OSError as exc:
            yield Entry(path=_join(self._display, self._label), error=f"cannot list root: {exc}")
            return
        yield from self._walk_dir(root, self._label, None)

    def _list(self, directory: Any) -> tuple[list[Any], bool]:
        """The names of ``directory`` in name order, each name's metadata loaded as an
        item of the folder's step; ``False`` with them when the step stopped short."""
        items: list[Any] = []
        names = iter(directory)
        while self._guard.item():
            item = next(names, None)
            if item is None:
                return sorted(items, key=lambda f: bytes(f.info.name.name)), True
            if item.info.name is not None:
                items.append(item)
        return sorted(items, key=lambda f: bytes(f.info.name.name)), False

    def _walk_dir(self, directory: Any, prefix: str, bad_name: str | None) -> Iterator[Entry]:
        """Entries under ``directory``; ``bad_name`` is a name problem of a folder above."""
        try:
            items, complete = self._list(directory)
        except OSError as exc:
            yield Entry(path=_join(self._display, prefix), error=f"cannot list folder: {exc}")
            return
        if not complete:
            error = (
                f"folder partly listed: loading the metadata of its name number "
                f"{self._guard.item_number} {self._guard.reason()} The names after it are "
                f"not listed ({self._where})"
            )
            yield Entry(path=_join(self._display, prefix), error=error)
        for item in items:
            raw = bytes(item.info.name.name)
            if raw in (b".", b".."):
                continue
            name = display_path(raw)
            inner = f"{prefix}/{name}" if prefix else name
            deleted = bool(int(item.info.name.flags) & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
            meta = item.info.meta
            problem = name_problem(raw) or bad_name
            if meta is not None and _is_dir(item, meta):
                yield from self._enter(item, meta, inner, deleted, problem)
                continue
            entry = self._entry(item, meta, inner, deleted)
            if entry is not None:
                entry.name_problem = problem
                yield entry

    def _enter(
        self, item: Any, meta: Any, inner: str, deleted: bool, bad_name: str | None
    ) -> Iterator[Entry]:
        if meta.addr in self._seen or (deleted and _reallocated(meta)):
            return  # a loop, or a deleted folder whose entry now belongs to another one
        self._seen.add(meta.addr)
        path = _join(self._display, inner)
        if not self._guard.step():
            error = f"folder not listed: reading it {self._guard.reason()} ({self._where})"
            yield Entry(path=path, deleted=deleted, error=error)
            return
        try:
            sub = item.as_directory()
        except OSError as exc:
            yield Entry(path=path, deleted=deleted, error=f"{exc}")
            return
        yield from self._walk_dir(sub, inner, bad_name)

    def _entry(self, item: Any, meta: Any, inner: str, deleted: bool) -> Entry | None:
        path = _join(self._display, inner)
        if meta is None:
            if "$OrphanFiles" in inner.split("/")[:-1]:
                reason = "orphan entry named by the file system tool; no readable metadata"
            elif deleted:
                reason = "deleted: only the name survives; metadata and content not recoverable"
            else:
                reason = "no metadata: content cannot be read"
            return Entry(path=path, deleted=deleted, error=reason)
        kind = meta.type
        if kind in (pytsk3.TSK_FS_META_TYPE_VIRT, pytsk3.TSK_FS_META_TYPE_VIRT_DIR):
            return None  # made up by TSK ($MBR, $FAT1...), not a file on the device
        times = times_of(meta)
        if deleted and _reallocated(meta):
            return Entry(
                path=path,
                times=times,
                deleted=True,
                error="deleted: its metadata entry now belongs to another file",
            )
        if kind in _SPECIAL:
            reason = f"skipped: {_SPECIAL[kind]}, not a regular file"
            return Entry(path=path, times=times, deleted=deleted, error=reason)
        if not self._guard.step():
            reason = f"metadata not loaded: loading it {self._guard.reason()}; content not read"
            return Entry(path=path, times=times, deleted=deleted, error=reason)
        if kind == pytsk3.TSK_FS_META_TYPE_LNK:
            return Entry(path=path, times=times, deleted=deleted, error=_link_reason(item, meta))
        with contextlib.suppress(OSError):
            iter(item)  # loads the data runs where the file system defers them (FAT, HFS+)
        size = int(meta.size)
        warnings = ["deleted file: content may be partly overwritten"] if deleted else []
        return Entry(
            path=path,
            size=size,
            times=times,
            deleted=deleted,
            warnings=warnings,
            locator=self._locate(str(int(meta.addr))),
        )


def _is_dir(item: Any, meta: Any) -> bool:
    return bool(meta.type in (pytsk3.TSK_FS_META_TYPE_DIR, pytsk3.TSK_FS_META_TYPE_VIRT_DIR))


def _reallocated(meta: Any) -> bool:
    return bool(int(meta.flags) & pytsk3.TSK_FS_META_FLAG_ALLOC)


def _link_reason(item: Any, meta: Any) -> str:
    link = getattr(meta, "link", None)
    if link:
        target = display_path(link)
    else:
        try:
            target = display_path(item.read_random(0, min(int(meta.size), 4096)))
        except OSError:
            target = "unreadable"
    return f"skipped: symbolic link, not followed (-> {target})"


def walk_dfvfs(
    fs_spec: Any, display: str, label: str, locate: Locate, guard: StepGuard, context: Any
) -> Iterator[Entry]:
    """Allocated files of a file system pytsk3 cannot open, through dfvfs (``context``:
    the listing child's own resolver context, never one whose files it shares)."""
    kind = fs_spec.type_indicator
    warning = f"{label or '/'}: {kind} file system read through dfvfs; deleted files not listed"
    yield Entry(path=_join(display, ""), error=warning)
    try:
        root = resolver.Resolver.OpenFileEntry(fs_spec, resolver_context=context)
    except DFVFS_ERRORS as exc:
        yield Entry(path=_join(display, label), error=f"cannot open {kind}: {exc}")
        return
    stack = [root]
    while stack:
        directory = stack.pop()
        where = _join(display, f"{label}/{directory.path_spec.location}")
        if not guard.step():
            yield Entry(path=where, error=f"folder not listed: reading it {guard.reason()}")
            continue
        try:
            children = sorted(directory.sub_file_entries, key=lambda e: e.name)
        except DFVFS_ERRORS as exc:
            yield Entry(path=where, error=f"cannot list folder: {exc}")
            continue
        for child in children:
            if child.IsDirectory():
                stack.append(child)
                continue
            inner = f"{label}/{child.path_spec.location.lstrip(chr(92) + '/')}"
            inner = inner.replace("\\", "/")
            yield _dfvfs_entry(child, _join(display, inner), locate)


def _dfvfs_entry(child: Any, path: str, locate: Locate) -> Entry:
    if not child.IsFile():
        return Entry(path=path, error=f"skipped: {child.entry_type}, not a regular file")

    def timestamp(value: Any) -> Any:
        return None if value is None else _utc(value.CopyToPosixTimestamp())

    times = FileTimes(
        timestamp(child.modification_time),
        timestamp(child.access_time),
        timestamp(child.change_time),
        timestamp(child.creation_time),
    )

    locator = locate(child.path_spec.location)
    return Entry(path=path, size=child.size, times=times, locator=locator)
