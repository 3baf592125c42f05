"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is the lab database; CI has it at 127.0.0.1:5432 (``PHUNT_TEST_POSTGRES``
overrides the URL). Each test gets its own schema there and its own file for SQLite.
With ``CI=true`` an unreachable PostgreSQL fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_lib import initialise, postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty, isolated database of each kind (no file, an empty
    schema): what ``phunt init`` starts from."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'phunt.db'}"
    else:
        yield from postgres_schema()


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database URL for an empty, isolated database of each kind (tests/cli overrides
    it with one ``phunt init`` has made, since only init creates a database)."""
    return empty_db_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the head schema, migrated once per run and copied by
    :func:`test_lib.initialise` (migrating costs about a second of CPU a database)."""
    from phunt.schema.db import Database

    path = tmp_path_factory.mktemp("template") / "phunt.db"
    Database(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def initialised_home(sqlite_template: Path) -> Path:
    """``$PHUNT_HOME`` with a database ``phunt init`` has made, for tests of commands run
    with the default data folder."""
    home = Path(os.environ["PHUNT_HOME"])
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    initialise(f"sqlite:///{home / 'phunt.db'}", sqlite_template)
    return home


@pytest.fixture
def database(db_url: str) -> Iterator[object]:
    """An opened, migrated :class:`phunt.schema.db.Database`."""
    from phunt.schema.db import Database

    db = Database(db_url)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's PHUNT_* settings or writes into the work tree, nor
    into the user's cache of set files (which a PostgreSQL database's sets are read from),
    nor into the user's data folder (the default home, under XDG_DATA_HOME)."""
    for name in ("PHUNT_HOME", "PHUNT_DATABASE_URL", "PHUNT_TIMEZONE", "PHUNT_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PHUNT_HOME", str(tmp_path / "phunt-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "phunt-cache"))


@pytest.fixture(scope="session")
def big_pictures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a 108 MP phone photo (made once per run: too big to commit), the
    900 MP bomb header from test_data and a small text file."""
    import importlib.util
    import shutil

    from test_lib import TEST_DATA

    spec = importlib.util.spec_from_file_location(
        "image_fixtures", TEST_DATA / "images" / "make_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    folder = tmp_path_factory.mktemp("big-pictures")
    fixtures.big_photo(folder / "IMG_20260504_101112.jpg")
    shutil.copy(TEST_DATA / "images" / "bomb-30000x30000.png", folder / "bomb.png")
    (folder / "notes.txt").write_text("bring the blue folder\n")
    return folder
