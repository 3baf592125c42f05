"""What the kill-point test (tests/test_kill_points.py) reads back after each kill: a
database's content for one device or one hash set, row counts, leftover processes and
leftover scratch files."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Select, Table, func, or_, select
from sqlalchemy.orm import Session

from phunt.schema.metadata import metadata

#: Columns that say when or by whom a row was written, not what was found: two runs
#: over the same input differ there and nowhere else.
VOLATILE = frozenset({"created_at", "imported_at", "started_at", "finished_at", "disabled_at"})

Rows = Counter[tuple[Any, ...]]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _content_columns(table: Table) -> list[Column[Any]]:
    """Columns that hold what was found: no row ids, links to other rows or write times."""
    return [
        c
        for c in table.columns
        if not c.primary_key and not c.foreign_keys and c.name not in VOLATILE
    ]


def scoped(root: Table, where: Any) -> dict[str, Select[Any]]:
    """For ``root``'s rows matching ``where`` and every table that links to them through
    foreign keys (transitively), a query of the linked rows' ids, by table name."""
    scope: dict[str, Select[Any]] = {root.name: select(root.c.id).where(where)}
    for table in metadata.sorted_tables:
        if table.name in scope:
            continue
        links = [
            c.in_(scope[fk.column.table.name])
            for c in table.columns
            for fk in c.foreign_keys
            if fk.column.table.name in scope
        ]
        if links:  # a table's own key: ``id``, or the device id of ``device_lock``
            key = next(iter(table.primary_key.columns))
            scope[table.name] = select(key).where(or_(*links))
    return scope


def snapshot(session: Session, root_name: str, where: Any) -> dict[str, Rows]:
    """The content of every row linked to ``root``'s chosen rows (root excluded: it names
    the device or set, which differs by design), as multisets of content tuples."""
    root = metadata.tables[root_name]
    out: dict[str, Rows] = {}
    for name, ids in scoped(root, where).items():
        # A killed holder's lock stays until the next run takes it over: no content of the
        # run. That none is left after recovery is in the row counts. The review's grouping
        # progress names row ids and a stamp by design; the pairs it found are compared.
        if name in (root.name, "device_lock", "review_grouped"):
            continue
        table = metadata.tables[name]
        columns = _content_columns(table)
        key = next(iter(table.primary_key.columns))
        rows = session.execute(select(*columns).where(key.in_(ids)))
        out[name] = Counter(tuple(_plain(v) for v in row) for row in rows)
    return out


def row_counts(session: Session) -> dict[str, int]:
    """Rows of every table."""
    return {
        t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
        for t in metadata.sorted_tables
    }


def differences(got: dict[str, Rows], want: dict[str, Rows]) -> list[str]:
    """Per table, the rows one side has more of than the other (first few), for a message."""
    out = []
    for name in sorted(set(got) | set(want)):
        extra = got.get(name, Counter()) - want.get(name, Counter())
        missing = want.get(name, Counter()) - got.get(name, Counter())
        if extra or missing:
            out.append(
                f"{name}: {sum(extra.values())} extra {list(extra)[:2]}, "
                f"{sum(missing.values())} missing {list(missing)[:2]}"
            )
    return out


def tagged_processes(tag: str) -> list[tuple[int, str]]:
    """``(pid, command line)`` of every live process whose environment holds ``tag``:
    everything a command started inherits it, even once re-parented to init."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            if tag.encode() not in environ.split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":  # a zombie has ended already; its parent has yet to reap it
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(entry.name), cmdline.strip()))
    return found


def survivors(tag: str, grace: float) -> list[tuple[int, str]]:
    """The tagged processes still alive after up to ``grace`` seconds."""
    deadline = time.monotonic() + grace
    while True:
        alive = tagged_processes(tag)
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def end_processes(pids: Iterable[int]) -> None:
    """SIGKILL processes a killed command left behind (they descend from this test)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


def leftover_files(*folders: Path) -> list[str]:
    """Every file or folder inside ``folders`` (each may be absent)."""
    return sorted(str(p) for folder in folders if folder.is_dir() for p in folder.iterdir())
