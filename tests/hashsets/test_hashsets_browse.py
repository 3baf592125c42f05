"""The hash-set read models on both databases: listing, versions, entries, disables, diff."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from phunt.audit import store as audit
from phunt.errors import NotFoundError
from phunt.hashsets import browse, store
from phunt.hashsets.browse_diff import diff_view
from phunt.schema.db import Database
from test_lib import TEST_DATA

Digest = Callable[[str, int], str]

H = [hashlib.md5(f"browse {i}".encode()).hexdigest() for i in range(8)]
CAM = "Child Abuse Material (CAM) (vics-us-2.0 1)"
NON_PERTINENT = "Non-Pertinent (vics-us-2.0 0)"


def _csv(path: Path, rows: list[tuple[str, int]]) -> str:
    lines = ["MD5,Category"] + [f"{md5},{category}" for md5, category in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def two_versions(database: Database, tmp_path: Path) -> Database:
    """'unit' v1 lists H0-H3; v2 drops H3, adds H4 and moves H1 from category 1 to 0."""
    v1 = _csv(tmp_path / "v1.csv", [(H[0], 1), (H[1], 1), (H[2], 1), (H[3], 1)])
    v2 = _csv(tmp_path / "v2.csv", [(H[0], 1), (H[1], 0), (H[2], 1), (H[4], 1)])
    with database.session() as s:
        store.import_hash_list(
            s, v1, name="unit", category_scheme="vics-us-2.0", source_agency="State CCU"
        )
    with database.session() as s:
        store.import_hash_list(s, v2, name="unit", category_scheme="vics-us-2.0")
    return database


def test_a_listing_gives_each_set_its_current_figures(
    two_versions: Database, tmp_path: Path
) -> None:
    with two_versions.session() as s:
        store.import_hash_list(
            s, str(TEST_DATA / "hashsets" / "list.csv"), name="mixed", category_scheme="dhs-legacy"
        )
        store.disable_entry(s, "unit", "1", "a holiday photo")
    with two_versions.session() as s:
        sets = browse.list_sets(s)
        by_size = browse.list_sets(s, sort="entries", desc=True)
        rows = store.versions(s, store.get_hash_set(s, "unit"))
    assert [v.name for v in sets] == ["mixed", "unit"]
    assert [v.name for v in by_size] == ["unit", "mixed"]
    mixed, unit = sets
    assert mixed.by_kind == {"md5": 2, "sha1": 2}
    assert (mixed.current_version, mixed.disabled, mixed.problem) == (1, 0, None)
    assert (unit.kind, unit.source_agency, unit.current_version, unit.disabled) == (
        "known-bad",
        "State CCU",
        2,
        1,
    )
    assert unit.by_kind == {"md5": 4}
    assert unit.current is not None
    assert unit.current.file_sha256 == rows[-1].file_sha256
    listed = hashlib.sha256((tmp_path / "v2.csv").read_bytes()).hexdigest()
    assert unit.current.file_sha256 == listed
    assert (unit.current.entries, unit.current.added, unit.current.removed) == (4, 2, 2)
    assert unit.current.imported_by == rows[-1].imported_by


def test_a_missing_set_file_is_named_not_raised(two_versions: Database) -> None:
    with two_versions.session() as s:
        sha = browse.set_view(s, "unit").current
        assert sha is not None
        from phunt.hashsets import blobs

        path = blobs.local_set_file(s, sha.index_sha256, what="v2")
    path.unlink()
    with two_versions.session() as s:
        view = browse.set_view(s, "unit")
        if view.problem is None:  # PostgreSQL keeps the file in the database and fetches it
            assert view.by_kind == {"md5": 4}
        else:
            assert "`phunt hashset rebuild unit`" in view.problem and view.by_kind == {}


def test_versions_entries_and_an_unknown_version(two_versions: Database) -> None:
    with two_versions.session() as s:
        store.disable_entry(s, "unit", H[0], "seen on a vendor site")
        versions = browse.version_views(s, "unit")
        detail, by_kind = browse.version_detail(s, "unit", 1)
        total, page = browse.version_entries(s, "unit", 1, 1, 2)
        _, first = browse.version_entries(s, "unit", 1, 0, 1)
        with pytest.raises(NotFoundError):
            browse.version_detail(s, "unit", 3)
        with pytest.raises(NotFoundError):
            browse.version_entries(s, "nothing", 1, 0, 10)
    assert [(v.version, v.entries, v.added, v.removed) for v in versions] == [
        (1, 4, 4, 0),
        (2, 4, 2, 2),
    ]
    assert (detail.version, detail.format, detail.category_scheme, by_kind) == (
        1,
        "csv",
        "vics-us-2.0",
        {"md5": 4},
    )
    assert total == 4
    assert [(e.entry, e.hashes, e.category, e.disabled) for e in page] == [
        (2, {"md5": H[1]}, CAM, False),
        (3, {"md5": H[2]}, CAM, False),
    ]
    assert first[0].disabled


def test_disables_say_which_entry_by_whom_and_why(two_versions: Database) -> None:
    with two_versions.session() as s, audit.acting_as("examiner.rao"):
        store.disable_entry(s, "unit", "3", "<b>a logo</b>")
        store.disable_entry(s, "unit", H[0], "a stock photo")
    with two_versions.session() as s:
        total, rows = browse.disables(s, "unit", 0, 10)
        _, newest = browse.disables(s, "unit", 0, 1, sort="disabled_at", desc=True)
        _, second = browse.disables(s, "unit", 1, 1)
    assert total == 2
    assert [(d.entry, d.reason, d.disabled_by, d.hashes) for d in rows] == [
        (1, "a stock photo", "examiner.rao", {"md5": H[0]}),
        (3, "<b>a logo</b>", "examiner.rao", {"md5": H[2]}),
    ]
    assert [d.entry for d in newest] == [1] and [d.entry for d in second] == [3]


def test_a_diff_counts_as_the_cli_does_and_pairs_a_category_change(
    two_versions: Database,
) -> None:
    with two_versions.session() as s:
        cli = store.diff(s, "unit", 1, 2)
        view = diff_view(s, "unit", 1, 2, 0, 10)
        page = diff_view(s, "unit", 1, 2, 1, 2)
        back = diff_view(s, "unit", 2, 1, 0, 10)
    assert (view.added, view.removed) == (len(cli.added), len(cli.removed)) == (2, 2)
    assert view.recategorised == 1 and view.total == 4
    # v1: H0=1 H1=2 H2=3 H3=4; v2 keeps 1 and 3, gives H1 (now category 0) 5 and H4 6
    assert [(r.entry, r.change, r.hashes["md5"], r.category, r.pair) for r in view.rows] == [
        (2, "removed", H[1], CAM, 5),
        (4, "removed", H[3], CAM, None),
        (5, "added", H[1], NON_PERTINENT, 2),
        (6, "added", H[4], CAM, None),
    ]
    assert [r.entry for r in page.rows] == [4, 5]
    assert (back.added, back.removed, back.recategorised) == (2, 2, 1)
    changes = {r.entry: r.change for r in back.rows}
    assert changes == {2: "added", 4: "added", 5: "removed", 6: "removed"}


def test_a_diff_pairs_entries_of_several_kinds_and_text_kinds(
    database: Database, tmp_path: Path, digest: Digest
) -> None:
    """PhotoDNA is a text kind: a row known by it alone is paired by it too."""
    photo = [digest("photodna", n) for n in range(3)]

    def version(path: Path, rows: list[tuple[str, str, int]]) -> str:
        lines = ["MD5;PhotoDNA;Category"] + [f"{m};{p};{c}" for m, p, c in rows]
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    v1 = version(tmp_path / "v1.csv", [(H[0], photo[0], 1), ("", photo[1], 1), (H[2], "", 1)])
    v2 = version(tmp_path / "v2.csv", [(H[0], photo[0], 2), ("", photo[1], 0), (H[2], "", 1)])
    with database.session() as s:
        store.import_hash_list(s, v1, name="pdna", category_scheme="vics-us-2.0")
        store.import_hash_list(s, v2, name="pdna", category_scheme="vics-us-2.0")
        view = diff_view(s, "pdna", 1, 2, 0, 10)
        cli = store.diff(s, "pdna", 1, 2)
    assert (view.added, view.removed, view.recategorised) == (2, 2, 2)
    assert sorted(r.entry for r in view.rows if r.change == "added") == cli.added == [4, 5]
    assert {r.entry: r.pair for r in view.rows} == {1: 4, 2: 5, 4: 1, 5: 2}
    assert view.rows[1].hashes == {"photodna": photo[1]}


def test_an_unknown_version_in_a_diff_is_not_found(two_versions: Database) -> None:
    with two_versions.session() as s, pytest.raises(NotFoundError):
        diff_view(s, "unit", 0, 2, 0, 10)
