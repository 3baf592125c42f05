"""Where phunt keeps its data and which database it talks to.

The embedded default needs no set-up: SQLite at ``$PHUNT_HOME/phunt.db`` with
``PHUNT_HOME`` defaulting to the user's data folder (the platform's convention, through
``platformdirs``: ``~/.local/share/phunt`` on Linux). It was once ``./phunt-data``: run
from inside the evidence, phunt wrote its database onto the evidence and then ingested
its own files. A lab points ``PHUNT_DATABASE_URL`` (or ``--db``) at PostgreSQL.
Temporary copies of evidence go to the data folder's ``scratch`` area
(:mod:`phunt.scratch`). The unit's time zone (``PHUNT_TIMEZONE``, default Asia/Kolkata)
is used only for display; everything is stored in UTC.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phunt.errors import UsageError

DEFAULT_TIMEZONE = "Asia/Kolkata"
SCRATCH_NAME = "scratch"
#: Files SQLite keeps beside a database (the database itself first).
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run."""

    home: Path
    database_url: str
    timezone: ZoneInfo

    @property
    def scratch(self) -> Path:
        """The scratch area: private copies of evidence made while reading it."""
        return self.home / SCRATCH_NAME

    @property
    def database_file(self) -> Path | None:
        """The SQLite database's file, ``None`` for PostgreSQL."""
        if not self.database_url.startswith("sqlite:///"):
            return None
        path = self.database_url.removeprefix("sqlite:///").partition("?")[0]
        path = path.removeprefix("file:")
        return Path(path) if path and path != ":memory:" else None

    @property
    def audit_key_file(self) -> Path:
        """The audit key's default place: beside the data folder, not in it, so the key is
        not lost or copied with the database (``phunt audit key init``)."""
        return self.home.with_name(self.home.name + "-audit-key.pem")

    @property
    def protected(self) -> tuple[Path, ...]:
        """What no export may overwrite and no ingest may read as evidence: the data
        folder, a SQLite database with the files SQLite keeps beside it, and the audit
        key (an output over it would lose every later signature)."""
        file = self.database_file
        sides = () if file is None else tuple(Path(f"{file}{s}") for s in SQLITE_SIDE_FILES)
        return (self.home, *sides, self.audit_key_file)

    def check_source(self, source: str | os.PathLike[str]) -> None:
        """Refuse evidence that holds phunt's own data or lies inside it: ingesting the
        database (with its ``-wal`` and ``-shm``) as device files, while writing it."""
        given = Path(os.path.realpath(source))
        for place in self.protected:
            mine = Path(os.path.realpath(place))
            if given == mine or given in mine.parents:
                raise UsageError(
                    f"refusing to ingest {os.fspath(source)}: it holds phunt's data ({mine}); "
                    "move the data folder (--home, PHUNT_HOME) out of the evidence"
                )
            if mine in given.parents:
                raise UsageError(
                    f"refusing to ingest {os.fspath(source)}: it lies inside phunt's data ({mine})"
                )


def make_home(home: Path) -> None:
    """Create the data folder (mode 0700: it holds evidence's hashes and names); an
    unwritable place is a :class:`UsageError` naming it, not a traceback."""
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the data folder {home}: {exc.strerror}") from None
    if not os.access(home, os.W_OK):
        raise UsageError(f"cannot write in the data folder {home}: it is read-only")


def default_home() -> Path:
    """The user's data folder for phunt (``platformdirs.user_data_dir``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("phunt"))


def resolve(home: str | None = None, db: str | None = None) -> Settings:
    """Settings from explicit options first, then the environment, then the defaults."""
    home_path = Path(home or os.environ.get("PHUNT_HOME") or default_home())
    url = db or os.environ.get("PHUNT_DATABASE_URL") or f"sqlite:///{home_path / 'phunt.db'}"
    tz_name = os.environ.get("PHUNT_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {tz_name!r} in PHUNT_TIMEZONE") from None
    return Settings(home=home_path, database_url=url, timezone=tz)
