"""Governed hash sets on both databases: versions, numbering, diff, export, kinds, audit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.audit.store import verify
from phunt.errors import CorruptInput, UsageError
from phunt.hashsets import blobs, store
from phunt.hashsets.setfile import SetFile
from phunt.schema.audit import AuditRecord
from phunt.schema.db import Database
from phunt.schema.hashsets import HashSet, HashSetVersion
from test_lib import TEST_DATA

H = [hashlib.md5(f"file {i}".encode()).hexdigest() for i in range(6)]


def _list(path: Path, hashes: list[str]) -> str:
    path.write_text("# unit list\n" + "\n".join(hashes) + "\n")
    return str(path)


def test_versions_record_added_and_removed(database: Database, tmp_path: Path) -> None:
    v1 = _list(tmp_path / "v1.txt", H[:4])
    v2 = _list(tmp_path / "v2.txt", [H[0], H[1], H[4], H[5], H[5]])
    with database.session() as s:
        r1 = store.import_hash_list(s, v1, name="unit", source_agency="State CCU")
        assert (r1.version, r1.entries, r1.added, r1.removed, r1.kind) == (1, 4, 4, 0, "known-bad")
        assert r1.file_sha256 == hashlib.sha256(Path(v1).read_bytes()).hexdigest()
    with database.session() as s:
        r2 = store.import_hash_list(s, v2, name="unit")
        assert (r2.version, r2.entries, r2.added, r2.removed) == (2, 4, 2, 2)
    with database.session() as s:
        in_v1 = {e.hashes["md5"]: n for n, e in store.entries_of(s, "unit", 1)}
        in_v2 = {e.hashes["md5"]: n for n, e in store.entries_of(s, "unit")}
        # numbers are kept by the entries both versions list, new ones follow on
        assert in_v1 == {H[0]: 1, H[1]: 2, H[2]: 3, H[3]: 4}
        assert in_v2 == {H[0]: 1, H[1]: 2, H[4]: 5, H[5]: 6}
        assert store.get_hash_set(s, "unit").next_entry == 7
        d = store.diff(s, "unit", 1, 2)
        assert (d.added, d.removed) == ([5, 6], [3, 4])
        versions = store.versions(s, store.get_hash_set(s, "unit"))
        assert [(v.version, v.added, v.removed, v.format) for v in versions] == [
            (1, 4, 0, "plain"),
            (2, 2, 2, "plain"),
        ]
        with pytest.raises(UsageError, match=r"versions 1\.\.2"):
            store.diff(s, "unit", 1, 3)
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
        assert actions == ["hashset.import", "hashset.import"]
        assert verify(s).ok


def test_a_version_records_its_set_file_and_how_to_make_it_again(
    database: Database, tmp_path: Path
) -> None:
    v1 = _list(tmp_path / "v1.txt", H[:3])
    with database.session() as s:
        store.import_hash_list(s, v1, name="unit")
        r2 = store.import_hash_list(s, _list(tmp_path / "v2.txt", H[1:5]), name="unit")
        row = store.versions(s, store.get_hash_set(s, "unit"))[-1]
        first = store.versions(s, store.get_hash_set(s, "unit"))[0]
        path = blobs.local_set_file(s, row.index_sha256, what="v2")
        again = store.import_hash_list(s, v1, name="other")  # one file for the same list
        assert again.index_sha256 == first.index_sha256
    assert (row.index_sha256, row.index_size) == (r2.index_sha256, r2.index_size)
    assert row.source_path == str(tmp_path / "v2.txt")
    assert row.source_options == {
        "format": "plain",
        "category_scheme": None,
        "hash_kind": None,
        "first_number": 4,
    }
    assert path.name == f"{row.index_sha256}.phs" and path.stat().st_size == row.index_size
    with SetFile.open(path, verify=True) as set_file:
        assert len(set_file) == 4 and set_file.entry_numbers.tolist() == [2, 3, 4, 5]
        assert set_file.meta == {
            "source_sha256": row.file_sha256,
            "format": "plain",
            "first_number": 4,
            "previous": first.index_sha256,
        }


def test_a_list_that_fails_half_way_leaves_nothing_behind(
    database: Database, tmp_path: Path
) -> None:
    from phunt import scratch

    good = _list(tmp_path / "good.txt", H[:2])
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join([*H[2:], "zz"]) + "\n")
    with database.session() as s:
        store.import_hash_list(s, good, name="kept")
    with database.session() as s:
        home = blobs.index_home(s.get_bind().engine.url)
    before = sorted(p.name for p in home.iterdir())
    for name in ("kept", "new"):
        with pytest.raises(CorruptInput, match="line 5"), database.session() as s:
            store.import_hash_list(s, str(bad), name=name)
    with database.session() as s:
        assert s.scalars(select(HashSet.name)).all() == ["kept"]
        assert len(s.scalars(select(HashSetVersion)).all()) == 1
        assert store.get_hash_set(s, "kept").next_entry == 3
    assert sorted(p.name for p in home.iterdir()) == before
    assert [p for p in os.listdir(scratch.folder()) if p.startswith("hashset-")] == []


def test_reimport_same_file_changes_nothing(database: Database, tmp_path: Path) -> None:
    v = _list(tmp_path / "v.txt", H[:3])
    with database.session() as s:
        store.import_hash_list(s, v, name="same")
        r = store.import_hash_list(s, v, name="same")
    assert (r.version, r.entries, r.added, r.removed) == (2, 3, 0, 0)


def test_unknown_kind_and_wrong_file(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        with pytest.raises(UsageError, match="hash-set kind"):
            store.import_hash_list(s, _list(tmp_path / "a.txt", H[:1]), name="x", kind="maybe")
        with pytest.raises(UsageError, match="no such hash-list file"):
            store.import_hash_list(s, str(tmp_path / "missing.txt"), name="x")
        store.import_hash_list(s, _list(tmp_path / "g.txt", H[:1]), name="good", kind="known-good")
        with pytest.raises(UsageError, match="is known-good, not known-bad"):
            store.import_hash_list(
                s, _list(tmp_path / "g.txt", H[:1]), name="good", kind="known-bad"
            )


def test_vics_round_trip_through_the_database(database: Database, tmp_path: Path) -> None:
    source = TEST_DATA / "hashsets" / "vics2_hashset.json"
    out = tmp_path / "export.json"
    with database.session() as s:
        r = store.import_hash_list(s, str(source), name="vics")
        details = store.export(s, "vics", str(out))
    assert details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert details["entries"] == r.entries
    original = json.loads(source.read_text())
    exported = json.loads(out.read_text())
    key = lambda m: m["MediaID"]  # noqa: E731
    assert sorted(exported["value"], key=key) == sorted(original["value"], key=key)


def test_csv_export_and_audit(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"  # in an existing folder: exports create none
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "a.txt", H[:2]), name="c")
        store.export(s, "c", str(out), fmt="csv")
        with pytest.raises(UsageError, match="export format"):
            store.export(s, "c", str(out), fmt="xml")
        actions = [r.action for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    text = out.read_text()
    assert H[0] in text.lower() and H[1] in text.lower()
    assert actions[-1] == "hashset.export"


@pytest.mark.parametrize("fmt", ["csv", "vics"])
def test_export_audit_counts_the_entries_written(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"export.{fmt}"
    with database.session() as s:
        store.import_hash_list(s, _list(tmp_path / "a.txt", H[:2]), name="c")
        store.disable_entry(s, "c", H[1], "reviewed")
        details = store.export(s, "c", str(out), fmt=fmt)
        record = s.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    text = out.read_text().lower()
    assert H[0] in text and H[1] not in text  # one entry written, the disabled one left out
    assert record is not None and record.action == "hashset.export"
    assert record.details["entries"] == details["entries"] == 1
    assert record.details["disabled_left_out"] == details["disabled_left_out"] == 1


@pytest.mark.parametrize("fixture", ["NSRLFile_rds15.txt", "RDS_sample.zip"])
def test_a_list_that_states_known_good_never_becomes_known_bad(
    database: Database, fixture: str
) -> None:
    """NSRL's known files stay known-good unless --kind known-bad is given, even as a
    new version of a known-bad set or forced through the generic CSV reader."""
    source = str(TEST_DATA / "hashsets" / fixture)
    with database.session() as s:
        assert store.import_hash_list(s, source, name="nsrl").kind == "known-good"
        if fixture.endswith(".txt"):
            forced = store.import_hash_list(s, source, name="as-csv", fmt="csv")
            assert forced.kind == "known-good"
        store.import_hash_list(s, str(TEST_DATA / "hashsets" / "plain.txt"), name="bad")
        with pytest.raises(UsageError, match=r"states a known-good list, but hash set 'bad' is"):
            store.import_hash_list(s, source, name="bad")
        said = store.import_hash_list(s, source, name="bad", kind="known-bad")
        assert (said.kind, said.version) == ("known-bad", 2)


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [("NSRLFile.txt-md5.idx", None), ("vics13_hashset.json", None), ("hashkeeper.hsh", "csv")],
)
def test_kind_rules_of_other_shapes(
    database: Database, tmp_path: Path, fixture: str, fmt: str | None
) -> None:
    """An NSRL index and a VICS 1.2 #Media set state known-good; HashKeeper asks, even as CSV."""
    source = tmp_path / fixture
    text = (TEST_DATA / "hashsets" / fixture).read_text()
    if fixture.startswith("vics13"):
        text = text.replace("1.3.xml#Media", "1.2.xml#Media")  # NIST's CAID known-file set
    source.write_text(text)
    with database.session() as s:
        store.import_hash_list(s, str(TEST_DATA / "hashsets" / "plain.txt"), name="bad")
        if fixture.endswith(".hsh"):
            with pytest.raises(UsageError, match="does not say whether it is known-good"):
                store.import_hash_list(s, str(source), name="hk", fmt=fmt)
            return
        scheme = "dhs-legacy" if fixture.startswith("vics") else None
        with pytest.raises(UsageError, match="states a known-good list"):
            store.import_hash_list(s, str(source), name="bad", category_scheme=scheme)


def test_a_stated_kind_is_refused_before_the_list_is_read_through(
    database: Database, tmp_path: Path
) -> None:
    """The refusal comes from the header: damage further on is never reached."""
    lines = (TEST_DATA / "hashsets" / "NSRLFile_rds15.txt").read_text().splitlines()
    source = tmp_path / "NSRLFile.txt"
    source.write_text("\n".join([*lines, '"broken row"']) + "\n")
    with database.session() as s:
        store.import_hash_list(s, str(TEST_DATA / "hashsets" / "plain.txt"), name="bad")
        with pytest.raises(UsageError, match="states a known-good list"):
            store.import_hash_list(s, str(source), name="bad")
