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


def test_a_spec_from_the_url_is_the_sessions_spec_and_matches_the_same(
    database: Database, tmp_path: Path
) -> None:
    """``engine_spec_at`` reads an SQLite file without SQLAlchemy, PostgreSQL through a
    session; either way the spec, and what its engine matches, are the session's."""
    from phunt.hashset_spec import engine_spec_at
    from phunt.hashsets import blobs, store_light

    lst = _set_of_a_and_b(database, tmp_path)
    md5 = {c: hashlib.md5(c).hexdigest() for c in (b"a", b"b", b"c")}
    with database.session() as s:
        disable_entry(s, "unit-list", md5[b"b"], "reviewed: a holiday photo")
        lst.write_text(f"{md5[b'a']}\n{md5[b'b']}\n{md5[b'c']}\n")
        import_hash_list(s, str(lst), name="other-list")
    url = database.engine.url.render_as_string(hide_password=False)
    light = store_light.current_sets(url, None)
    assert (light is None) == blobs.in_database(url)  # PostgreSQL: the store answers
    for names in (None, ["other-list", "unit-list"]):
        at_url = engine_spec_at(url, names, pdq_threshold=20)
        with database.session() as s:
            assert at_url == engine_spec(s, names, pdq_threshold=20)
        engine = at_url.build()  # by URL, as a worker does
        assert engine.exact("md5", md5[b"b"])[0].listed.list_name == "other-list"
        assert {h.listed.list_name for h in engine.exact("md5", md5[b"a"])} == {
            "unit-list",
            "other-list",
        }
    [ref] = engine_spec_at(url, ["unit-list"]).hash_sets
    assert len(ref.disabled) == 1  # carried to workers, which open no database for it


def test_a_lost_or_damaged_set_file_stops_a_spec_from_the_url_with_the_remedy(
    database: Database, tmp_path: Path
) -> None:
    from sqlalchemy import delete

    from phunt.errors import CorruptInput, NotFoundError
    from phunt.hashset_spec import engine_spec_at
    from phunt.hashsets import blobs
    from phunt.schema.hashset_blobs import HashSetBlob

    _set_of_a_and_b(database, tmp_path)
    url = database.engine.url.render_as_string(hide_password=False)
    [ref] = engine_spec_at(url).hash_sets
    local = blobs.index_home(url) / f"{ref.sha256}.phs"
    if not blobs.in_database(url):  # the only copy: damaged is an error too
        local.write_bytes(local.read_bytes()[:-7])
        with pytest.raises(CorruptInput, match=r"'unit-list' version 1.*rebuild unit-list"):
            engine_spec_at(url)
    local.unlink()
    with database.session() as s:
        s.execute(delete(HashSetBlob).where(HashSetBlob.sha256 == ref.sha256))
    with pytest.raises(NotFoundError, match=r"'unit-list' version 1.*rebuild unit-list"):
        engine_spec_at(url)
