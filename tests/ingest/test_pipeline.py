"""The same per-file work in-process, in a process pool and on Dask gives the same results."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from phunt.ingest.pipeline import SHIP_LIMIT, Runner, make_task, process
from phunt.sources.base import Entry
from phunt.sources.folder import FolderSource


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


def test_pool_matches_in_process(tmp_path: Path) -> None:
    _tree(tmp_path / "ev")
    entries = list(FolderSource(str(tmp_path / "ev")).entries())
    with Runner(1) as one:
        serial = list(one.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    with Runner(2) as two:
        pooled = list(two.run((make_task(i, e) for i, e in enumerate(entries)), "default"))
    assert _summary(serial) == _summary(pooled)
    assert [p.seq for p in pooled] == list(range(len(entries)))


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
