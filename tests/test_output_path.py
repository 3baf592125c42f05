"""The one rule for files phunt writes on request (:mod:`phunt.output_path`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phunt import output_path
from phunt.errors import UsageError
from phunt.output_path import check_target, open_output


@pytest.fixture(autouse=True)
def _no_registered_places() -> Iterator[None]:
    """Each test starts with nothing protected, and leaves nothing behind."""
    saved = set(output_path._protected)
    output_path._protected.clear()
    yield
    output_path._protected.clear()
    output_path._protected.update(saved)


def test_a_new_file_is_written_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "share.csv"
    with open_output(target) as fh:
        fh.write("md5\n")
    assert target.read_text() == "md5\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["share.csv"]


def test_anything_inside_the_data_folder_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "phunt.db").write_bytes(b"SQLite format 3\x00 case")
    output_path.protect(home)
    for target in (home / "phunt.db", home / "new.csv", home, home / "sub" / "x"):
        with pytest.raises(UsageError, match="inside phunt's data"):
            check_target(target, force=True)
    assert (home / "phunt.db").read_bytes() == b"SQLite format 3\x00 case"


def test_a_link_into_the_data_folder_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "phunt.db").write_bytes(b"case")
    (tmp_path / "innocent.csv").symlink_to(home / "phunt.db")
    (tmp_path / "folder-link").symlink_to(home)
    for target in (tmp_path / "innocent.csv", tmp_path / "folder-link" / "x.csv"):
        with pytest.raises(UsageError, match="inside phunt's data"):
            check_target(target, force=True, protected=[home])
    assert (home / "phunt.db").read_bytes() == b"case"


def test_a_protected_database_file_elsewhere_and_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    db.write_bytes(b"case")
    output_path.protect(db, f"{db}-wal")
    with pytest.raises(UsageError, match="inside phunt's data"):
        check_target(db, force=True)
    with pytest.raises(UsageError, match="inside phunt's data"):
        check_target(f"{db}-wal", force=True)
    assert check_target(tmp_path / "other.db") == tmp_path / "other.db"


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "share.json"
    target.write_text("old")
    with pytest.raises(UsageError, match="exists; give --force"), open_output(target) as fh:
        fh.write("new")
    assert target.read_text() == "old"
    with open_output(target, force=True) as fh:
        fh.write("new")
    assert target.read_text() == "new"


def test_a_file_appearing_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "share.json"
    with pytest.raises(UsageError, match="exists; give --force"), open_output(target) as fh:
        fh.write("ours")
        target.write_text("someone else's")
    assert target.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["share.json"]


def test_missing_folders_are_not_created(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        check_target(tmp_path / "typo" / "deeper" / "share.json")
    assert list(tmp_path.iterdir()) == []


def test_a_service_may_make_the_folder_but_never_in_the_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    output_path.protect(home)
    with pytest.raises(UsageError, match="inside phunt's data"):
        check_target(home / "new" / "share.json", make_parents=True)
    assert list(home.iterdir()) == []
    made = check_target(tmp_path / "exports" / "share.json", make_parents=True)
    assert made.parent.is_dir() and made.parent.stat().st_mode & 0o077 == 0


def test_a_folder_is_never_a_target(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a folder"):
        check_target(tmp_path, force=True)


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "share.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="writer broke"), open_output(target, force=True) as fh:
        fh.write("half")
        raise RuntimeError("writer broke")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["share.json"]


def test_phunts_own_folder_inside_the_data_folder(tmp_path: Path) -> None:
    """The web's downloads (``own``) may lie in the data folder; nothing beside them may,
    nor the database, nor a link out of the own folder back into the data folder."""
    home = tmp_path / "home"
    own = home / "reports" / "web"
    own.mkdir(parents=True)
    (home / "phunt.db").write_bytes(b"SQLite format 3\x00 case")
    os.symlink(home / "phunt.db", own / "link.db")
    output_path.protect(home, home / "phunt.db")
    assert check_target(own / "bundle.zip", own=own) == (own / "bundle.zip").resolve()
    for target in (home / "new.csv", home / "phunt.db", own, own / "link.db"):
        with pytest.raises(UsageError, match="inside phunt's data"):
            check_target(target, own=own, force=True)
    with output_path.output_path(own / "bundle.zip", own=own) as temp:
        temp.write_bytes(b"PK")
    assert (own / "bundle.zip").read_bytes() == b"PK"


def test_reports_and_exports_keep_the_rule_without_the_cli(database: Any, tmp_path: Path) -> None:
    """The services themselves refuse the data folder (not only the CLI's check), and
    write in a folder of phunt's own only when the caller names it (the web)."""
    from phunt.exports.manifest import write_export
    from phunt.exports.store import Selection
    from phunt.reports.render import write_report

    home = tmp_path / "home"
    own = home / "reports" / "web"
    own.mkdir(parents=True)
    output_path.protect(home)
    page = b"<!doctype html><title>device report</title>"
    selection = Selection("device", 1, "EV-1/1", None, (1,))

    def content(fh: Any) -> int:
        fh.write("md5\n")
        return 1

    with database.session() as s:
        with pytest.raises(UsageError, match="inside phunt's data"):
            write_report(page, home / "r.html", inputs={}, kind="device", session=s)
        with pytest.raises(UsageError, match="inside phunt's data"):
            write_export(s, home / "e.csv", kind="matches", selection=selection, inputs={},
                         write=content)  # fmt: skip
        write_report(page, own / "r.html", inputs={}, kind="device", session=s, own=own)
        write_export(s, own / "e.csv", kind="matches", selection=selection, inputs={},
                     write=content, own=own)  # fmt: skip
        with pytest.raises(UsageError, match="exists; give --force"):
            write_report(page, own / "r.html", inputs={}, kind="device", session=s, own=own)
    assert (own / "r.html").read_bytes() == page
    assert (own / "e.csv").read_text() == "md5\n"
    assert sorted(p.name for p in home.iterdir()) == ["reports"]
    assert sorted(p.name for p in own.iterdir()) == [
        "e.csv", "e.csv.manifest.json", "r.html", "r.html.manifest.json"
    ]  # fmt: skip
    for written in own.iterdir():
        assert written.stat().st_mode & 0o077 == 0  # private: they name evidence
