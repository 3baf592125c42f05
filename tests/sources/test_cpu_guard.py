"""The CPU-bounded listing child: a step that spins or crashes is recorded, the rest listed."""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from phunt.cases.devices import add_device
from phunt.ingest.job import ingest
from phunt.schema.db import Database
from phunt.schema.ingest import EvidenceFile, IngestJob
from phunt.sources import cpu_guard
from phunt.sources.base import Entry
from phunt.sources.cpu_guard import StepGuard, guarded
from phunt.sources.expand import open_evidence
from phunt.sources.limits import ExpandLimits
from test_lib import TEST_DATA

#: Small enough for quick tests, large enough for a loaded machine's healthy steps.
LIMIT = 0.5
GOOD_FS = TEST_DATA / "fuzz" / "seeds" / "tiny-ext2.raw"
SPINNING_ROOT = TEST_DATA / "fuzz" / "disk-raw" / "ext2-root-open-loops.raw"


def _spin() -> None:
    while True:
        pass


def _walk(bad: dict[str, str]) -> object:
    """Steps ``a``..``e``, each yielding one entry; ``bad`` says which spin or crash."""

    def walk(guard: StepGuard) -> Iterator[Entry]:
        for name in "abcde":
            if not guard.step():
                yield Entry(path=name, error=guard.reason())
                continue
            if bad.get(name) == "spin":
                _spin()
            if bad.get(name) == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            if bad.get(name) == "stall":
                time.sleep(600)
            yield Entry(path=name, size=1)

    return walk


def _given_up(reason: str, some: bool) -> Entry:
    return Entry(path="fs", error=f"given up ({'some' if some else 'none'}): {reason}")


def _listed(bad: dict[str, str]) -> list[tuple[str, str | None]]:
    walk = _walk(bad)
    return [(e.path, e.error) for e in guarded(walk, LIMIT, _given_up)]  # type: ignore[arg-type]


def test_a_healthy_walk_is_listed_whole_in_order() -> None:
    assert _listed({}) == [(name, None) for name in "abcde"]


def test_a_step_that_spins_is_an_error_and_the_steps_after_it_are_listed() -> None:
    started = time.monotonic()
    listed = _listed({"b": "spin", "d": "spin"})
    cpu = "exceeded 0.5 s of CPU; damaged metadata?"
    assert listed == [("a", None), ("b", cpu), ("c", None), ("d", cpu), ("e", None)]
    assert time.monotonic() - started < 20  # two steps of 0.5 s CPU, on a loaded machine


def test_a_crash_in_a_step_is_named_by_its_signal() -> None:
    listed = _listed({"c": "crash"})
    assert listed[2] == ("c", "The Sleuth Kit crashed (SIGSEGV); damaged metadata?")
    assert [path for path, error in listed if error is None] == ["a", "b", "d", "e"]


