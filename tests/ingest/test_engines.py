"""Engine specs: picklable, built the same anywhere, and new whenever a list changes."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from phunt.cases.db import Database
from phunt.cases.hashset_store import disable_entry, import_hash_list
from phunt.ingest import engines
from phunt.ingest.engines import EngineSpec, ListFile, engine_for, load_hash_sets
from phunt.matching.engine import MatchEngine


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _set_of_a_and_b(database: Database, tmp_path: Path) -> Path:
    """Hash set ``unit-list`` version 1: the MD5 of b"a" and of b"b"; returns its file."""
    lst = tmp_path / "set.txt"
    lst.write_text(f"{_md5(b'a')}\n{_md5(b'b')}\n")
    with database.session() as s:
        import_hash_list(s, str(lst), name="unit-list")
    return lst


def test_a_spec_from_the_database_names_versions_and_builds_anywhere(
    database: Database, tmp_path: Path
) -> None:
    _set_of_a_and_b(database, tmp_path)
    with database.session() as s:
        spec = EngineSpec.from_database(s, ["unit-list"])
        in_session = spec.build(s)
    [ref] = spec.hash_sets
    assert (ref.name, ref.list_kind, ref.version) == ("unit-list", "known-bad", 1)
    assert pickle.loads(pickle.dumps(spec)) == spec
    on_its_own = pickle.loads(pickle.dumps(spec)).build()  # as a worker does: by URL
    for engine in (in_session, on_its_own):
        assert [h.listed.list_name for h in engine.exact("md5", _md5(b"a"))] == ["unit-list"]
        assert engine.exact("md5", _md5(b"c")) == []


def test_disabling_an_entry_or_a_new_version_makes_a_new_spec(
    database: Database, tmp_path: Path
) -> None:
    lst = _set_of_a_and_b(database, tmp_path)
    with database.session() as s:
        first = EngineSpec.from_database(s)
        assert EngineSpec.from_database(s) == first
        disable_entry(s, "unit-list", _md5(b"b"), "reviewed: a holiday photo")
        disabled = EngineSpec.from_database(s)
        lst.write_text(f"{_md5(b'a')}\n")
        import_hash_list(s, str(lst), name="unit-list")
        second = EngineSpec.from_database(s)
        assert len({first, disabled, second}) == 3
        engine = engine_for(disabled, s)
        assert engine.exact("md5", _md5(b"b")) == [] and engine.exact("md5", _md5(b"a"))
        assert load_hash_sets(MatchEngine(), s, None) == 1


def test_a_changed_list_file_makes_a_new_spec(tmp_path: Path) -> None:
    lst = tmp_path / "list.txt"
    lst.write_text(f"{_md5(b'a')}\n")
    before = ListFile.of(str(lst))
    lst.write_text(f"{_md5(b'a')}\n{_md5(b'b')}\n")
    os.utime(lst, ns=(1, 1))
    assert ListFile.of(str(lst)) != before
    assert ListFile.of(str(tmp_path / "missing.txt")).stamp == (-1, -1)


def test_one_engine_is_kept_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_CACHE", {})
    lst = tmp_path / "list.txt"
    lst.write_text(f"{_md5(b'a')}\n")
    one = EngineSpec((ListFile.of(str(lst)),))
    other = EngineSpec((ListFile.of(str(lst)),), pdq_threshold=10)
    first = engine_for(one)
    assert engine_for(one) is first
    assert engine_for(other) is not first and engine_for(other).pdq_threshold == 10
    assert list(engines._CACHE) == [other]
    assert engine_for(one) is not first  # rebuilt: only the latest run's engine is kept
