"""Migration 0008 on both databases: a database made at revision 0007, with entry rows,
comes out with one set file per version that says exactly what the rows said."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from phunt.hashsets import blobs
from phunt.hashsets.categories import Category
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.setbuild import diff_numbers
from phunt.hashsets.setfile import SetFile
from phunt.schema.db import current_revision, make_engine, upgrade
from phunt.schema.types import UTCDateTime

DISABLED_AT = datetime(2026, 11, 30, 9, 15, 0, tzinfo=UTC)

_set = sa.table(
    "hash_set",
    *(sa.column(c) for c in ("id", "name", "kind", "source_agency", "description")),
    sa.column("current_version"),
    sa.column("created_at", UTCDateTime()),
)
_version = sa.table(
    "hash_set_version",
    *(sa.column(c) for c in ("id", "hash_set_id", "version", "imported_by", "file_name")),
    *(sa.column(c) for c in ("file_sha256", "file_size", "format", "category_scheme")),
    sa.column("meta", sa.JSON()),
    *(sa.column(c) for c in ("entries", "added", "removed")),
    sa.column("imported_at", UTCDateTime()),
)
_entry = sa.table(
    "hash_set_entry",
    *(sa.column(c) for c in ("id", "hash_set_id", "fingerprint", "first_version")),
    *(sa.column(c) for c in ("removed_version", "record", "name", "category_code")),
    sa.column("category_scheme"),
    sa.column("extra", sa.JSON()),
    *(sa.column(c) for c in ("disabled", "disabled_reason", "disabled_by")),
    sa.column("disabled_at", UTCDateTime()),
)
_value = sa.table(
    "hash_value", *(sa.column(c) for c in ("entry_id", "hash_set_id", "kind", "lookup", "value"))
)


def _hex(kind: str, n: int, length: int) -> str:
    return hashlib.sha256(f"migration {kind} {n}".encode()).hexdigest()[:length]


class OldRows:
    """A 0007 database's hash sets, as rows, and what each version must hold afterwards."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.next_id = 100  # ids are one sequence for every set, as they were
        self.entries: dict[int, tuple[str, int, int | None, HashEntry]] = {}

    def add_set(self, set_id: int, name: str, kind: str, versions: int) -> None:
        row = {"id": set_id, "name": name, "kind": kind, "source_agency": "", "description": ""}
        row |= {"current_version": versions, "created_at": DISABLED_AT}
        self.conn.execute(_set.insert().values(**row))

    def add_entry(
        self, set_name: str, set_id: int, first: int, removed: int | None, entry: HashEntry
    ) -> int:
        entry_id = self.next_id
        self.next_id += 7
        cat = entry.category
        row: dict[str, Any] = {"id": entry_id, "hash_set_id": set_id, "first_version": first}
        row |= {"fingerprint": f"{entry_id:064x}", "removed_version": removed}
        row |= {"record": entry.record, "name": entry.name, "extra": entry.extra}
        row |= {"category_code": None if cat is None else cat.code}
        row |= {"category_scheme": None if cat is None else cat.scheme}
        row |= {"disabled": False, "disabled_reason": None, "disabled_by": None}
        self.conn.execute(_entry.insert().values(**row, disabled_at=None))
        for kind, value in entry.hashes.items():
            self.conn.execute(
                _value.insert().values(
                    entry_id=entry_id,
                    hash_set_id=set_id,
                    kind=kind,
                    lookup=value[:128],
                    value=value,
                )
            )
        self.entries[entry_id] = (set_name, first, removed, entry)
        return entry_id

    def add_versions(self, set_id: int, set_name: str, versions: int, scheme: str | None) -> None:
        for v in range(1, versions + 1):
            live = self.live(set_name, v)
            row: dict[str, Any] = {"id": set_id * 10 + v, "hash_set_id": set_id, "version": v}
            row |= {"imported_by": "inspector", "file_name": f"{set_name}-{v}.json"}
            row |= {"file_sha256": _hex("file", set_id * 10 + v, 64), "file_size": 1000 + v}
            row |= {"format": "vics" if scheme else "plain", "category_scheme": scheme}
            row |= {"meta": {"note": f"v{v}"}, "entries": len(live)}
            row |= {"added": sum(1 for _s, f, _r, _e in self._of(set_name) if f == v)}
            row |= {"removed": sum(1 for _s, _f, r, _e in self._of(set_name) if r == v)}
            self.conn.execute(_version.insert().values(**row, imported_at=DISABLED_AT))

    def disable(self, entry_id: int, reason: str) -> None:
        self.conn.execute(
            _entry.update()
            .where(_entry.c.id == entry_id)
            .values(disabled=True, disabled_reason=reason, disabled_by="inspector")
            .values(disabled_at=DISABLED_AT)
        )

    def _of(self, set_name: str) -> list[tuple[str, int, int | None, HashEntry]]:
        return [e for e in self.entries.values() if e[0] == set_name]

    def live(self, set_name: str, version: int) -> dict[int, HashEntry]:
        """What the old store said version ``version`` held: first listed, not yet removed."""
        return {
            entry_id: entry
            for entry_id, (name, first, removed, entry) in self.entries.items()
            if name == set_name and first <= version and (removed is None or removed > version)
        }


