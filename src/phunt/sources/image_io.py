"""Disk images read only through files phunt opened, so their access times stay put.

dfvfs finds an image's layers and pytsk3 walks its file systems, both reading through
dfvfs's file objects. Left alone, dfvfs opens a local file with ``open(path)`` (its
``OS`` resolver helper), and an E01 set or a split raw image from its path with pyewf's
and pysmraw's own ``open``: libewf and libsmraw read the segments without O_NOATIME, and
every read moves the segments' access times on a read-write mount.

Importing this module puts phunt's helpers in the place of dfvfs's for those three types
(``ResolverHelperManager`` is dfvfs's own way to add or replace a back end): a local
file is opened with :func:`~phunt.sources.locator.open_read_only`, and each segment of an
E01 or split raw set is opened so and handed to pyewf or pysmraw as a file object
(``open_file_objects``). dfvfs reads evidence only in phunt, so the whole process reads
images this way. :class:`EwfMedia` does the same for the MD5 check, which reads the media
with pyewf directly. Devices and mount-point paths are still opened as dfvfs opens them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import pyewf
import pysmraw  # type: ignore[import-not-found]
from dfvfs.file_io import ewf_file_io, os_file_io, raw_file_io
from dfvfs.resolver_helpers import ewf_resolver_helper, os_resolver_helper, raw_resolver_helper
from dfvfs.resolver_helpers.manager import ResolverHelperManager

from phunt.sources.locator import open_read_only


def open_segments(paths: Sequence[str]) -> list[BinaryIO]:
    """Each of ``paths`` opened read-only without moving its access time; all or none.
    Unbuffered: libewf and libsmraw keep their own caches, a Python buffer only copies."""
    opened: list[BinaryIO] = []
    try:
        for path in paths:
            opened.append(open_read_only(path, buffering=0))
    except BaseException:
        close_all(opened)
        raise
    return opened


def close_all(files: Iterable[BinaryIO]) -> None:
    """Close every file; pyewf and pysmraw never close the file objects they were given."""
    for file in files:
        with contextlib.suppress(OSError):
            file.close()


def _open_set(handle: Any, segments: Sequence[str]) -> list[BinaryIO]:
    """Open ``handle`` (pyewf's or pysmraw's) over ``segments``; the files it reads."""
    files = open_segments(segments)
    try:
        handle.open_file_objects(files)
    except BaseException:
        close_all(files)
        raise
    return files


class EwfMedia:
    """pyewf's handle over an E01 set (``segments`` first one first, as ``pyewf.glob``
    lists them), reading through files opened here. ``OSError`` when it cannot open."""

    def __init__(self, segments: Sequence[str]) -> None:
        self.handle = pyewf.handle()
        self._files = _open_set(self.handle, segments)

    def close(self) -> None:
        try:
            self.handle.close()
        finally:
            close_all(self._files)


def _local(path_spec: Any) -> str | None:
    """The local path of an OS path spec dfvfs would open with ``open``; ``None`` for one
    phunt leaves to dfvfs (under a mount point, or a device)."""
    location = getattr(path_spec, "location", None)
    if location is None or path_spec.HasParent():
        return None
    try:
        mode = os.stat(location).st_mode
    except OSError:
        return None  # dfvfs raises its own error for it
    return location if stat.S_ISREG(mode) else None


class _OSFile(os_file_io.OSFile):  # type: ignore[misc]
    """dfvfs's local file, opened with O_NOATIME where the system allows it."""

    def _Open(self) -> None:  # noqa: N802  (dfvfs's interface)
        location = _local(self._path_spec)
        if location is None:
            super()._Open()
            return
        self._file_object = open_read_only(location)
        self._size = os.fstat(self._file_object.fileno()).st_size


class _SegmentFiles:
    """The segment files a storage-media image opened, closed with it."""

    def __init__(self) -> None:
        self.files: list[BinaryIO] = []

    def local_set(self, path_spec: Any) -> str | None:
        """The first segment's local path when the image lies on the local file system
        (where dfvfs would open the set from its path); ``None`` otherwise."""
        parent = path_spec.parent if path_spec.HasParent() else None
        if parent is None or not parent.IsSystemLevel():
            return None
        return _local(parent)

    def close(self) -> None:
        close_all(self.files)
        self.files = []


class _EwfFile(ewf_file_io.EWFFile):  # type: ignore[misc]
    """dfvfs's E01 image, its segments read through files phunt opened."""

    def __init__(self, resolver_context: Any, path_spec: Any) -> None:
        super().__init__(resolver_context, path_spec)
        self._segments = _SegmentFiles()

    def _OpenFileObject(self, path_spec: Any) -> Any:  # noqa: N802  (dfvfs's interface)
        first = self._segments.local_set(path_spec)
        if first is None:
            return super()._OpenFileObject(path_spec)
        handle = pyewf.handle()
        self._segments.files = _open_set(handle, pyewf.glob(first))
        return handle

    def _Close(self) -> None:  # noqa: N802  (dfvfs's interface)
        try:
            super()._Close()
        finally:
            self._segments.close()


class _RawFile(raw_file_io.RawFile):  # type: ignore[misc]
    """dfvfs's raw image (one file or a split set), read through files phunt opened."""

    def __init__(self, resolver_context: Any, path_spec: Any) -> None:
        super().__init__(resolver_context, path_spec)
        self._segments = _SegmentFiles()

    def _OpenFileObject(self, path_spec: Any) -> Any:  # noqa: N802  (dfvfs's interface)
        first = self._segments.local_set(path_spec)
        if first is None:
            return super()._OpenFileObject(path_spec)
        handle = pysmraw.handle()
        self._segments.files = _open_set(handle, pysmraw.glob(first))
        return handle

    def _Close(self) -> None:  # noqa: N802  (dfvfs's interface)
        try:
            super()._Close()
        finally:
            self._segments.close()


class _OSHelper(os_resolver_helper.OSResolverHelper):  # type: ignore[misc]
    def NewFileObject(self, resolver_context: Any, path_spec: Any) -> Any:  # noqa: N802
        return _OSFile(resolver_context, path_spec)


class _EwfHelper(ewf_resolver_helper.EWFResolverHelper):  # type: ignore[misc]
    def NewFileObject(self, resolver_context: Any, path_spec: Any) -> Any:  # noqa: N802
        return _EwfFile(resolver_context, path_spec)


class _RawHelper(raw_resolver_helper.RawResolverHelper):  # type: ignore[misc]
    def NewFileObject(self, resolver_context: Any, path_spec: Any) -> Any:  # noqa: N802
        return _RawFile(resolver_context, path_spec)


def _install() -> None:
    """Replace dfvfs's OS, EWF and RAW helpers with phunt's (once per process)."""
    for helper in (_OSHelper(), _EwfHelper(), _RawHelper()):
        current = ResolverHelperManager.GetHelper(helper.type_indicator)
        if type(current) is not type(helper):
            ResolverHelperManager.DeregisterHelper(current)
            ResolverHelperManager.RegisterHelper(helper)


_install()
