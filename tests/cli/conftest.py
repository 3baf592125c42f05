"""Command-line tests start where an examiner does after ``phunt init``: only init creates
a database, and its own tests (and those of refusing a missing one) take
``empty_db_url``."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_lib import initialise


@pytest.fixture
def db_url(empty_db_url: str, sqlite_template: Path) -> str:
    """A database of each kind that ``phunt init`` has made."""
    initialise(empty_db_url, sqlite_template)
    return empty_db_url
