"""CPU of the ingest coordinator against each worker's, on small JPEGs in a folder and a zip.

Run from the project root: ``.venv/bin/python bench/coordinator_cpu.py [--files N]``.
The coordinator's CPU is this process's (walk, hand-over, storing); each worker's is read
from the pool's processes just before they are shut down. Pictures are generated (plain
gradients with noise), the database is a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import zipfile
from pathlib import Path
from typing import Any


def make_pictures(folder: Path, count: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    rng = random.Random(7)
    base = Image.linear_gradient("L").convert("RGB").resize((320, 240))
    for i in range(count):
        noise = Image.effect_noise((320, 240), 20 + rng.random() * 40).convert("RGB")
        Image.blend(base, noise, 0.3).save(folder / f"IMG_{i:05d}.jpg", quality=80)


def run(source: Path, workers: int, home: Path) -> dict[str, Any]:
    import psutil  # type: ignore[import-untyped]

    from phunt.cases.devices import add_device
    from phunt.ingest import pipeline
    from phunt.ingest.job import ingest
    from phunt.schema.db import Database

    worker_cpu: list[float] = []
    close = pipeline.Runner.close

    def measured_close(self: Any) -> None:
        for child in psutil.Process().children():
            times = child.cpu_times()
            worker_cpu.append(times.user + times.system)
        close(self)

    pipeline.Runner.close = measured_close  # type: ignore[method-assign]
    db = Database(f"sqlite:///{home / f'{source.name}-{workers}.db'}")
    with db.session() as s:
        add_device(s, "EV-1", "mobile phone")
    before = resource.getrusage(resource.RUSAGE_SELF)
    summary = ingest(db, str(source), "EV-1", workers=workers)
    after = resource.getrusage(resource.RUSAGE_SELF)
    pipeline.Runner.close = close  # type: ignore[method-assign]
    coordinator = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"files": summary.files, "coordinator": coordinator, "workers": worker_cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="phunt-cpu-") as tmp:
        home = Path(tmp)
        folder = home / "DCIM"
        make_pictures(folder, args.files)
        with zipfile.ZipFile(home / "DCIM.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, f"DCIM/{path.name}")
        for source in (folder, home / "DCIM.zip"):
            found = run(source, args.workers, home)
            shares = ", ".join(f"{cpu:.2f}" for cpu in found["workers"])
            ratio = found["coordinator"] / max(max(found["workers"], default=0), 1e-9)
            print(
                f"{source.name}: {found['files']} files, coordinator {found['coordinator']:.2f} s "
                f"CPU, workers [{shares}] s, coordinator / busiest worker = {ratio:.2f}"
            )


if __name__ == "__main__":
    main()
