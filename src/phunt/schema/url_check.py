"""Database URLs phunt accepts, and how it names them in messages.

Two URLs look harmless and lose the case: ``sqlite://`` (a database in memory: every
change is gone when the command ends, after it said "created") and a PostgreSQL URL
without a database name (libpq then connects to a default database, often ``postgres``
itself, and phunt would fill it with its tables). Both are refused before anything
connects. A URL is shown only with its password masked, even when it does not parse.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from phunt.errors import UsageError

#: ``scheme://user:password@``: everything up to the last ``@`` is masked, since ``/``,
#: ``?``, ``#`` and ``@`` may all be in a password as the drivers read it; when a ``@``
#: comes later in the URL more is masked than the password, which shows less, never more.
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*:).*(?=@)")
#: ``password=...`` in a query string or a libpq keyword string.
_PASSWORD_PARAM = re.compile(r"(?P<key>password=)[^&\s]*", re.I)


def mask(url: str) -> str:
    """``url`` with any password replaced by ``***``; works on text that does not parse."""
    return _PASSWORD_PARAM.sub(r"\g<key>***", _PASSWORD.sub(r"\g<head>***", url))


def parse(url: str) -> URL:
    """The parsed URL, or a :class:`UsageError` that shows it masked."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise UsageError(f"not a database URL: {mask(url)}") from None


def check_url(url: str) -> URL:
    """The parsed URL when phunt may keep a case in it; else a :class:`UsageError`.

    Refused: in-memory SQLite (nothing would be kept), PostgreSQL without a database
    name (it would land in libpq's default database), and other database kinds.
    """
    parsed = parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if sqlite_path(parsed) is None:
            raise UsageError(
                f"{mask(url)} is a database in memory: nothing would be kept; "
                "give a file (sqlite:///path/phunt.db) or leave --db out"
            )
        return parsed
    if backend == "postgresql":
        if not parsed.database and not _query_names_database(parsed):
            raise UsageError(
                f"{mask(url)} names no database: give one "
                "(postgresql://user@host/phunt), phunt will not use libpq's default"
            )
        return parsed
    raise UsageError(f"{mask(url)}: phunt keeps cases in SQLite or PostgreSQL only")


def sqlite_path(parsed: URL) -> Path | None:
    """The file of a SQLite URL; ``None`` for an in-memory database."""
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):
        if "memory" in parse_qs(database.partition("?")[2]).get("mode", []):
            return None
        database = database.removeprefix("file:").partition("?")[0]
        if not database or database == ":memory:":
            return None
    return Path(database)


def _query_names_database(parsed: URL) -> bool:
    value = parsed.query.get("dbname")
    return bool(value if isinstance(value, str) else value and value[0])
