"""Disk images read only through files phunt opened, so their access times stay put.

dfvfs finds an image's layers and pytsk3 walks its file systems, both reading through
dfvfs's file objects. Left alone, dfvfs opens a local file with ``open(path)`` (its
``OS`` resolver helper), and an E01 set or a raw image (one file or a split set) from its
path with pyewf's and pysmraw's own ``open``: libewf and libsmraw read the segments
without O_NOATIME, and every read moves the segments' access times on a read-write mount.

Importing this module puts phunt's helpers in the place of dfvfs's for those three types
(``ResolverHelperManager`` is dfvfs's own way to add or replace a back end): a local
file is opened with :func:`~phunt.sources.locator.open_read_only`; the segments of an E01
set are opened so and handed to pyewf as file objects (``open_file_objects``,
:class:`EwfMedia`, which the MD5 check uses too); those of a raw image are read by
:class:`RawMedia` with ``os.pread`` (pysmraw over Python file objects cost a third more
CPU than it did over its own files; RawMedia costs no more). dfvfs reads evidence only
in phunt, so the whole process reads images this way. Devices, mount-point paths and
images inside other images are still opened as dfvfs opens them.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import itertools
import os
import stat
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import pyewf
from dfvfs.file_io import ewf_file_io, os_file_io, raw_file_io
from dfvfs.lib import raw_helper
from dfvfs.resolver import resolver
from dfvfs.resolver_helpers import ewf_resolver_helper, os_resolver_helper, raw_resolver_helper
from dfvfs.resolver_helpers.manager import ResolverHelperManager

from phunt.sources.locator import open_read_only


def open_segments(paths: Sequence[str]) -> list[BinaryIO]:
    """Each of ``paths`` opened read-only without moving its access time; all or none.
    Unbuffered: libewf keeps its own cache, and a Python buffer would only copy."""
    opened: list[BinaryIO] = []
    try:
        for path in paths:
            opened.append(open_read_only(path, buffering=0))
    except BaseException:
        close_all(opened)
        raise
    return opened


def close_all(files: Iterable[BinaryIO]) -> None:
    """Close every file; pyewf never closes the file objects it was given."""
    for file in files:
        with contextlib.suppress(OSError):
            file.close()


class EwfMedia:
    """pyewf's handle over an E01 set (``segments`` first one first, as ``pyewf.glob``
    lists them), reading through files opened here. ``OSError`` when it cannot open."""

    def __init__(self, segments: Sequence[str]) -> None:
        self.handle = pyewf.handle()
        self._files = open_segments(segments)
        try:
            self.handle.open_file_objects(self._files)
        except BaseException:
            self.close_files()
            raise

    def close_files(self) -> None:
        """Close the segment files (once the handle is closed)."""
        close_all(self._files)
        self._files = []

    def close(self) -> None:
        try:
            self.handle.close()
        finally:
            self.close_files()


class RawMedia:
    """The media of a raw image, one file or a split set (``files`` first one first), as
    one read-only stream with the calls dfvfs makes of pysmraw's handle."""

    def __init__(self, files: list[BinaryIO]) -> None:
        self._files = files
        sizes = (os.fstat(file.fileno()).st_size for file in files)
        #: Where each segment starts in the media; the last item is the media's size.
        self._starts = list(itertools.accumulate(sizes, initial=0))
        self._offset = 0

    def get_media_size(self) -> int:
        return self._starts[-1]

    def get_offset(self) -> int:
        return self._offset

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        bases = {os.SEEK_SET: 0, os.SEEK_CUR: self._offset, os.SEEK_END: self._starts[-1]}
        if whence not in bases or bases[whence] + offset < 0:
            raise OSError(errno.EINVAL, f"invalid seek ({offset}, {whence})")
        self._offset = bases[whence] + offset
        return self._offset

    def read(self, size: int | None = None) -> bytes:
        """Up to ``size`` bytes (the rest of the media for ``None``) from the offset; a
        segment that shrank since it was opened ends the read there."""
        end = self._starts[-1]
        if size is not None and size >= 0:
            end = min(end, self._offset + size)
        parts = []
        while self._offset < end:
            index = bisect.bisect_right(self._starts, self._offset) - 1
            want = min(end, self._starts[index + 1]) - self._offset
            data = os.pread(self._files[index].fileno(), want, self._offset - self._starts[index])
            if not data:
                break
            parts.append(data)
            self._offset += len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        close_all(self._files)
        self._files = []


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


def _local_set(path_spec: Any) -> str | None:
    """The first segment's local path when the storage-media image ``path_spec`` lies on
    the local file system (where dfvfs would open it from its path), else ``None``."""
    parent = path_spec.parent if path_spec.HasParent() else None
    return _local(parent) if parent is not None and parent.IsSystemLevel() else None


class _OSFile(os_file_io.OSFile):  # type: ignore[misc]
    """dfvfs's local file, opened with O_NOATIME where the system allows it."""

    def _Open(self) -> None:  # noqa: N802  (dfvfs's interface)
        location = _local(self._path_spec)
        if location is None:
            super()._Open()
            return
        self._file_object = open_read_only(location)
        self._size = os.fstat(self._file_object.fileno()).st_size


class _EwfFile(ewf_file_io.EWFFile):  # type: ignore[misc]
    """dfvfs's E01 image, its segments read through files phunt opened."""

    def __init__(self, resolver_context: Any, path_spec: Any) -> None:
        super().__init__(resolver_context, path_spec)
        self._media: EwfMedia | None = None

    def _OpenFileObject(self, path_spec: Any) -> Any:  # noqa: N802  (dfvfs's interface)
        first = _local_set(path_spec)
        if first is None:
            return super()._OpenFileObject(path_spec)
        self._media = EwfMedia(pyewf.glob(first))
        return self._media.handle

    def _Close(self) -> None:  # noqa: N802  (dfvfs's interface)
        try:
            super()._Close()  # closes pyewf's handle
        finally:
            if self._media is not None:
                self._media.close_files()
                self._media = None


class _RawFile(raw_file_io.RawFile):  # type: ignore[misc]
    """dfvfs's raw image, its segments (found as dfvfs finds them) read by RawMedia."""

    def _OpenFileObject(self, path_spec: Any) -> Any:  # noqa: N802  (dfvfs's interface)
        if _local_set(path_spec) is None:
            return super()._OpenFileObject(path_spec)
        file_system = resolver.Resolver.OpenFileSystem(
            path_spec.parent, resolver_context=self._resolver_context
        )
        segments = raw_helper.RawGlobPathSpec(file_system, path_spec)
        if not segments:
            return None
        return RawMedia(open_segments([segment.location for segment in segments]))


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
        _helper(ewf_resolver_helper.EWFResolverHelper, _EwfFile),
        _helper(raw_resolver_helper.RawResolverHelper, _RawFile),
    ):
        ResolverHelperManager.DeregisterHelper(
            ResolverHelperManager.GetHelper(helper.type_indicator)
        )
        ResolverHelperManager.RegisterHelper(helper)


_install()
