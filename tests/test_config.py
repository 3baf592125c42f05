from __future__ import annotations

from pathlib import Path

import pytest

from phunt.config import resolve
from phunt.errors import UsageError


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHUNT_HOME")
    cfg = resolve()
    assert cfg.home == Path("phunt-data")
    assert cfg.database_url == "sqlite:///phunt-data/phunt.db"
    assert cfg.timezone.key == "Asia/Kolkata"
    assert cfg.scratch == Path("phunt-data") / "scratch"


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
