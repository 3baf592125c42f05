"""The folder walker: stable order, nothing followed, every skip recorded."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.sources import locator as locator_module
from phunt.sources.folder import FolderSource, root_problem


def _tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha")
    (root / "b" / "c.bin").write_bytes(b"\x00" * 10)
    os.symlink("a.txt", root / "link")
    os.symlink("missing", root / "dangling")
    os.symlink(".", root / "b" / "loop")
    os.mkfifo(root / "pipe")
    (root / os.fsdecode(b"bad\xffname.txt")).write_bytes(b"x")


def test_walk_reports_every_item(tmp_path: Path) -> None:
    _tree(tmp_path)
    entries = {
        e.path.removeprefix(str(tmp_path) + "/"): e for e in FolderSource(str(tmp_path)).entries()
    }
    assert sorted(entries) == sorted(
        ["a.txt", "b/c.bin", "b/loop", "link", "dangling", "pipe", "bad\\xffname.txt"]
    )
    assert entries["a.txt"].size == 5 and entries["a.txt"].error is None
    assert entries["a.txt"].times.modified is not None
    assert entries["link"].error == "skipped: symbolic link, not followed (-> a.txt)"
    assert entries["dangling"].error == "skipped: broken symbolic link (-> missing)"
    assert entries["b/loop"].error == "skipped: symbolic link, not followed (-> .)"
    assert entries["pipe"].error == "skipped: a FIFO (named pipe), not a regular file"
    bad = entries["bad\\xffname.txt"]
    assert bad.error is None and bad.name_problem is not None and "UTF-8" in bad.name_problem
    with bad.open() as fh:
        assert fh.read() == b"x"


def test_order_is_stable(tmp_path: Path) -> None:
    for name in ["z", "a", "M", "b"]:
        (tmp_path / name).write_text(name)
    paths = [Path(e.path).name for e in FolderSource(str(tmp_path)).entries()]
    assert paths == ["M", "a", "b", "z"]


def test_single_file_and_missing_path(tmp_path: Path) -> None:
    f = tmp_path / "one.txt"
    f.write_text("1")
    assert [e.path for e in FolderSource(str(f)).entries()] == [str(f)]
    missing = list(FolderSource(str(tmp_path / "nope")).entries())
    assert len(missing) == 1 and missing[0].error is not None and "cannot read" in missing[0].error


def test_probe_is_for_folders(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert FolderSource.probe(str(tmp_path), b"")
    assert not FolderSource.probe(str(tmp_path / "f"), b"x")


def test_a_symlink_loop_is_called_a_loop_not_broken(tmp_path: Path) -> None:
    os.symlink("second", tmp_path / "first")
    os.symlink("first", tmp_path / "second")
    os.symlink("itself", tmp_path / "itself")
    errors = {Path(e.path).name: e.error for e in FolderSource(str(tmp_path)).entries()}
    assert errors == {
        "first": "skipped: symbolic link loop (-> second)",
        "second": "skipped: symbolic link loop (-> first)",
        "itself": "skipped: symbolic link loop (-> itself)",
    }


def test_root_problem_refuses_links_and_endless_files(tmp_path: Path) -> None:
    _tree(tmp_path)
    os.symlink("b", tmp_path / "folder_link")
    os.symlink("folder_link_loop", tmp_path / "folder_link_loop")
    assert root_problem(str(tmp_path)) is None
    assert root_problem(str(tmp_path / "a.txt")) is None
    assert root_problem(str(tmp_path / "nope")) is None  # the walk says it is missing
    assert root_problem(str(tmp_path / "folder_link")) == (
        "a symbolic link, not followed (-> b): name the folder or file it points to"
    )
    assert root_problem(str(tmp_path / "dangling")) == "a broken symbolic link (-> missing)"
    assert root_problem(str(tmp_path / "folder_link_loop")) == (
        "a symbolic link loop (-> folder_link_loop)"
    )
    assert root_problem(str(tmp_path / "pipe")) == (
        "a FIFO (named pipe): not a file, folder or disk to read"
    )
    assert root_problem("/dev/null") == ("a character device: not a file, folder or disk to read")


def _past(path: Path) -> float:
    """Set ``path``'s access time ten days back (before its modification time, so even a
    relatime mount moves it on the next read) and return it."""
    st = path.stat()
    atime = st.st_mtime - 10 * 86400
    os.utime(path, (atime, st.st_mtime))
    return path.stat().st_atime


def _read_moves_atime(path: Path) -> bool:
    before = _past(path)
    with open(path, "rb") as fh:
        fh.read()
    moved = path.stat().st_atime != before
    _past(path)
    return moved


def test_hard_links_keep_the_times_their_first_name_had(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the file under its first name moves the access time its second name shows
    (a plain open where O_NOATIME is refused): the times recorded are from before."""
    monkeypatch.setattr(locator_module, "_NOATIME", 0)
    first = tmp_path / "a.txt"
    first.write_bytes(b"alpha" * 100)
    os.link(first, tmp_path / "b.txt")
    if not _read_moves_atime(first):
        pytest.skip("this file system does not update access times")
    before = datetime.fromtimestamp(_past(first), UTC)
    entries = []
    for entry in FolderSource(str(tmp_path)).entries():
        with entry.open() as fh:  # what a stage does, in the walk's order
            fh.read()
        entries.append(entry)
    assert [e.times.accessed for e in entries] == [before, before]


def test_a_named_file_keeps_the_times_taken_before_it_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The evidence named itself is probed (and hashed as the source) before the walk:
    ``open_evidence`` stats it first."""
    from phunt.sources.expand import open_evidence

    monkeypatch.setattr(locator_module, "_NOATIME", 0)
    named = tmp_path / "notes.txt"
    named.write_bytes(b"not a container\n" * 100)
    if not _read_moves_atime(named):
        pytest.skip("this file system does not update access times")
    before = datetime.fromtimestamp(_past(named), UTC)
    walk = open_evidence(str(named))
    with open(named, "rb") as fh:  # the source hash, started before the walk's first step
        fh.read()
    (entry,) = list(walk)
    assert entry.times.accessed == before
