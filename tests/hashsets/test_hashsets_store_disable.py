"""Disabling false positives on both databases: by number or hash, every version, no rewrite."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.errors import NotFoundError, UsageError
from phunt.hashsets import blobs, store
from phunt.matching.engine import MatchEngine
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database

H = [hashlib.md5(f"file {i}".encode()).hexdigest() for i in range(6)]
SHA1 = hashlib.sha1(b"file 0").hexdigest()


def _list(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_disable_is_kept_across_versions_and_audited(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "a.txt", H[:3]), name="fp")
        row = store.disable_entry(s, "fp", H[1].upper(), "reviewed: a stock photo")
        assert (row.entry, row.reason, row.hashes) == (2, "reviewed: a stock photo", {"md5": H[1]})
        with pytest.raises(UsageError, match="entry 2 of 'fp' is already disabled"):
            store.disable_entry(s, "fp", "2", "again")
        with pytest.raises(UsageError, match="--reason"):
            store.disable_entry(s, "fp", H[0], " ")
        with pytest.raises(NotFoundError, match="no entry"):
            store.disable_entry(s, "fp", "0" * 32, "x")
        with pytest.raises(NotFoundError, match="no entry '9'"):
            store.disable_entry(s, "fp", "9", "x")
        store.import_hash_list(s, _list(tmp_path / "b.txt", H[:4]), name="fp")
    with database.session() as s:
        live = [e.hashes["md5"] for _n, e in store.entries_of(s, "fp")]
        assert H[1] not in live and len(live) == 3
        everything = list(store.entries_of(s, "fp", include_disabled=True))
        assert len(everything) == 4
        records = list(s.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
        disabled = [r for r in records if r.action == "hashset.disable"]
        assert [r.details["entry"] for r in disabled] == [2]
        assert records[-1].action == "hashset.import"


def test_a_disable_takes_effect_at_once_and_rewrites_no_set_file(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "a.txt", H[:3]), name="fp")
        [before] = store.current_sets(s, ["fp"])
        path = blobs.local_set_file(s, before.index_sha256, what="fp")
        mtime = path.stat().st_mtime_ns
        store.disable_entry(s, "fp", H[2], "reviewed")
        [after] = store.current_sets(s, ["fp"])
        engine = MatchEngine()
        assert store.load_hash_sets(engine, s, ["fp"]) == 2
    assert after.index_sha256 == before.index_sha256 and after.stamp != before.stamp
    assert path.stat().st_mtime_ns == mtime
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before.index_sha256
    assert engine.exact("md5", H[2]) == []
    [hit] = engine.exact("md5", H[1])
    assert (hit.listed.list_name, hit.listed.version, hit.listed.entry) == ("fp", 1, 2)


def test_an_entry_of_an_older_version_and_other_kinds_can_be_disabled(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "a.txt", [H[0], SHA1, H[2]]), name="k")
        store.import_hash_list(s, _list(tmp_path / "b.txt", [SHA1]), name="k")
        assert store.disable_entry(s, "k", "1", "reviewed").hashes == {"md5": H[0]}
        assert store.disable_entry(s, "k", SHA1.upper(), "reviewed").entry == 2
        with pytest.raises(NotFoundError, match="no entry"):  # by hash: current version only
            store.disable_entry(s, "k", H[2], "reviewed")
        kept = [n for n, _e in store.entries_of(s, "k", 1)]
    assert kept == [3]