def _vics_entry(n: int, **extra: Any) -> HashEntry:
    hashes = {"md5": _hex("md5", n, 32), "sha1": _hex("sha1", n, 40), "pdq": _hex("pdq", n, 64)}
    hashes["photodna"] = "QUJD" + _hex("photodna", n, 60)  # a text kind
    return HashEntry(
        hashes=hashes,
        category=Category(1 + n % 3, "vics-us-2.0"),
        record=n,
        name=f"IMG_{n:04d}.jpg",
        extra={"MediaID": n, "Tags": ["outdoor", "blue"], **extra},
    )


def _plain_entry(n: int) -> HashEntry:
    return HashEntry(hashes={"md5": _hex("md5", 1000 + n, 32)}, record=n)


def _old_database(conn: sa.Connection) -> tuple[OldRows, dict[str, int]]:
    """Two sets with interleaved ids: "alpha" (VICS-like, three versions: entries added,
    removed, one removed and listed again, one disabled), "beta" (plain, three versions, the
    last one empty)."""
    old = OldRows(conn)
    old.add_set(1, "alpha", "known-bad", 3)
    old.add_set(2, "beta", "known-good", 3)
    ids = {
        "kept": old.add_entry("alpha", 1, 1, None, _vics_entry(1, Note="kept")),
        "plain1": old.add_entry("beta", 2, 1, 3, _plain_entry(1)),
        "disabled": old.add_entry("alpha", 1, 1, None, _vics_entry(2)),
        "dropped": old.add_entry("alpha", 1, 1, 2, _vics_entry(3)),
        "plain2": old.add_entry("beta", 2, 1, 2, _plain_entry(2)),
        "late": old.add_entry("alpha", 1, 1, 3, HashEntry({"md5": _hex("md5", 4, 32)}, record=4)),
        "new2": old.add_entry("alpha", 1, 2, None, _vics_entry(5)),
        "plain3": old.add_entry("beta", 2, 2, 3, _plain_entry(3)),
        "back": old.add_entry("alpha", 1, 3, None, _vics_entry(3)),  # listed again: new row
    }
    old.disable(ids["disabled"], "a logo of a bank, not an image of abuse")
    old.add_versions(1, "alpha", 3, "vics-us-2.0")
    old.add_versions(2, "beta", 3, None)
    return old, ids


@pytest.fixture
def migrated(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[sa.Engine, OldRows, dict[str, int]]]:
    monkeypatch.setenv("PHUNT_CACHE", str(tmp_path / "cache"))
    engine = make_engine(db_url)
    upgrade(engine, "0007")
    with engine.begin() as conn:
        old, ids = _old_database(conn)
    upgrade(engine, "0008")  # this migration alone: later ones have their own tests
    assert current_revision(engine) == "0008"
    yield engine, old, ids
    engine.dispose()


