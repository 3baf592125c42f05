"""The one place phunt puts the temporary copies it makes of evidence.

Reading evidence sometimes needs a file on disk: a zip inside a disk image is copied out
so that it can be opened, a 7z member is decompressed, a SQLite database is copied with
its ``-wal``. Those copies are evidence too, so they never go to the shared system
temporary folder: each process keeps them in its own folder of the *scratch area*,
``<data folder>/scratch/<host>-<pid>-<start>/`` (mode 0700, made when first needed, in
an area of mode 0700), and removes that folder when it ends. A process killed outright
(SIGKILL, power loss) cannot clean up, so every command starts by removing the folders
of this host's processes that are gone (:func:`remove_stale`); another host's folders
(a data folder shared by a lab) and a live process's are never touched. ``<start>`` is
the process's start time where the system tells it (Linux), so a reused process id does
not keep a dead process's copies alive, else a random token.

Commands choose the area with :func:`use`: the data folder's, or for ``phunt hash`` and
``phunt scan`` with no data folder the user's cache (``$XDG_CACHE_HOME/phunt/scratch``).
Code that never chose one (a command with no data folder such as ``phunt chats parse``,
a library caller, a Dask worker on another machine) uses the user's cache, and clears
it of stale folders when it first makes its own there. Pool workers forked by the
coordinator inherit its choice and make their own folders in it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import socket
import stat
import threading
from collections.abc import Mapping
from multiprocessing import util as mp_util

from phunt.errors import UsageError

#: The scratch area's name inside a data folder or the user's cache folder.
AREA_NAME = "scratch"
_NAME = re.compile(r"^(?P<host>[^-]+)-(?P<pid>[1-9][0-9]*)-(?P<token>[0-9]+|r[0-9a-f]+)$")

_lock = threading.Lock()
_area: str | None = None
_pid = 0
_token = ""
_folders: dict[str, str] = {}
_cleared: set[str] = set()


def host_name() -> str:
    """This machine's name as it appears in folder names (no ``-``, no separators)."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def user_area(environ: Mapping[str, str] | None = None) -> str:
    """``$XDG_CACHE_HOME/phunt/scratch`` (an absolute XDG_CACHE_HOME only), else
    ``~/.cache/phunt/scratch``: the area of triage with no data folder."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "phunt", AREA_NAME)


def current_area() -> str:
    """The area this process's copies go to: the one chosen by :func:`use`, else the
    user's cache area."""
    return _area if _area is not None else os.path.abspath(user_area())


def use(area: str) -> list[str]:
    """Put this process's copies in ``area`` from now on, after removing the stale
    folders there and in the user's cache area; returns the folders removed."""
    global _area
    _area = os.path.abspath(area)
    removed = remove_stale(_area)
    _cleared.add(_area)
    if os.path.abspath(user_area()) != _area:
        removed += remove_stale(user_area())
        _cleared.add(os.path.abspath(user_area()))
    return removed


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (Linux), or ``None``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields if len(fields) > 19 else None


def process_token(pid: int | str = "self") -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux ``/proc``), or
    ``None`` when the system does not say."""
    fields = _stat(pid)
    try:
        return None if fields is None else fields[19].decode("ascii")
    except UnicodeDecodeError:
        return None


def pid_running(pid: int) -> bool:
    """Whether process ``pid`` exists on this host and has not ended: a killed process
    its parent has not reaped yet (a zombie) has ended. Another user's process counts."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat(pid)
    return fields is None or fields[0] not in (b"Z", b"X")


def _own_token() -> str:
    return process_token() or "r" + secrets.token_hex(8)


def is_alive(pid: int, token: str) -> bool:
    """Whether the process that named a folder ``pid``/``token`` still runs; when in
    doubt, yes (a live process's copies must never be removed)."""
    if not pid_running(pid):
        return False
    if token.startswith("r"):
        return True
    now = process_token(pid)
    return now is None or now == token


def remove_stale(area: str) -> list[str]:
    """Remove the folders in ``area`` of this host's processes that are gone (never
    another host's, never a live process's, never anything not named by this module)."""
    removed: list[str] = []
    host = host_name()
    try:
        children = list(os.scandir(area))
    except OSError:
        return removed  # no area yet, or none readable: nothing of ours to remove
    for child in children:
        found = _NAME.match(child.name)
        if found is None or found["host"] != host or not child.is_dir(follow_symlinks=False):
            continue
        pid, token = int(found["pid"]), found["token"]
        if is_alive(pid, token):
            continue
        shutil.rmtree(child.path, ignore_errors=True)
        removed.append(child.path)
    return removed


def _private_area(area: str) -> str:
    """``area``, made if needed with mode 0700; refused when another user owns it."""
    os.makedirs(area, mode=0o700, exist_ok=True)
    st = os.lstat(area)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise UsageError(f"{area}: scratch folder is not a folder of this user's")
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(area, 0o700)
    return area


def folder() -> str:
    """This process's private folder in the current area, made now if needed."""
    global _pid, _token, _folders
    area = current_area()
    with _lock:
        if _pid != os.getpid():  # first use here, or inherited through fork: not ours
            _pid, _token, _folders = os.getpid(), _own_token(), {}
            mp_util.Finalize(None, remove_own, exitpriority=1)
        path = _folders.get(area)
        if path is None or not os.path.isdir(path):
            if area not in _cleared:
                remove_stale(area)
                _cleared.add(area)
            path = os.path.join(_private_area(area), f"{host_name()}-{_pid}-{_token}")
            os.makedirs(path, mode=0o700, exist_ok=True)
            _folders[area] = path
        return path


def remove_own() -> None:
    """Remove every folder this process made (at exit; safe to call again)."""
    with _lock:
        if _pid != os.getpid():
            return
        folders = list(_folders.values())
        _folders.clear()
    for path in folders:
        with contextlib.suppress(OSError):
            shutil.rmtree(path)


def _after_fork() -> None:
    """A child forked while another thread held the lock would wait on it for ever."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
# The coordinator leaves through atexit; pool workers through multiprocessing's
# finalizers (registered in each process by its first :func:`folder`).
atexit.register(remove_own)
