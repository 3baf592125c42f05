"""Engine specs over the hash sets of a database: versions named, stamped, loadable anywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from phunt.hashset_spec import engine_spec
from phunt.hashsets.store import disable_entry, import_hash_list, load_hash_sets
from phunt.schema.db import Database


def _set_of_a_and_b(database: Database, tmp_path: Path) -> Path:
    """Hash set ``unit-list`` version 1: the MD5 of b"a" and of b"b"; returns its file."""
    lst = tmp_path / "set.txt"
    lst.write_text(f"{hashlib.md5(b'a').hexdigest()}\n{hashlib.md5(b'b').hexdigest()}\n")
    with database.session() as s:
        import_hash_list(s, str(lst), name="unit-list")
    return lst


def test_an_engine_spec_names_versions_and_builds_in_a_worker(
    database: Database, tmp_path: Path
) -> None:
    import pickle

    _set_of_a_and_b(database, tmp_path)
    md5_a, md5_c = hashlib.md5(b"a").hexdigest(), hashlib.md5(b"c").hexdigest()
    with database.session() as s:
        spec = engine_spec(s, ["unit-list"])
        in_session = spec.build(s)
    [ref] = spec.hash_sets
    assert (ref.name, ref.list_kind, ref.version) == ("unit-list", "known-bad", 1)
    assert pickle.loads(pickle.dumps(spec)) == spec
    on_its_own = pickle.loads(pickle.dumps(spec)).build()  # as a worker does: by URL
    for engine in (in_session, on_its_own):
        assert [h.listed.list_name for h in engine.exact("md5", md5_a)] == ["unit-list"]
        assert engine.exact("md5", md5_c) == []


def test_disabling_an_entry_or_a_new_version_makes_a_new_engine_spec(
    database: Database, tmp_path: Path
) -> None:
    from phunt.matching.engine import MatchEngine
    from phunt.matching.spec import engine_for

    lst = _set_of_a_and_b(database, tmp_path)
    md5_a, md5_b = hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()
    with database.session() as s:
        first = engine_spec(s)
        assert engine_spec(s) == first
        disable_entry(s, "unit-list", md5_b, "reviewed: a holiday photo")
        disabled = engine_spec(s)
        lst.write_text(f"{md5_a}\n")
        import_hash_list(s, str(lst), name="unit-list")
        second = engine_spec(s)
        assert len({first, disabled, second}) == 3
        engine = engine_for(disabled, s)
        assert engine.exact("md5", md5_b) == [] and engine.exact("md5", md5_a)
        assert load_hash_sets(MatchEngine(), s, None) == 1


def test_a_lost_set_file_stops_an_engine_spec_with_the_remedy(
    database: Database, tmp_path: Path
) -> None:
    from sqlalchemy import delete

    from phunt.errors import NotFoundError
    from phunt.hashsets import blobs
    from phunt.schema.hashset_blobs import HashSetBlob

    _set_of_a_and_b(database, tmp_path)
    with database.session() as s:
        [ref] = engine_spec(s).hash_sets
        assert ref.sha256 is not None
        (blobs.index_home(s.get_bind().engine.url) / f"{ref.sha256}.phs").unlink()
        s.execute(delete(HashSetBlob).where(HashSetBlob.sha256 == ref.sha256))
        with pytest.raises(NotFoundError, match=r"'unit-list' version 1.*rebuild unit-list"):
            engine_spec(s)
