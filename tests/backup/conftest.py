"""A backed-up world: the reports' case with two devices ingested for real, its device
report written before the backup, and an audit key to sign with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phunt.audit.anchor import init_key
from phunt.schema.db import Database
from reports.conftest import sources as sources
from test_lib import initialise, postgres_schema


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "audit-key.pem"
    init_key(path)
    return path


@pytest.fixture
def other_key(tmp_path: Path) -> Path:
    path = tmp_path / "other-key.pem"
    init_key(path)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def target_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """An empty database as ``phunt init`` makes it, of each kind, to restore into."""
    if request.param == "sqlite":
        folder = tmp_path / "restored"
        folder.mkdir()
        url = f"sqlite:///{folder / 'phunt.db'}"
        initialise(url, sqlite_template)
        yield url
    else:
        for url in postgres_schema():
            Database(url).close()
            yield url
