"""Where phunt keeps its data and which database it talks to.

The embedded default needs no set-up: SQLite at ``$PHUNT_HOME/phunt.db`` with
``PHUNT_HOME`` defaulting to ``./phunt-data``. A lab points ``PHUNT_DATABASE_URL`` (or
``--db``) at PostgreSQL. Temporary copies of evidence go to the data folder's
``scratch`` area (:mod:`phunt.scratch`). The unit's time zone (``PHUNT_TIMEZONE``,
default Asia/Kolkata) is used only for display; everything is stored in UTC.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phunt.errors import UsageError

DEFAULT_HOME = "phunt-data"
DEFAULT_TIMEZONE = "Asia/Kolkata"
SCRATCH_NAME = "scratch"


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


def resolve(home: str | None = None, db: str | None = None) -> Settings:
    """Settings from explicit options first, then the environment, then the defaults."""
    home_path = Path(home or os.environ.get("PHUNT_HOME") or DEFAULT_HOME)
    url = db or os.environ.get("PHUNT_DATABASE_URL") or f"sqlite:///{home_path / 'phunt.db'}"
    tz_name = os.environ.get("PHUNT_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {tz_name!r} in PHUNT_TIMEZONE") from None
    return Settings(home=home_path, database_url=url, timezone=tz)
