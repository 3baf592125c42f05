"""The one rule for every file phunt writes at a user's request (exports, reports, graphs).

An examiner types ``--out`` by hand, in a hurry, next to the case. A mistyped path must
never cost the case: ``--out ./phunt-data/phunt.db`` once truncated the live database.
So every writer goes through :func:`check_target`, :func:`output_path` or
:func:`open_output`, which

- refuse anything inside a *protected* place: the data folder and the SQLite database
  with its ``-wal``/``-shm``/``-journal`` files (symbolic links resolved on both sides,
  so a link that points into the data folder is refused too);
- refuse an existing file unless ``force`` (and a folder always);
- refuse a missing parent folder instead of creating it (a typo stays visible);
- write to a temporary file in the target's own folder and rename it over the target
  only once it is complete and flushed, so a failed or interrupted export leaves the
  old file (or nothing), never half a file.

The CLI registers its protected places once per run (:func:`protect`, called from
``phunt.cli.common.settings``), so a service can call :func:`open_output` without
knowing the data folder; explicit ``protected=`` paths are added to them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from phunt.errors import UsageError

_protected: set[Path] = set()


def protect(*paths: str | os.PathLike[str]) -> None:
    """Refuse, from now on in this process, every output inside ``paths`` (a folder
    protects what it holds, a file itself)."""
    _protected.update(Path(os.path.realpath(p)) for p in paths)


def protected_paths() -> frozenset[Path]:
    """The places registered by :func:`protect`, resolved."""
    return frozenset(_protected)


def _inside(path: Path, place: Path) -> bool:
    return path == place or place in path.parents


def check_target(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    own: str | os.PathLike[str] | None = None,
    make_parents: bool = False,
) -> Path:
    """The absolute, resolved path to write ``target`` to, or a :class:`UsageError`
    saying why not (protected place, existing file without ``force``, a folder, a
    missing parent folder). ``own`` is a folder of phunt's own inside the data folder
    (the web's downloads under ``reports/``, named by phunt, never by a user): a target
    inside it is not refused for lying in a protected place. ``make_parents`` creates a
    missing parent folder (mode 0700) instead, once the target is known not to lie in a
    protected place: for services whose callers name a new folder (never the CLI)."""
    shown = os.fspath(target)
    if not shown:
        raise UsageError("no output file given")
    resolved = Path(os.path.realpath(shown))
    places = _protected | {Path(os.path.realpath(p)) for p in protected}
    mine = None if own is None else Path(os.path.realpath(own))
    for place in sorted(places):
        if _inside(resolved, place) and not (mine is not None and mine in resolved.parents):
            raise UsageError(
                f"refusing to write {shown}: it is inside phunt's data ({place}); "
                "choose a file outside the data folder"
            )
    if resolved.is_dir():
        raise UsageError(f"refusing to write {shown}: it is a folder")
    if make_parents and not resolved.parent.exists():
        resolved.parent.mkdir(mode=0o700, parents=True)
    if not resolved.parent.is_dir():
        raise UsageError(f"cannot write {shown}: folder {resolved.parent} does not exist")
    if resolved.exists() and not force:
        raise UsageError(f"{shown} exists; give --force to replace it")
    return resolved


@contextlib.contextmanager
def output_path(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    own: str | os.PathLike[str] | None = None,
) -> Iterator[Path]:
    """A temporary path in the target's folder to write to; when the block ends without
    an error it is flushed to disk and renamed to ``target`` (atomically). Without
    ``force`` the rename refuses a file that appeared meanwhile. On an error the
    temporary file is removed and ``target`` is untouched. ``own``: see
    :func:`check_target`."""
    final = check_target(target, force=force, protected=protected, own=own)
    fd, temp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        _flush(temp)
        _publish(temp, final, force=force, shown=os.fspath(target))
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def open_output(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[IO[str]]:
    """:func:`output_path` opened as UTF-8 text with ``newline=""`` (CSV writers choose
    their line ends). Bytes (a PDF) go through :func:`output_path` directly."""
    with (
        output_path(target, force=force, protected=protected) as temp,
        open(temp, "w", encoding="utf-8", newline="") as fh,
    ):
        yield fh


def _flush(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _publish(temp: Path, final: Path, *, force: bool, shown: str) -> None:
    """Rename ``temp`` to ``final``; without ``force`` through a hard link, which fails
    rather than replace a file created since :func:`check_target` looked."""
    if force:
        os.replace(temp, final)
    else:
        try:
            os.link(temp, final)
        except FileExistsError:
            raise UsageError(f"{shown} exists; give --force to replace it") from None
        except OSError:  # a file system without hard links: check, then rename
            if final.exists():
                raise UsageError(f"{shown} exists; give --force to replace it") from None
            os.replace(temp, final)
    with contextlib.suppress(OSError):  # the folder entry too, where the system allows it
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
