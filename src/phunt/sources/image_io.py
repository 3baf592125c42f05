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
from collections.abc import Callable, Iterable, Sequence
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


def _segmented(
    base: Any, glob: Callable[[str], Sequence[str]], new_handle: Callable[[], Any]
) -> Any:
    """dfvfs's file object class ``base`` (EWF's or RAW's), changed so that a set on the
    local file system is opened by ``new_handle()`` (pyewf's or pysmraw's handle) over
    files phunt opened, its segments found by ``glob`` as dfvfs finds them; a set inside
    another image is opened as dfvfs opens it (through dfvfs's file objects)."""

    class Segmented(base):  # type: ignore[misc]
        def __init__(self, resolver_context: Any, path_spec: Any) -> None:
            super().__init__(resolver_context, path_spec)
            self._segments: list[BinaryIO] = []

        def _OpenFileObject(self, path_spec: Any) -> Any:  # noqa: N802  (dfvfs's interface)
            parent = path_spec.parent if path_spec.HasParent() else None
            first = _local(parent) if parent is not None and parent.IsSystemLevel() else None
            if first is None:
                return super()._OpenFileObject(path_spec)
            handle = new_handle()
            self._segments = _open_set(handle, glob(first))
            return handle

        def _Close(self) -> None:  # noqa: N802  (dfvfs's interface)
            try:
                super()._Close()
            finally:
                close_all(self._segments)
                self._segments = []

    return Segmented


def _helper(base: Any, file_class: Any) -> Any:
    """dfvfs's resolver helper ``base``, making ``file_class`` file objects instead."""

    class Helper(base):  # type: ignore[misc]
        def NewFileObject(self, resolver_context: Any, path_spec: Any) -> Any:  # noqa: N802
            return file_class(resolver_context, path_spec)

    return Helper()


def _install() -> None:
    """Put phunt's OS, EWF and RAW helpers in the place of dfvfs's (at import, once)."""
    for helper in (
        _helper(os_resolver_helper.OSResolverHelper, _OSFile),
        _helper(
            ewf_resolver_helper.EWFResolverHelper,
            _segmented(ewf_file_io.EWFFile, pyewf.glob, pyewf.handle),
        ),
        _helper(
            raw_resolver_helper.RawResolverHelper,
            _segmented(raw_file_io.RawFile, pysmraw.glob, pysmraw.handle),
        ),
    ):
        ResolverHelperManager.DeregisterHelper(
            ResolverHelperManager.GetHelper(helper.type_indicator)
        )
        ResolverHelperManager.RegisterHelper(helper)


_install()
