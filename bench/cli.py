"""Benchmark the CLI's fixed costs: ``phunt --help`` start-up and ``phunt hash`` memory.

* ``phunt --help``: median wall time of 10 runs (target < 0.5 s), beside a bare
  ``python -c pass`` and ``import phunt.cli.main``, and the heaviest imports by
  ``python -X importtime``.
* ``phunt hash`` (and ``phunt hash --no-pdq``) of one 1 GB random file and of a 1 GB folder
  of files (2 MP JPEGs, which get a PDQ hash, and random files): peak memory (target
  < 100 MB) and MB/s,
  on one core, beside ``md5sum``, ``sha1sum`` and ``sha256sum`` run one after the other
  and ``hashdeep -c md5,sha1,sha256 -j 1``.

Data is generated once into ``bench/.cache/cli`` and read once before timing, so every
contender reads from the page cache.

    .venv/bin/python bench/cli.py            # writes bench/results/cli.md
    .venv/bin/python bench/cli.py --quick    # 3 --help runs, 256 MB instead of 1 GB
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _common import (
    MB,
    RESULTS_DIR,
    VENV_BIN,
    Measurement,
    cache_dir,
    facts_table,
    folder_totals,
    measure,
    phunt_revision,
    table,
    warm_cache,
)
from ingest import _exif, photo, write_random_file

PHUNT = str(VENV_BIN / "phunt")
PYTHON = str(VENV_BIN / "python")
HELP_TARGET_S = 0.5
HASH_TARGET_MB = 100


def wall_times(cmd: list[str], runs: int) -> list[float]:
    """Wall time of ``runs`` runs of ``cmd``, output discarded."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


@dataclass
class Import:
    """One line of ``-X importtime``: a module, its own and cumulative time."""

    module: str
    depth: int
    self_ms: float
    cumulative_ms: float