def test_every_version_gives_what_its_rows_gave(
    migrated: tuple[sa.Engine, OldRows, dict[str, int]],
) -> None:
    engine, old, _ids = migrated
    v = sa.table(
        "hash_set_version",
        *(sa.column(c) for c in ("hash_set_id", "version", "index_sha256", "index_size")),
        *(sa.column(c) for c in ("entries", "added", "removed", "source_path")),
        sa.column("source_options", sa.JSON()),
    )
    query = sa.select(_set.c.name, v).join(_set, _set.c.id == v.c.hash_set_id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(_set.c.name, v.c.version)).all()
    assert [(r.name, r.version) for r in rows] == [
        ("alpha", 1), ("alpha", 2), ("alpha", 3), ("beta", 1), ("beta", 2), ("beta", 3)
    ]  # fmt: skip
    previous: SetFile | None = None
    for row in rows:
        what = f"hash set {row.name!r} version {row.version}"
        path = blobs.local_set_file(str(engine.url), row.index_sha256, what=what)
        set_file = SetFile.open(path, verify=True)
        assert path.stat().st_size == row.index_size
        assert dict(set_file.entries()) == old.live(row.name, row.version)  # numbers = old ids
        assert len(set_file) == row.entries
        if row.version > 1:
            assert previous is not None
            added, removed = diff_numbers(previous, set_file)
            assert (len(added), len(removed)) == (row.added, row.removed)
        assert row.source_path is None  # never recorded: rebuild says so
        assert row.source_options["format"] == ("vics" if row.name == "alpha" else "plain")
        if previous is not None:
            previous.close()
        previous = set_file
    assert previous is not None
    previous.close()


def test_numbers_disables_and_old_tables(
    migrated: tuple[sa.Engine, OldRows, dict[str, int]], db_url: str, tmp_path: Path
) -> None:
    engine, old, ids = migrated
    disable = sa.table(
        "hash_set_disable",
        *(sa.column(c) for c in ("hash_set_id", "entry", "reason", "disabled_by")),
        sa.column("disabled_at", UTCDateTime()),
        sa.column("hashes", sa.JSON()),
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, next_entry FROM hash_set")).all()
        next_entry = {name: number for name, number in rows}
        disables = conn.execute(sa.select(disable)).all()
        blob_parts = conn.execute(sa.text("SELECT count(*) FROM hash_set_blob")).scalar_one()
    assert next_entry == {"alpha": ids["back"] + 1, "beta": ids["plain3"] + 1}
    assert len(disables) == 1
    set_id, entry, reason, by, at, hashes = disables[0]
    assert (set_id, entry, by, at) == (1, ids["disabled"], "inspector", DISABLED_AT)
    assert reason == "a logo of a bank, not an image of abuse"
    assert hashes == old.entries[ids["disabled"]][3].hashes
    tables = set(sa.inspect(engine).get_table_names())
    assert not tables & {"hash_set_entry", "hash_value", "hash_set_staging"}
    if db_url.startswith("sqlite"):  # beside the database, not in it
        assert blob_parts == 0
        assert len(list((tmp_path / "hashsets").glob("*.phs"))) == 6
    else:
        assert blob_parts >= 6


def test_the_audit_log_says_what_moved(
    migrated: tuple[sa.Engine, OldRows, dict[str, int]],
) -> None:
    from sqlalchemy.orm import Session

    from phunt.audit import store as audit

    engine, _old, ids = migrated
    upgrade(engine, "head")  # the chain is verified by today's code, on today's schema
    with Session(engine) as session:
        assert audit.verify(session).ok
        records = [r for r in audit.list_records(session) if r.action == "hashset.migrate"]
    with engine.connect() as conn:
        versions = conn.execute(
            sa.text("SELECT hash_set_id, version, index_sha256 FROM hash_set_version")
        ).all()
    assert [(r.object_type, r.object_id) for r in records] == [("hash_set", "1"), ("hash_set", "2")]
    for record in records:
        files = {str(v): sha for set_id, v, sha in versions if str(set_id) == record.object_id}
        assert record.details["set_files"] == files
    assert records[0].details["disabled"] == [ids["disabled"]]
    assert records[1].details["disabled"] == []


def test_downgrade_is_refused_once_sets_live_in_files(
    migrated: tuple[sa.Engine, OldRows, dict[str, int]],
) -> None:
    from alembic import command

    from phunt.schema.db import _alembic_config

    engine, _old, _ids = migrated
    with pytest.raises(NotImplementedError, match="cannot downgrade below 0008 a database with"):
        command.downgrade(_alembic_config(engine), "0007")
    assert current_revision(engine) == "0008"
