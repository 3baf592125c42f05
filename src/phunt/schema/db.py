"""Opening the case database and bringing its schema up to date.

Only ``phunt init`` creates a database (``create=True``): any other command on a missing
file or an empty PostgreSQL database is told so, instead of starting a new, empty case
somewhere a typo pointed. An existing database older than the code is migrated when a
command writes; a reading command opens it read-only (``read_only=True``: SQLite through
a ``mode=ro`` URI with no WAL switch, PostgreSQL in read-only transactions) and never
migrates, so it works on a read-only mount. SQLite gets WAL and foreign keys; both
databases get UTC everywhere. No folder is ever created here.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Dialect, Engine, Table, create_engine, event, insert, inspect
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session as Session  # re-exported: the type services pass on
from sqlalchemy.orm import sessionmaker

from phunt.errors import NotFoundError, StorageError
from phunt.schema.revision import MIGRATIONS as MIGRATIONS  # re-exported, as it was
from phunt.schema.revision import head_revision as head_revision
from phunt.schema.types import json_text
from phunt.schema.url_check import check_url, mask, sqlite_path

#: PostgreSQL's refusals of a user's rights: insufficient privilege, read-only transaction.
_REFUSED = ("42501", "25006")


@functools.lru_cache(maxsize=16)
def driver_insert(
    table: Table, dialect: Dialect, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], bool]:
    """The insert of columns ``names`` of ``table`` compiled for ``dialect``, for the
    driver's ``executemany`` (thousands of rows, each bound by SQLAlchemy, cost more than
    the insert): its SQL, the columns in the order of its parameters, and whether they
    are positional."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
    positional = bool(compiled.positional)
    order = tuple(compiled.positiontup or ()) if positional else names
    return str(compiled), order, positional


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _postgresql_read_only(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.close()
    dbapi_conn.commit()


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (no folder is created). ``read_only``: every connection
    refuses writes (SQLite ``mode=ro``, PostgreSQL read-only transactions); the engine's
    URL stays the plain one, which is what the set files' folder is found from."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if read_only and url.startswith("sqlite:"):
        kwargs = {"creator": _read_only_sqlite(url)} | kwargs
    try:
        engine = create_engine(url, **({"json_serializer": json_text} | kwargs))
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"cannot use database {mask(url)}: {mask(str(exc))}") from None
    if engine.dialect.name == "sqlite":
        pragmas = _sqlite_read_only_pragmas if read_only else _sqlite_pragmas
        event.listen(engine, "connect", pragmas)
    elif read_only:
        event.listen(engine, "connect", _postgresql_read_only)
    return engine


def _read_only_sqlite(url: str) -> Callable[[], sqlite3.Connection]:
    """Connections to the file of ``url`` through a ``mode=ro`` URI. A folder nobody may
    write to (a read-only mount) cannot hold the ``-shm`` index SQLite's WAL readers
    need, so a database closed cleanly there (no ``-wal`` beside it) is opened
    ``immutable``: no writer can be at work in such a folder. A ``-wal`` left there is
    read through ``mode=ro``, which then needs the ``-shm`` to be present too."""
    from urllib.parse import quote

    path = sqlite_path(check_url(url))
    if path is None:
        raise StorageError(f"{mask(url)} is not a database file")
    absolute = os.path.abspath(path)
    uri = f"file:{quote(absolute)}?mode=ro"
    if not os.access(os.path.dirname(absolute), os.W_OK) and not os.path.exists(absolute + "-wal"):
        uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return connect


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (idempotent)."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise StorageError(f"cannot reach database: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or ``None`` if it is empty."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, without loading Alembic."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):
        if not inspect(engine).has_table("alembic_version"):
            return None
        raise


class Database:
    """An engine plus a session factory; the schema is brought to head when opened.

    ``create``: a missing SQLite file (in an existing folder) or an empty PostgreSQL
    database is given phunt's schema; without it they are a :class:`NotFoundError`
    (``phunt init`` passes it, other commands do not). ``read_only``: nothing is
    written, not even a migration; a schema other than the code's is an error.
    """

    def __init__(
        self,
        url: str,
        *,
        migrate: bool = True,
        create: bool = True,
        read_only: bool = False,
        **engine_kwargs: Any,
    ) -> None:
        self.url = url
        parsed = check_url(url)
        file = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
        if file is not None:
            _check_sqlite_file(file, create=create and not read_only)
        self.engine = make_engine(url, read_only=read_only, **engine_kwargs)
        if migrate or read_only or not create:
            try:
                self._bring_to_head(migrate=migrate, create=create, read_only=read_only)
            except DBAPIError as exc:
                self.engine.dispose()
                reason = mask(str(exc.orig))
                raise StorageError(f"cannot reach database {self.safe_url}: {reason}") from None
            except BaseException:
                self.engine.dispose()
                raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _bring_to_head(self, *, migrate: bool, create: bool, read_only: bool) -> None:
        stored = _stored_revision(self.engine)
        if stored is None and not (create and not read_only):
            raise NotFoundError(
                f"no phunt database at {self.safe_url} (it has no phunt tables): "
                "`phunt init` creates one"
            )
        if stored == head_revision():
            return
        if read_only:
            raise StorageError(
                f"the database at {self.safe_url} has schema {stored}, this phunt reads "
                f"{head_revision()}: a reading command changes nothing, so run `phunt init` "
                "(with write access) to bring it up to date"
            )
        if migrate:
            upgrade(self.engine)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return mask(self.engine.url.render_as_string(hide_password=True))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(f"database error: {mask(str(exc.orig))}") from exc
        except DBAPIError as exc:
            session.rollback()
            if getattr(exc.orig, "sqlstate", None) not in _REFUSED:
                raise  # a bug: its traceback is wanted
            raise StorageError(f"the database refused a change: {mask(str(exc.orig))}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def close(self) -> None:
        self.engine.dispose()


def _check_sqlite_file(file: os.PathLike[str] | str, *, create: bool) -> None:
    """A SQLite file phunt may open: present, or (``create``) creatable in an existing
    folder. SQLite itself would create the file, and phunt once created its folders too,
    anywhere a URL pointed."""
    path = os.path.abspath(file)
    if os.path.isfile(path):
        return
    if os.path.exists(path):
        raise StorageError(f"{path} is not a database file")
    if not create:
        raise NotFoundError(f"no phunt database at {path}: `phunt init` creates one")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise StorageError(f"cannot create the database {path}: folder {folder} does not exist")
