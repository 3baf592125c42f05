"""Engine specs of list files: picklable, stamped, and one engine kept per process."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from phunt.matching import spec as spec_module
from phunt.matching.spec import EngineSpec, HashSetRef, ListFile, engine_for


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_a_spec_of_list_files_travels_and_builds(tmp_path: Path) -> None:
    lst = tmp_path / "list.txt"
    lst.write_text(f"{_md5(b'a')}\n")
    spec = EngineSpec((ListFile.of(str(lst)),), pdq_threshold=20)
    travelled = pickle.loads(pickle.dumps(spec))
    assert travelled == spec
    engine = travelled.build()
    assert engine.pdq_threshold == 20
    assert [h.listed.list_name for h in engine.exact("md5", _md5(b"a"))] == ["list.txt"]


def test_a_set_reference_names_its_set_file() -> None:
    ref = HashSetRef("unit", "known-bad", 3, "stamp", "ab" * 32)
    spec = EngineSpec(hash_sets=(ref,))
    assert pickle.loads(pickle.dumps(spec)).hash_sets[0].sha256 == "ab" * 32
    other = EngineSpec(hash_sets=(HashSetRef("unit", "known-bad", 3, "stamp", "cd" * 32),))
    assert other != spec  # another file: another engine


def test_hash_sets_need_their_loader() -> None:
    spec = EngineSpec(hash_sets=(HashSetRef("unit", "known-bad", 1, "stamp"),))
    with pytest.raises(ValueError, match="needs their loader"):
        spec.build()


def test_a_changed_list_file_makes_a_new_spec(tmp_path: Path) -> None:
    lst = tmp_path / "list.txt"
    lst.write_text(f"{_md5(b'a')}\n")
    before = ListFile.of(str(lst))
    lst.write_text(f"{_md5(b'a')}\n{_md5(b'b')}\n")
    os.utime(lst, ns=(1, 1))
    assert ListFile.of(str(lst)) != before
    assert ListFile.of(str(tmp_path / "missing.txt")).stamp == (-1, -1)


def test_one_engine_is_kept_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "_CACHE", {})
    lst = tmp_path / "list.txt"
    lst.write_text(f"{_md5(b'a')}\n")
    one = EngineSpec((ListFile.of(str(lst)),))
    other = EngineSpec((ListFile.of(str(lst)),), pdq_threshold=10)
    first = engine_for(one)
    assert engine_for(one) is first
    assert engine_for(other) is not first and engine_for(other).pdq_threshold == 10
    assert list(spec_module._CACHE) == [other]
    assert engine_for(one) is not first  # rebuilt: only the latest run's engine is kept
