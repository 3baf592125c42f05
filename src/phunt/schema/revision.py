"""The schema revision the code knows, read without SQLAlchemy or Alembic.

Opening a database checks its recorded revision against this one; so does the light
read path of ``phunt scan --hashset`` (:mod:`phunt.hashsets.store_light`), which must not
pay for SQLAlchemy to learn that the database needs no migration.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from phunt.errors import StorageError

MIGRATIONS = Path(__file__).with_name("migrations")

_REVISION = re.compile(r'^(down_revision|revision) = (?:"([^"]*)"|None)$', re.M)


@functools.cache
def head_revision() -> str:
    """The newest revision the code knows, read from the migration files' own headers.

    Reading two lines per file keeps every command's start-up free of Alembic; a test
    checks the answer against Alembic's own.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if key == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise StorageError(f"the migrations have {len(heads)} heads, expected one: {sorted(heads)}")
    return heads.pop()
