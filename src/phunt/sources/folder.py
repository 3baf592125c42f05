"""A folder on the local file system (a mounted device, a copied extraction).

Walked depth-first in name order; symbolic links are never followed (they could lead
out of the evidence or into a loop) and are recorded as skipped, as are FIFOs, sockets,
device nodes and folders that cannot be listed.

The times recorded are the file's before phunt read it. Each file is stat'ed before it is
yielded, so before any stage opens it; a file named as the evidence itself can be given
the stat taken before the probe and the source hash read it (``root_stat``); and a file
with several hard links keeps the times its first name had, since reading it under that
name may have moved the access time the second name shows. (Reads use ``O_NOATIME``
where allowed, :func:`~phunt.sources.locator.open_read_only`; this covers the rest.)
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

from phunt.sources.base import Entry, FileTimes, Source, display_path, name_problem
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.locator import Locator

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def times_from_stat(st: os.stat_result) -> FileTimes:
    """MAC(B) times from ``os.lstat``; birth time only where the platform keeps it."""
    birth = getattr(st, "st_birthtime", None)
    return FileTimes(
        modified=_utc(st.st_mtime),
        accessed=_utc(st.st_atime),
        changed=_utc(st.st_ctime),
        created=_utc(birth),
    )


def _special_reason(mode: int) -> str | None:
    for test, what in _SPECIAL_KINDS:
        if test(mode):
            return f"skipped: {what}, not a regular file"
    return None


def _symlink_reason(path: str) -> str:
    try:
        target = display_path(os.readlink(path))
    except OSError as exc:
        target = f"unreadable ({exc.strerror})"
    try:
        os.stat(path)
        what = "symbolic link, not followed"
    except OSError as exc:
        what = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
    return f"{what} (-> {target})"


def _symlink_entry(path: str) -> Entry:
    return Entry(path=display_path(path), error=f"skipped: {_symlink_reason(path)}")


def root_stat(path: str) -> os.stat_result | None:
    """``os.lstat(path)`` of the evidence itself, taken before anything reads it (its
    times as found); ``None`` when it cannot be read (the walk reports that)."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def root_problem(path: str) -> str | None:
    """Why ``path``, named as the evidence itself, cannot be read as evidence, or ``None``.

    A symbolic link is not followed even there (say the folder or file it points to); a
    FIFO, socket or character device would block or never end, so it is refused before
    anything opens it. A block device (a seized disk attached read-only) is evidence.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # the walk reports what it cannot read
    if stat.S_ISLNK(mode):
        reason = f"a {_symlink_reason(path)}"
        if os.path.exists(path):
            reason += ": name the folder or file it points to"
        return reason
    for test, what in _SPECIAL_KINDS:
        if test(mode) and not stat.S_ISBLK(mode):
            return f"{what}: not a file, folder or disk to read"
    return None


class FolderSource(Source):
    """Every file under a folder (or a single plain file named directly)."""

    name = "folder"

    def __init__(
        self,
        path: str,
        *,
        display: str | None = None,
        locator: Locator | None = None,
        root_stat: os.stat_result | None = None,
    ) -> None:
        """``root_stat``: ``os.lstat(path)`` taken before anything read ``path``."""
        super().__init__(path, display=display, locator=locator)
        self.root_stat = root_stat
        self._linked: dict[tuple[int, int], tuple[FileTimes, int]] = {}

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        return os.path.isdir(path)

    def entries(self) -> Iterator[Entry]:
        try:
            st = self.root_stat or os.lstat(self.path)
        except OSError as exc:
            yield Entry(path=self.display, error=f"cannot read: {exc.strerror}")
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self._walk(self.path)
        else:
            yield self._entry(self.path, st)

    def _walk(self, folder: str) -> Iterator[Entry]:
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            yield Entry(path=display_path(folder), error=f"cannot list folder: {reason}")
            return
        for child in children:
            try:
                st = child.stat(follow_symlinks=False)
            except OSError as exc:
                yield Entry(path=display_path(child.path), error=f"cannot stat: {exc.strerror}")
                continue
            if stat.S_ISDIR(st.st_mode):
                yield from self._walk(child.path)
            else:
                yield self._entry(child.path, st)

    def _times(self, st: os.stat_result) -> FileTimes:
        """The file's times; for a hard-linked file, those its first name showed (kept
        until its other names are seen, so memory follows the links still to come)."""
        if st.st_nlink <= 1 or stat.S_ISDIR(st.st_mode):
            return times_from_stat(st)
        key = (st.st_dev, st.st_ino)
        times, unseen = self._linked.get(key, (times_from_stat(st), st.st_nlink))
        if unseen > 1:
            self._linked[key] = (times, unseen - 1)
        else:
            self._linked.pop(key, None)
        return times

    def _entry(self, path: str, st: os.stat_result) -> Entry:
        if stat.S_ISLNK(st.st_mode):
            return _symlink_entry(path)
        reason = _special_reason(st.st_mode)
        times = self._times(st)
        problem = name_problem(path)
        if reason is not None:
            return Entry(path=display_path(path), times=times, error=reason, name_problem=problem)
        return Entry(
            path=display_path(path),
            size=st.st_size,
            times=times,
            name_problem=problem,
            locator=Locator(path),
        )
