"""The same per-file work in-process, in a process pool and on Dask gives the same results."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phunt.errors import InputError
from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import Profile, process_batch, process_entry
from phunt.sources.base import Entry
from phunt.sources.expand import open_evidence
from phunt.sources.folder import FolderSource
from phunt.sources.locator import Locator
from test_lib import StreamEntry


def _tree(root: Path) -> None:
    from PIL import Image

    root.mkdir()
    for i in range(6):
        Image.new("RGB", (64, 48), (i * 40, 100, 200 - i * 30)).save(root / f"p{i}.png")
        (root / f"t{i}.txt").write_text(f"note {i}\n")
    with zipfile.ZipFile(root / "z.zip", "w") as zf:
        zf.writestr("inner.txt", "inside")


def _summary(items: list[object]) -> list[tuple[object, ...]]:
    out = []
    for p in items:
        r = p.result  # type: ignore[attr-defined]
        out.append((p.seq, r.path, r.sha256, r.mime, None if r.pdq is None else r.pdq.hash.hex))  # type: ignore[attr-defined]
    return out


def test_pool_matches_in_process(tmp_path: Path) -> None:
    _tree(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    with Runner(1) as one:
        serial = list(one.run(enumerate(entries), process_batch, Profile.ingest("default")))
    with Runner(2) as two:
        pooled = list(two.run(enumerate(entries), process_batch, Profile.ingest("default")))
    assert _summary(serial) == _summary(pooled)
    assert [p.seq for p in pooled] == list(range(len(entries)))


def _members_zip(path: Path) -> list[bytes]:
    """A zip of members of growing size, one of them too big for any batch of others."""
    blobs = [bytes([i]) * (150 * i) for i in range(9)]
    blobs.insert(7, b"B" * 5000)
    with zipfile.ZipFile(path, "w") as archive:
        for i, blob in enumerate(blobs):
            archive.writestr(f"m{i}.bin", blob)
    return blobs


def test_batches_and_window_keep_every_file_once_and_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small batches and a small window force every boundary: batches closed by count and
    by bytes, the window drained by count, and a member bigger than a batch on its own."""
    from phunt.ingest import pipeline

    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 400)
    monkeypatch.setattr(pipeline, "WINDOW_PER_WORKER", 1)
    _tree(tmp_path / "ev")
    blobs = _members_zip(tmp_path / "ev" / "members.zip")
    entries = list(open_evidence(str(tmp_path / "ev")))
    with Runner(1) as one:
        serial = list(one.run(enumerate(entries), process_batch, Profile.ingest("default")))
    with Runner(2) as two:
        pooled = list(two.run(enumerate(entries), process_batch, Profile.ingest("default")))
    assert [p.seq for p in pooled] == list(range(len(entries)))
    assert _summary(serial) == _summary(pooled)
    by_path = {p.result.path: p.result.sha256 for p in pooled}
    for i, blob in enumerate(blobs):
        assert by_path[f"{tmp_path}/ev/members.zip!/m{i}.bin"] == hashlib.sha256(blob).hexdigest()


def test_batches_carry_locators_not_member_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker is sent for a zip of 1 MB members is a few hundred bytes a member:
    the entry and its locator, never the member's data; the worker opens it itself."""
    from phunt.ingest import pipeline

    member = os.urandom(1 << 20)
    with zipfile.ZipFile(tmp_path / "big.zip", "w") as archive:
        for i in range(4):
            archive.writestr(f"m{i}.bin", member[i:] + member[:i])
    sent: list[int] = []
    submit = pipeline.Runner.submit

    def measure(self: Runner, fn: Callable[..., object], *args: object) -> object:
        sent.append(len(pickle.dumps(args)))
        return submit(self, fn, *args)

    monkeypatch.setattr(pipeline.Runner, "submit", measure)
    entries = list(open_evidence(str(tmp_path / "big.zip")))
    assert len(entries) == 4 and all(e.locator is not None for e in entries)
    with Runner(2) as two:
        done = list(two.run(enumerate(entries), process_batch, Profile.ingest(None)))
    assert [p.result.sha256 for p in done] == [
        hashlib.sha256(member[i:] + member[:i]).hexdigest() for i in range(4)
    ]
    assert sent and sum(sent) < 4 * 1024
    assert [p.locator for p in done] == [e.locator for e in entries]


def _batch_and_scratch(batch: list[tuple[int, Entry]], mode: str | None) -> list[object]:
    from phunt.sources.locator import _cache

    return [(done, _cache().scratch) for done in process_batch(batch, Profile.ingest(mode))]


def test_workers_spool_nested_containers_into_the_scratch_folder(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deep.txt", b"deep")
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    entries = list(open_evidence(str(tmp_path / "outer.zip")))
    with Runner(2, scratch=str(scratch)) as two:
        done = list(two.run(enumerate(entries), _batch_and_scratch, None))
    assert [p.result.path.rsplit("!/", 1)[-1] for p, _ in done] == ["inner.zip", "deep.txt"]
    used = {Path(where).parent for _, where in done}
    assert used == {scratch}
    assert list(scratch.iterdir()) == []  # each worker removed its own folder on exit


def test_runner_submit_runs_one_call_in_process_and_in_the_pool() -> None:
    for workers in (1, 2):
        with Runner(workers) as runner:
            assert runner.submit(sum, [1, 2, 3]).result() == 6


@pytest.mark.slow
def test_dask_local_cluster_matches_in_process(tmp_path: Path) -> None:
    from distributed import LocalCluster

    _tree(tmp_path / "ev")
    entries = list(open_evidence(str(tmp_path / "ev")))
    with Runner(1) as one:
        serial = list(one.run(enumerate(entries), process_batch, Profile.ingest("default")))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Runner(cluster=cluster.scheduler_address) as dask,
    ):
        assert dask.workers == 2
        remote = list(dask.run(enumerate(entries), process_batch, Profile.ingest("default")))
    assert _summary(serial) == _summary(remote)
    assert any("z.zip!/inner.txt" in p.result.path for p in remote)