def import_times() -> list[Import]:
    """What ``phunt --help`` imports, and how long each import takes."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", PHUNT, "--help"], capture_output=True, text=True, check=True
    )
    found = []
    pattern = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    for line in proc.stderr.splitlines():
        match = pattern.match(line)
        if match:
            self_us, cum_us, indent, module = match.groups()
            found.append(Import(module, len(indent) // 2, int(self_us) / 1e3, int(cum_us) / 1e3))
    return found


def make_one_file(size_mb: int) -> Path:
    """One file of ``size_mb`` MB of random bytes (cached)."""
    path = cache_dir("cli") / f"random-{size_mb}mb.bin"
    if not path.exists() or path.stat().st_size != size_mb * MB:
        write_random_file(path, size_mb * MB, 42)
    return path


def _photos(folder: str, start: int, stop: int) -> None:
    for index in range(start, stop):
        rng = np.random.default_rng([11, index])
        photo(rng).save(Path(folder, f"IMG_{index:05d}.jpg"), quality=90, exif=_exif(index))


def make_folder(size_mb: int) -> Path:
    """About ``size_mb`` MB of files: a fifth 2 MP JPEGs, the rest 100 MB random files."""
    folder = cache_dir("cli") / f"files-{size_mb}mb"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    folder.mkdir(exist_ok=True)
    photos = max(1, int(size_mb / 5 / 0.55))  # a 2 MP picture is about 0.55 MB
    with ProcessPoolExecutor(2) as pool:
        step = max(1, photos // 8)
        jobs = [
            pool.submit(_photos, str(folder), i, min(photos, i + step))
            for i in range(0, photos, step)
        ]
        for job in jobs:
            job.result()
    _n, size = folder_totals(folder)
    index = 0
    while size < size_mb * MB:
        chunk = min(100 * MB, size_mb * MB - size)
        write_random_file(folder / f"archive_{index:02d}.bin", chunk, 100 + index)
        size += chunk
        index += 1
    stamp.touch()
    return folder


@dataclass
class HashRow:
    """One contender hashing one data set on one core."""

    name: str
    data: str
    size: int
    wall_s: float
    cpu_s: float
    tree_mb: float
    pss_mb: float
    single_mb: float

    def cells(self) -> list[object]:
        return [
            self.name,
            self.data,
            f"{self.size / MB:,.0f}",
            f"{self.wall_s:.2f}",
            f"{self.cpu_s:.2f}",
            f"{self.size / MB / self.wall_s:,.0f}",
            f"{self.size / MB / max(self.cpu_s, 1e-9):,.0f}",
            f"{self.tree_mb:,.1f}",
            f"{self.pss_mb:,.1f}",
            f"{self.single_mb:,.1f}",
        ]


def _checked(m: Measurement, what: str) -> Measurement:
    if m.returncode != 0:
        raise RuntimeError(f"{what} failed ({m.returncode}): {m.stderr[-2000:]}")
    return m


def _row(name: str, label: str, size: int, m: Measurement) -> HashRow:
    return HashRow(
        name, label, size, m.wall_s, m.cpu_s, m.tree_rss_mb, m.tree_pss_mb, m.single_rss_mb
    )


def hash_rows(target: Path, label: str) -> list[HashRow]:
    """phunt hash and its peers on ``target``, pinned to core 0."""
    _n, size = folder_totals(target) if target.is_dir() else (1, target.stat().st_size)
    rows = []
    for extra in ([], ["--no-pdq"]):
        cmd = [PHUNT, "hash", str(target), *extra, "--json"]
        m = _checked(measure(cmd, cpus="0"), "phunt hash")
        rows.append(_row(" ".join(["phunt hash", *extra, "--json"]), label, size, m))
    if target.is_file():
        tools = ("md5sum", "sha1sum", "sha256sum")
        parts = [_checked(measure([tool, str(target)], cpus="0"), tool) for tool in tools]
        rows.append(
            HashRow(
                "; ".join(tools),
                label,
                size,
                sum(p.wall_s for p in parts),
                sum(p.cpu_s for p in parts),
                max(p.tree_rss_mb for p in parts),
                max(p.tree_pss_mb for p in parts),
                max(p.single_rss_mb for p in parts),
            )
        )
    cmd = ["hashdeep", "-c", "md5,sha1,sha256", "-j", "1", "-r", str(target)]
    rows.append(_row(" ".join(cmd[:5]), label, size, _checked(measure(cmd, cpus="0"), "hashdeep")))
    return rows


def report(
    args: argparse.Namespace,
    help_runs: dict[str, list[float]],
    imports: list[Import],
    rows: list[HashRow],
) -> str:
    help_median = statistics.median(help_runs["phunt --help"])
    top = sorted((i for i in imports if i.depth == 1), key=lambda i: -i.cumulative_ms)[:12]
    heavy = sorted(imports, key=lambda i: -i.self_ms)[:10]
    verdicts = [
        f"- `{r.name}`, {r.data}: {r.single_mb:.1f} MB largest process, "
        f"{r.tree_mb:.1f} MB tree RSS: "
        + ("met." if max(r.single_mb, r.tree_mb) < HASH_TARGET_MB else "missed.")
        for r in rows
        if r.name.startswith("phunt")
    ]
    lines = [
        "# CLI benchmark",
        "",
        f"`bench/cli.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        "",
        args.facts,
        "",
        "## Start-up",
        "",
        f"Wall time of {args.runs} runs each, not pinned; the median is the figure.",
        "",
        table(
            ["command", "median s", "min s", "max s"],
            [
                [name, f"{statistics.median(t):.3f}", f"{min(t):.3f}", f"{max(t):.3f}"]
                for name, t in help_runs.items()
            ],
        ),
        "",
        f"`phunt --help`: {help_median:.3f} s median against a target of {HELP_TARGET_S} s: "
        + (
            "met."
            if help_median < HELP_TARGET_S
            else f"missed by {help_median - HELP_TARGET_S:.3f} s."
        ),
        "",
        "Heaviest top-level imports of `phunt --help` (`python -X importtime`, one run, ms):",
        "",
        table(
            ["module", "cumulative ms", "self ms"],
            [[i.module, f"{i.cumulative_ms:.1f}", f"{i.self_ms:.1f}"] for i in top],
        ),
        "",
        "Heaviest single modules by their own import time:",
        "",
        table(
            ["module", "self ms", "cumulative ms"],
            [[i.module, f"{i.self_ms:.1f}", f"{i.cumulative_ms:.1f}"] for i in heavy],
        ),
        "",
        "## phunt hash: memory and speed",
        "",
        "Pinned to one core (`taskset -c 0`), data in the page cache, output to a file. "
        "*tree RSS/PSS MB* are peaks of the sampled sums over the process tree; *largest MB* "
        "is the exact peak RSS of the biggest single process (`ru_maxrss` by /usr/bin/time). "
        "*CPU s* is user + system time. The coreutils row adds the three tools' times and "
        "keeps the largest memory.",
        "",
        table(
            [
                "command",
                "data",
                "MB",
                "wall s",
                "CPU s",
                "MB/s",
                "MB per CPU-s",
                "tree RSS MB",
                "tree PSS MB",
                "largest MB",
            ],
            [r.cells() for r in rows],
        ),
        "",
        f"`phunt hash` peak memory against a target of {HASH_TARGET_MB} MB:",
        "",
        *verdicts,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, 256 MB of data")
    parser.add_argument("--runs", type=int, help="runs of each start-up command (default 10)")
    parser.add_argument("--size-mb", type=int, help="size of the hashed data (default 1000)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "cli.md")
    args = parser.parse_args()
    args.facts = facts_table()
    revision = phunt_revision()
    args.runs = args.runs or (3 if args.quick else 10)
    size_mb = args.size_mb or (256 if args.quick else 1000)

    print("start-up ...", flush=True)
    help_runs = {
        "python -c pass": wall_times([PYTHON, "-c", "pass"], args.runs),
        "python -c 'import phunt.cli.main'": wall_times(
            [PYTHON, "-c", "import phunt.cli.main"], args.runs
        ),
        "phunt --help": wall_times([PHUNT, "--help"], args.runs),
    }
    imports = import_times()
    print("data ...", flush=True)
    one = make_one_file(size_mb)
    folder = make_folder(size_mb)
    warm_cache([one, folder])
    print("phunt hash ...", flush=True)
    rows = hash_rows(one, f"one {size_mb} MB random file") + hash_rows(
        folder, f"{size_mb} MB of files"
    )
    for row in rows:
        print("  " + " | ".join(str(c) for c in row.cells()), flush=True)
    if phunt_revision() != revision:
        args.facts += "\n\n**The code under test changed during this run: do not trust it.**"
    text = report(args, help_runs, imports, rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
