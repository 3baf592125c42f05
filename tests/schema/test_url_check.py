"""Database URLs that would lose the case are refused; passwords are never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from phunt.errors import NotFoundError, StorageError, UsageError
from phunt.schema.db import Database
from phunt.schema.url_check import check_url, mask


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"]
)
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="database in memory: nothing would be kept"):
        Database(url)


@pytest.mark.parametrize(
    "url", ["postgresql://postgres@127.0.0.1:1", "postgresql://postgres@127.0.0.1:1/"]
)
def test_postgresql_without_a_database_name_is_refused(url: str) -> None:
    """Port 1: had the check let it through, nothing could be created anywhere."""
    with pytest.raises(UsageError, match="names no database"):
        Database(url)


def test_a_named_postgresql_database_passes() -> None:
    assert check_url("postgresql://u@h/phunt").database == "phunt"
    assert check_url("postgresql://u@h/?dbname=phunt").query["dbname"] == "phunt"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:s3cret@host:notaport/db", "postgresql://u:***@host:notaport/db"),
        ("postgresql://u:s3:cr@t@[::1/db", "postgresql://u:***@[::1/db"),
        (
            "postgresql://u@127.0.0.1:1/db?password=s3cret&x=1",
            "postgresql://u@127.0.0.1:1/db?password=***&x=1",
        ),
        # SQLAlchemy reads the password up to the first "@": "/", "?" and "#" belong to it.
        ("postgresql://u:s3/cret@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db"),
        ("postgresql://u:s3#cret@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db"),
        ("postgresql://u:s3?cret@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db"),
    ],
)
def test_a_password_is_never_shown(url: str, shown: str) -> None:
    """Neither when the URL does not parse nor when the server cannot be reached."""
    assert mask(url) == shown
    with pytest.raises((UsageError, StorageError)) as caught:
        Database(url)
    assert "s3" not in str(caught.value) and "***" in str(caught.value)


def test_sqlite_creates_no_folders(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        Database(f"sqlite:///{tmp_path}/new/deeper/phunt.db")
    assert list(tmp_path.iterdir()) == []


def test_only_create_makes_a_database(db_url: str, tmp_path: Path) -> None:
    """``create=False`` (every command but ``phunt init``) on a missing file or an empty
    PostgreSQL schema is an error and leaves nothing behind."""
    with pytest.raises(NotFoundError, match="`phunt init` creates one"):
        Database(db_url, create=False)
    with pytest.raises(NotFoundError, match="`phunt init` creates one"):
        Database(db_url, read_only=True)
    if db_url.startswith("sqlite"):
        assert not (tmp_path / "phunt.db").exists()
    else:
        probe = Database(db_url, migrate=False)
        try:
            assert probe.table_names() == []
        finally:
            probe.close()
    Database(db_url).close()  # create (phunt init's way)
    opened = Database(db_url, create=False)
    try:
        assert "audit_record" in opened.table_names()
    finally:
        opened.close()
