"""The same per-file work in-process, in a process pool and on Dask gives the same results."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from phunt.ingest.pipeline import SHIP_LIMIT, Runner, Task, make_task, process
from phunt.sources.base import Entry
from phunt.sources.folder import FolderSource
from test_lib import Trickle


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


def test_make_task_ships_small_members_and_keeps_large_local() -> None:
    small = Entry(path="a.zip!/x", size=3, opener=lambda: io.BytesIO(b"abc"))
    task, local = make_task(4, small)
    assert local is None and task.data == b"abc" and task.seq == 4
    assert process(task).result.sha256 is not None
    big = Entry(path="a.zip!/big", size=SHIP_LIMIT + 1, opener=lambda: io.BytesIO(b"x"))
    task, local = make_task(5, big)
    assert local is big and task.data is None

    def broken() -> io.BytesIO:
        raise OSError(5, "Input/output error")

    task, local = make_task(6, Entry(path="a.zip!/bad", size=3, opener=broken))
    assert local is None and task.error == "cannot read: Input/output error"


def test_make_task_ships_every_byte_of_a_member_read_in_short_pieces() -> None:
    """The member's bytes are read the way the hasher reads a whole file: on past short
    reads, the first request sized by the listed size rather than by the 32 MB limit."""
    data = bytes(range(256)) * 20
    for listed in (len(data), 10):
        entry = Entry(path="a.tar!/m", size=listed, opener=lambda: Trickle(data))
        task, local = make_task(0, entry)
        assert local is None and task.data == data, listed


def test_pool_matches_in_process(tmp_path: Path) -> None:
    _tree(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    with Runner(1) as one:
        serial = list(one.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    with Runner(2) as two:
        pooled = list(two.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    assert _summary(serial) == _summary(pooled)
    assert [p.seq for p in pooled] == list(range(len(entries)))


def test_batches_and_window_keep_every_file_once_and_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small batches and a small window force every boundary: batches closed by count and
    by bytes, the window drained by count and by shipped bytes, and a member too large to
    ship hashed by the coordinator between batches."""
    from phunt.ingest import pipeline

    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 400)
    monkeypatch.setattr(pipeline, "WINDOW_PER_WORKER", 1)
    monkeypatch.setattr(pipeline, "WINDOW_DATA_BYTES", 500)
    monkeypatch.setattr(pipeline, "SHIP_LIMIT", 1000)
    _tree(tmp_path / "ev")
    entries: list[Entry] = list(FolderSource(str(tmp_path / "ev")).entries())
    for i in range(9):
        blob = bytes([i]) * (150 * i)
        entries.insert(
            2 * i, Entry(path=f"a.zip!/m{i}", size=len(blob), opener=lambda b=blob: io.BytesIO(b))
        )
    big = b"B" * 5000
    entries.insert(7, Entry(path="a.zip!/big", size=len(big), opener=lambda: io.BytesIO(big)))

    def tasks() -> list[tuple[Task, Entry | None]]:
        return [make_task(i, e) for i, e in enumerate(entries)]

    with Runner(1) as one:
        serial = list(one.run(tasks(), "default"))
    with Runner(2) as two:
        pooled = list(two.run(tasks(), "default"))
    assert [p.seq for p in pooled] == list(range(len(entries)))
    assert _summary(serial) == _summary(pooled)
    assert pooled[7].result.sha256 == hashlib.sha256(big).hexdigest()


@pytest.mark.slow
def test_dask_local_cluster_matches_in_process(tmp_path: Path) -> None:
    from distributed import LocalCluster

    _tree(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    with Runner(1) as one:
        serial = list(one.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Runner(cluster=cluster.scheduler_address) as dask,
    ):
        assert dask.workers == 2
        remote = list(dask.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    assert _summary(serial) == _summary(remote)


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
        Entry(path=str(path), size=path.stat().st_size, local_path=str(path)),
        Entry(path="phone.zip!/IMG_0001.jpg", size=1, opener=lambda: io.BytesIO(_camera_jpeg())),
    ):
        done = process(make_task(0, entry)[0], mode)
        assert done.result.pdq is not None and done.result.exif == CAMERA_FACTS
        assert done.exif == CAMERA_FACTS


def test_exif_of_a_picture_whose_pixels_are_damaged_is_still_read(tmp_path: Path) -> None:
    data = _camera_jpeg((640, 480))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])  # the header and EXIF intact, the scan cut
    done = process(make_task(0, Entry(path=str(path), local_path=str(path)))[0], "default")
    assert done.result.error is not None and "corrupt image" in done.result.error
    assert done.result.exif is None and done.exif == CAMERA_FACTS


def test_crypto_only_reads_no_exif(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(_camera_jpeg())
    done = process(make_task(0, Entry(path=str(path), local_path=str(path)))[0], None)
    assert done.result.pdq is None and done.exif == {}