def _camera_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "ExampleCam", "Model 7"
    exif.get_ifd(0x8769)[0x9003] = "2026:01:05 10:02:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (10.0, 1.0, 30.0), "E", (76.0, 18.0, 0.0)
    buffer = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize(size).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


CAMERA_FACTS = {
    "make": "ExampleCam",
    "model": "Model 7",
    "datetime": "2026:01:05 10:02:00",
    "gps": {"lat": 10.025, "lon": 76.3},
}


@pytest.mark.parametrize("mode", ["default", "fast"])
def test_exif_comes_with_the_pdq_decode(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(_camera_jpeg())
    for entry in (
        Entry(path=str(path), size=path.stat().st_size, locator=Locator(str(path))),
        StreamEntry(
            path="phone.zip!/IMG_0001.jpg", size=1, stream=lambda: io.BytesIO(_camera_jpeg())
        ),
    ):
        done = process_entry(0, entry, Profile.ingest(mode))
        assert done.result.pdq is not None and done.result.exif == CAMERA_FACTS
        assert done.exif == CAMERA_FACTS


def test_exif_of_a_picture_whose_pixels_are_damaged_is_still_read(tmp_path: Path) -> None:
    data = _camera_jpeg((640, 480))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])  # the header and EXIF intact, the scan cut
    done = process_entry(
        0, Entry(path=str(path), locator=Locator(str(path))), Profile.ingest("default")
    )
    assert done.result.error is not None and "corrupt image" in done.result.error
    assert done.result.exif is None and done.exif == CAMERA_FACTS


def test_crypto_only_reads_no_exif(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(_camera_jpeg())
    done = process_entry(0, Entry(path=str(path), locator=Locator(str(path))), Profile.ingest(None))
    assert done.result.pdq is None and done.exif == {}


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``, read from /proc."""
    found = set()
    for name in os.listdir("/proc"):
        state = _stat(int(name)) if name.isdigit() else None
        if state is not None and state[1] == pid:
            found.add(int(name))
    return found


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, parent pid)`` of a process, None once it is gone (a zombie is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else (fields[0], int(fields[1]))


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_the_coordinator_is_killed(tmp_path: Path) -> None:
    """SIGKILL of ``phunt ingest`` mid-run: its pool workers follow within seconds, instead
    of waiting on their task pipe for ever with the database open."""
    src = tmp_path / "big"
    src.mkdir()
    for i in range(12):  # sparse: hashing them takes seconds, storing them nothing
        with open(src / f"backup_{i}.bin", "wb") as fh:
            fh.truncate(256 << 20)
    home = str(tmp_path / "home")
    base = [sys.executable, "-m", "phunt"]
    subprocess.run([*base, "init", "--home", home], check=True, capture_output=True)
    add = [*base, "device", "add", "--evidence", "EV-W", "--kind", "laptop", "--home", home]
    subprocess.run(add, check=True, capture_output=True)
    cmd = [*base, "ingest", str(src), "--device", "EV-W", "--workers", "2", "--no-pdq"]
    proc = subprocess.Popen([*cmd, "--home", home], stdout=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.05)
            workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while any(_stat(pid) is not None for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in workers if _stat(pid) is not None] == []
    finally:
        proc.kill()
        for pid in workers:
            if _stat(pid) is not None:
                os.kill(pid, signal.SIGKILL)


def _paths(batch: list[tuple[int, Entry]]) -> list[str]:
    return [f"{seq}:{entry.path}" for seq, entry in batch]


def _numbered_by_lister(count: int) -> Callable[[], Iterator[tuple[int, Entry]]]:
    """A listing function whose entries name the process that listed them."""

    def lister() -> Iterator[tuple[int, Entry]]:
        for seq in range(count):
            yield seq, Entry(path=f"{os.getpid()}/f{seq}", size=10)

    return lister


def test_a_listing_function_runs_in_a_process_of_its_own() -> None:
    """Given a function, a pooled run lists in another process (the walk's CPU is not the
    coordinator's), with the same results in the same order as a run in this process."""
    lister = _numbered_by_lister(300)
    with Runner(1) as one:
        here = list(one.run(lister, _paths))
    with Runner(2) as two:
        there = list(two.run(lister, _paths))
    assert here == [f"{seq}:{os.getpid()}/f{seq}" for seq in range(300)]
    listed_by = {path.split(":")[1].split("/")[0] for path in there}
    assert len(listed_by) == 1 and listed_by != {str(os.getpid())}
    assert [p.split("/")[1] for p in there] == [p.split("/")[1] for p in here]
    assert not [p for p in multiprocessing.active_children() if p.name == "phunt-lister"]


def test_an_error_of_the_listing_is_raised_in_the_coordinator() -> None:
    """A source that breaks mid-walk fails the run as it would in this process, after the
    batches listed before it, and leaves no listing process behind."""

    def lister() -> Iterator[tuple[int, Entry]]:
        yield from _numbered_by_lister(100)()
        raise InputError("evidence.img: damaged partition table")

    seen: list[str] = []
    with Runner(2) as two, pytest.raises(InputError, match="damaged partition table"):
        for path in two.run(lister, _paths):
            seen.append(path)
    assert len(seen) <= 100
    assert not [p for p in multiprocessing.active_children() if p.name == "phunt-lister"]
