from __future__ import annotations

from pathlib import Path

import pytest

from phunt.config import resolve
from phunt.errors import UsageError


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The default home is the user's data folder (XDG on Linux), never the current
    folder, which may be the evidence itself."""
    monkeypatch.delenv("PHUNT_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)
    cfg = resolve()
    home = tmp_path / "share" / "phunt"
    assert cfg.home == home
    assert cfg.database_url == f"sqlite:///{home}/phunt.db"
    assert cfg.timezone.key == "Asia/Kolkata"
    assert cfg.scratch == home / "scratch"
    assert cfg.protected == (
        home,
        home / "phunt.db",
        home / "phunt.db-wal",
        home / "phunt.db-shm",
        home / "phunt.db-journal",
        tmp_path / "share" / "phunt-audit-key.pem",
    )


def test_options_beat_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PHUNT_DATABASE_URL", "postgresql://lab/phunt")
    assert resolve().database_url == "postgresql://lab/phunt"
    assert resolve(db="sqlite:///x.db").database_url == "sqlite:///x.db"
    monkeypatch.delenv("PHUNT_DATABASE_URL")
    assert resolve(home=str(tmp_path)).database_url == f"sqlite:///{tmp_path / 'phunt.db'}"


def test_bad_timezone_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHUNT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(UsageError, match="Mars/Olympus"):
        resolve()