def test_a_step_that_neither_uses_cpu_nor_sends_is_ended_as_stalled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lock another thread held at the fork, or a read that never returns."""
    monkeypatch.setattr(cpu_guard, "STALL_S", 1.0)
    monkeypatch.setattr(cpu_guard, "POLL_S", 0.1)
    listed = _listed({"b": "stall"})
    stalled = "made no progress for 1 s (no CPU used, nothing sent): a read that never returns?"
    assert listed == [("a", None), ("b", stalled), ("c", None), ("d", None), ("e", None)]


def test_a_child_that_dies_outside_any_step_ends_the_listing_with_the_given_up_entry() -> None:
    def walk(guard: StepGuard) -> Iterator[Entry]:
        _spin()
        yield Entry(path="never")

    listed = [(e.path, e.error) for e in guarded(walk, LIMIT, _given_up)]
    assert listed == [("fs", "given up (none): exceeded 0.5 s of CPU; damaged metadata?")]


def test_a_step_that_dies_again_where_it_was_stopped_ends_the_listing() -> None:
    def walk(guard: StepGuard) -> Iterator[Entry]:
        for name in "ab":
            guard.step()  # the answer ignored: step b spins whatever it is told
            if name == "b":
                _spin()
            yield Entry(path=name)

    listed = [(e.path, e.error) for e in guarded(walk, LIMIT, _given_up)]
    assert listed[-1] == ("fs", "given up (none): exceeded 0.5 s of CPU; damaged metadata?")


def test_an_item_that_spins_ends_its_step_there() -> None:
    def walk(guard: StepGuard) -> Iterator[Entry]:
        guard.step()
        while guard.item():
            if guard.item_number == 3:
                _spin()
            if guard.item_number == 5:
                break
        yield Entry(path=f"stopped at {guard.item_number}", error=guard.reason() or None)

    listed = [(e.path, e.error) for e in guarded(walk, LIMIT, _given_up)]
    assert listed == [("stopped at 3", "exceeded 0.5 s of CPU; damaged metadata?")]


def test_an_error_of_the_walk_itself_is_raised_in_the_parent() -> None:
    def walk(guard: StepGuard) -> Iterator[Entry]:
        yield Entry(path="a")
        raise ValueError("a bug in the walker")

    with pytest.raises(ValueError, match="a bug in the walker"):
        list(guarded(walk, LIMIT, _given_up))


def test_a_consumer_that_stops_early_leaves_no_child() -> None:
    def walk(guard: StepGuard) -> Iterator[Entry]:
        while True:
            guard.step()
            yield Entry(path="again")

    before = _children()
    listing = guarded(walk, LIMIT, _given_up)
    assert next(listing).path == "again"
    assert _children() - before  # the walk's child is running
    listing.close()
    assert _children() <= before  # ended and reaped (a zombie would still be listed)


def _children() -> set[int]:
    """This process's children, as the kernel lists them (other tests' may be among them)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):
            found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def _two_file_systems(folder: Path) -> Path:
    """An MBR disk: p1 a healthy ext2, p2 the fuzzed ext2 whose root spins TSK."""
    good = GOOD_FS.read_bytes()
    bad = SPINNING_ROOT.read_bytes()
    bad += bytes(-len(bad) % 512)
    mbr = bytearray(512)
    entry = struct.Struct("<B3sB3sII")
    mbr[446:462] = entry.pack(0, b"\0\0\0", 0x83, b"\0\0\0", 1, len(good) // 512)
    start = 1 + len(good) // 512
    mbr[462:478] = entry.pack(0, b"\0\0\0", 0x83, b"\0\0\0", start, len(bad) // 512)
    mbr[510:512] = b"\x55\xaa"
    disk = folder / "disk.raw"
    disk.write_bytes(bytes(mbr) + good + bad)
    return disk


def test_a_spinning_file_system_is_an_error_and_the_other_volume_is_read(tmp_path: Path) -> None:
    disk = _two_file_systems(tmp_path)
    limits = ExpandLimits(max_listing_cpu=LIMIT)
    found = {e.path: e for e in open_evidence(str(disk), limits=limits)}
    shown = str(disk)
    assert {p: e.size for p, e in found.items() if e.error is None} == {
        f"{shown}!/p1/lunch.txt": 15,
        f"{shown}!/p1/note.txt": 27,
    }
    with found[f"{shown}!/p1/note.txt"].open() as stream:
        assert stream.read() == b"Meeting moved to Thursday.\n"
    assert found[f"{shown}!/p2"].error == (
        "file system at offset 131584 (p2): listing exceeded 0.5 s of CPU; damaged metadata?"
        " (nothing of it is listed)"
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_of_a_disk_with_a_spinning_file_system_stores_the_good_one_and_the_error(
    database: Database, tmp_path: Path, workers: int
) -> None:
    """The listing runs in the ingest's listing process with 2 workers, here with 1."""
    disk = _two_file_systems(tmp_path)
    with database.session() as s:
        add_device(s, "EV-1", "memory card")
    limits = ExpandLimits(max_listing_cpu=LIMIT)
    summary = ingest(database, str(disk), "EV-1", workers=workers, limits=limits)
    assert (summary.files, summary.errors) == (2, 1)
    with database.session() as s:
        rows = {f.path.split("!/", 1)[1]: f for f in s.scalars(select(EvidenceFile))}
        assert s.scalars(select(IngestJob)).one().status == "complete"
    assert rows["p1/note.txt"].md5 == "527469763f628b5d1fe1f54d63b8c532"
    assert rows["p1/lunch.txt"].sha1 is not None and rows["p1/lunch.txt"].error is None
    error = rows["p2"].error
    assert error is not None and error.startswith("file system at offset 131584 (p2): listing")


def test_a_name_whose_metadata_spins_ends_its_folder_and_the_folders_before_it_are_listed(
    tmp_path: Path,
) -> None:
    """TSK loads every name's metadata while it lists a folder, and cannot step past one:
    the names before the spinning one are kept, the folder's error says where it stopped."""
    image = tmp_path / "stick.raw"
    image.write_bytes(
        (TEST_DATA / "fuzz" / "disk-raw" / "ext2-folder-entry-spins.raw").read_bytes()
    )
    limits = ExpandLimits(max_listing_cpu=LIMIT)
    found = {e.path.split("!/", 1)[1]: e for e in open_evidence(str(image), limits=limits)}
    assert {p: e.size for p, e in found.items() if e.error is None} == {"a_folder/one.txt": 27}
    assert found[""].error == (
        "folder partly listed: loading the metadata of its name number 5 exceeded 0.5 s of"
        " CPU; damaged metadata? The names after it are not listed (file system at offset 0)"
    )


def test_a_limit_of_zero_is_refused_rather_than_meaning_no_limit() -> None:
    with pytest.raises(ValueError, match="more than 0 s"):
        list(guarded(_walk({}), 0.0, _given_up))  # type: ignore[arg-type]
