"""The web world's hash-set files, for the tests that read entries, versions and diffs.

On SQLite a database's set files sit in ``hashsets/`` beside it, which the shared
fixture's copy of the template database leaves behind; on PostgreSQL they are rows of
the database and come along with it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import World


def with_set_files(world: World, request: pytest.FixtureRequest) -> World:
    """``world`` with its set files where its database looks for them."""
    if world.database.engine.dialect.name == "sqlite":
        template, _ = request.getfixturevalue("_sqlite_template")
        beside = Path(world.database.engine.url.database or "").parent / "hashsets"
        shutil.copytree(template.parent / "hashsets", beside, dirs_exist_ok=True)
    return world
