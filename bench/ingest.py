"""Benchmark ``phunt ingest`` against ``hashdeep -c md5,sha1,sha256``, side by side in one run.

Generates (once, cached in ``bench/.cache/ingest``) a benign evidence folder: photo-like
2 MP JPEGs with EXIF under ``DCIM/``, screenshot-like PNGs, text, HTML, CSV and small PDF
documents, and a few random files over 100 MB; then a raw ext4 image of that folder made by
``mke2fs -d`` (no mount, no root). On the same data and the same cores (``taskset``), it
runs, one after the other:

* ``hashdeep -c md5,sha1,sha256 -r FOLDER`` (``-j`` threads = cores) and on the raw image;
* ``phunt ingest FOLDER --no-pdq`` and ``phunt ingest image.raw --no-pdq`` (crypto only,
  every file stored in a fresh SQLite database, matched against no hash set);
* ``phunt ingest DCIM --workers N`` (full: crypto + EXIF + PDQ, default mode) and ``--fast``,
  on the camera JPEGs and on messaging-app copies of them (the same photos re-encoded at
  JPEG quality 75, as WhatsApp and Telegram send pictures), beside the time Pillow takes
  to decode the same JPEGs and nothing else (the floor under any PDQ ingest);
* with ``--big-image-gb G``: ``phunt ingest`` of a G GB ext4 image filled with random
  files (real data, not sparse), for the peak-memory line.

Each is timed from start to exit (Python start-up included), its CPU time taken, and its
memory sampled over the whole process tree. Every contender reads copies of the data on
tmpfs (``/dev/shm``, in memory; see ``stage_in_memory``), or with ``--on-disk`` the cached
data on disk after one read to warm the page cache; the big image is always read from disk,
being larger than the memory to spare.

    .venv/bin/python bench/ingest.py --quick     # 600 files, one big file: about 4 minutes
    .venv/bin/python bench/ingest.py             # 5,000 files, then a 20 GB image

Timings on the 2-core development machine, which other jobs share. Generating the folder
takes 3 to 10 minutes, once (cached). The runs take about 8 minutes per repetition
(``--repeat``, default 2). Writing the 20 GB image takes 4 to 12 minutes (debugfs; it is
deleted afterwards unless ``--keep-big-image``), and ingesting it about 1.5 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

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

PHUNT = str(VENV_BIN / "phunt")
HASHDEEP = "hashdeep -c md5,sha1,sha256"
PHOTO_SIZE = (1600, 1200)
CHUNK = 64 << 20
#: Share of the small files that are JPEGs, PNGs and documents.
MIX = (0.6, 0.2, 0.2)


# --- corpus --------------------------------------------------------------------------


def photo(rng: np.random.Generator, size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """A benign photo-like picture: a smooth colour field, a few shapes, sensor grain."""
    width, height = size
    rows, cols = int(rng.integers(3, 9)), int(rng.integers(4, 12))
    small = rng.integers(0, 256, (rows, cols, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 16))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(20, width // 2)), y0 + int(rng.integers(20, height // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    grain = rng.integers(-10, 11, (height, width, 1), dtype=np.int16)
    pixels = np.clip(np.asarray(img, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def screenshot(rng: np.random.Generator) -> Image.Image:
    """A benign screenshot-like picture: flat panels and lines of 'text' blocks."""
    width, height = 1080, int(rng.integers(700, 2000))
    img = Image.new("RGB", (width, height), tuple(int(c) for c in rng.integers(200, 256, 3)))
    draw = ImageDraw.Draw(img)
    y = 10
    while y < height - 40:
        panel = tuple(int(c) for c in rng.integers(150, 256, 3))
        h = int(rng.integers(40, 160))
        draw.rectangle((10, y, width - 10, y + h), fill=panel)
        for line in range(y + 8, y + h - 12, 18):
            length = int(rng.integers(100, width - 60))
            draw.rectangle((24, line, 24 + length, line + 9), fill=(40, 40, 40))
        y += h + 12
    return img


VOCABULARY = (
    "meeting schedule river garden invoice train station market report weather "
    "library bicycle harvest committee budget concert notes travel kitchen recipe "
    "football school holiday village minutes agenda project summary"
)


def document(rng: np.random.Generator, index: int) -> tuple[str, bytes]:
    """A neutral text, HTML, CSV or minimal PDF document."""
    words = rng.choice(VOCABULARY.split(), int(rng.integers(200, 6000)))
    text = " ".join(words)
    kind = index % 4
    if kind == 0:
        return f"notes_{index:05d}.txt", text.encode()
    if kind == 1:
        body = "".join(f"<p>{' '.join(words[i : i + 40])}</p>\n" for i in range(0, len(words), 40))
        return f"page_{index:05d}.html", f"<html><body>\n{body}</body></html>\n".encode()
    if kind == 2:
        lines = [f"{i},{w},{int(rng.integers(0, 10_000))}" for i, w in enumerate(words[:2000])]
        return f"table_{index:05d}.csv", ("id,item,amount\n" + "\n".join(lines)).encode()
    return f"letter_{index:05d}.pdf", _pdf(text[:3000])


def _pdf(text: str) -> bytes:
    """A small valid one-page PDF holding ``text``."""
    stream = f"BT /F1 10 Tf 40 800 Td ({text.replace('(', '').replace(')', '')}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _exif(index: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Generic"  # Make
    exif[0x0110] = "Bench Camera 2"  # Model
    exif[0x0132] = f"2026:05:{1 + index % 28:02d} 10:{index % 60:02d}:00"  # DateTime
    return exif


def _write_batch(folder: str, kind: str, start: int, stop: int) -> None:
    """Write files ``start..stop`` of one kind (run in a worker process)."""
    for index in range(start, stop):
        rng = np.random.default_rng([7, index, len(kind)])
        if kind == "jpeg":
            path = Path(folder, "DCIM", "Camera", f"IMG_{index:05d}.jpg")
            photo(rng).save(path, quality=90, exif=_exif(index))
        elif kind == "png":
            path = Path(folder, "Pictures", "Screenshots", f"Screenshot_{index:05d}.png")
            screenshot(rng).save(path, compress_level=6)
        else:
            name, data = document(rng, index)
            Path(folder, "Documents", name).write_bytes(data)


def write_random_file(path: Path, size: int, seed: int) -> None:
    """``size`` bytes of incompressible data, written in bounded chunks."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as fh:
        left = size
        while left:
            n = min(CHUNK, left)
            fh.write(rng.bytes(n))
            left -= n


def make_corpus(files: int, big_files: int, big_mb: int, workers: int) -> Path:
    """The evidence folder for ``files`` small files plus ``big_files`` large ones (cached)."""
    folder = cache_dir("ingest") / f"evidence-{files}-{big_files}x{big_mb}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for sub in ("DCIM/Camera", "Pictures/Screenshots", "Documents", "Backups"):
        (folder / sub).mkdir(parents=True)
    counts = [int(files * share) for share in MIX]
    counts[2] = files - counts[0] - counts[1]
    jobs = []
    for kind, count in zip(("jpeg", "png", "doc"), counts, strict=True):
        step = max(1, count // (workers * 8))
        jobs += [(kind, i, min(i + step, count)) for i in range(0, count, step)]
    print(f"generating {files} files into {folder} ...", flush=True)
    with ProcessPoolExecutor(workers) as pool:
        for future in [pool.submit(_write_batch, str(folder), *job) for job in jobs]:
            future.result()
    for i in range(big_files):
        size = (big_mb + 10 * i) * MB
        write_random_file(folder / "Backups" / f"phone_backup_{i + 1}.bin", size, 1000 + i)
    stamp.touch()
    return folder


def make_image(folder: Path) -> Path:
    """A raw ext4 image of ``folder`` (cached next to it)."""
    image = folder.with_name(folder.name + ".raw")
    if image.exists() and image.stat().st_mtime >= (folder / ".complete").stat().st_mtime:
        return image
    _files, size = folder_totals(folder)
    blocks_k = int(size * 1.15 / 1024) + 128 * 1024
    print(f"making {image} ({blocks_k // 1024} MiB) ...", flush=True)
    tmp = image.with_suffix(".tmp")
    cmd = ["mke2fs", "-q", "-t", "ext4", "-m", "0", "-d", str(folder), "-F", str(tmp)]
    subprocess.run([*cmd, f"{blocks_k}k"], check=True)
    tmp.replace(image)
    return image


def make_big_image(gb: int, file_gb: int = 2) -> Path:
    """A ``gb`` GB ext4 image filled with random files of ``file_gb`` GB (written via debugfs).

    Each file is generated into a scratch file, copied into the image and deleted, so the
    disk holds the image plus one file at a time.
    """
    folder = cache_dir("ingest")
    image = folder / f"big-{gb}g.raw"
    if image.exists():
        return image
    tmp = image.with_suffix(".tmp")
    scratch = folder / "big-file.scratch"
    size_k = (gb * 1000 + 512) * 1000
    mke2fs = ["mke2fs", "-q", "-t", "ext4", "-m", "0", "-F", str(tmp), f"{size_k}k"]
    subprocess.run(mke2fs, check=True)
    count = max(1, gb // file_gb)
    per_file = gb * 1000 * MB // count
    for i in range(count):
        print(f"big image: file {i + 1}/{count} ...", flush=True)
        write_random_file(scratch, per_file, 5000 + i)
        subprocess.run(
            ["debugfs", "-w", "-R", f"write {scratch} archive_{i + 1:02d}.bin", str(tmp)],
            check=True,
            capture_output=True,
        )
    scratch.unlink()
    tmp.replace(image)
    return image


# --- runs ----------------------------------------------------------------------------


@dataclass
class Row:
    """One contender's best run on one data set and core count."""

    name: str
    data: str
    cores: int
    files: int
    size: int
    runs: list[Measurement]
    note: str = ""
    startup_cpu_s: float | None = None
    """CPU seconds the same command spends on a source of one file (phunt rows only)."""

    @property
    def best(self) -> Measurement:
        return min(self.runs, key=lambda m: m.wall_s)

    @property
    def mb_s(self) -> float:
        return self.size / MB / self.best.wall_s

    @property
    def files_s(self) -> float:
        return self.files / self.best.wall_s

    @property
    def mb_cpu_s(self) -> float:
        """MB per CPU-second: throughput per core had the core been ours alone."""
        return self.size / MB / max(self.best.cpu_s, 1e-9)

    @property
    def files_cpu_s(self) -> float:
        return self.files / max(self.best.cpu_s, 1e-9)

    @property
    def marginal_files_cpu_s(self) -> float | None:
        """Files per CPU-second once running: the start-up (one-file run) taken off."""
        if self.startup_cpu_s is None or self.best.cpu_s <= self.startup_cpu_s:
            return None
        return (self.files - 1) / (self.best.cpu_s - self.startup_cpu_s)


def _split_cpu(m: Measurement) -> str:
    """``coordinator / worker, worker`` CPU seconds; empty where no worker was started."""
    if not m.worker_cpu_s:
        return ""
    workers = ", ".join(f"{c:.2f}" for c in sorted(m.worker_cpu_s, reverse=True))
    return f"{m.coordinator_cpu_s:.2f} / {workers}"


def hashdeep(target: Path, cores: int) -> list[str]:
    """The peer command: all three digests, ``cores`` threads, output discarded by caller."""
    return ["hashdeep", "-c", "md5,sha1,sha256", "-j", str(cores), "-r", str(target)]


def run_phunt_ingest(
    source: Path, cores: int, extra: list[str], cpus: str
) -> tuple[Measurement, dict[str, Any]]:
    """Ingest ``source`` into a fresh data folder (made and the device registered first,
    not timed)."""
    with tempfile.TemporaryDirectory(prefix="phunt-bench-", dir=cache_dir("homes")) as home:
        for setup in (["init"], ["device", "add", "--evidence", "EV-1", "--kind", "hard disk"]):
            subprocess.run([PHUNT, *setup, "--home", home], check=True, capture_output=True)
        cmd = [PHUNT, "ingest", str(source), "--device", "EV-1", "--workers", str(cores)]
        m = measure([*cmd, *extra, "--json", "--home", home], cpus=cpus)
    if m.returncode != 0:
        raise RuntimeError(f"phunt ingest failed ({m.returncode}): {m.stderr[-2000:]}")
    return m, json.loads(m.stdout)


def startup_cpu(one_file: Path, cores: int, extra: list[str], cpus: str) -> float:
    """Median CPU seconds of ``phunt ingest`` (same options) on a folder of one JPEG:
    imports, database, numba's compiled-code cache, one file. What a larger source adds
    beyond it is the per-file cost."""
    runs = [run_phunt_ingest(one_file, cores, extra, cpus)[0].cpu_s for _ in range(3)]
    return statistics.median(runs)


def run_hashdeep(target: Path, cores: int, cpus: str) -> Measurement:
    m = measure(hashdeep(target, cores), cpus=cpus)
    if m.returncode != 0:
        raise RuntimeError(f"hashdeep failed ({m.returncode}): {m.stderr[-2000:]}")
    return m


CHAT_DATA = "messaging-app JPEGs"
MESSAGING_QUALITY = 75
"""JPEG quality of the messaging-app copies (WhatsApp and Telegram re-encode sent photos
to about this, longest side 1600 px: the size the DCIM photos already have)."""


def messaging_copies(dcim: Path) -> Path:
    """The DCIM JPEGs re-encoded at ``MESSAGING_QUALITY``, EXIF kept (cached beside them)."""
    out = dcim.with_name(f"{dcim.name}-q{MESSAGING_QUALITY}")
    if out.exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    target = tmp / "WhatsApp" / "Media" / "WhatsApp Images"
    target.mkdir(parents=True)
    for path in sorted((dcim / "DCIM" / "Camera").glob("*.jpg")):
        with Image.open(path) as img:
            exif = img.info.get("exif", b"")
            img.save(target / path.name, quality=MESSAGING_QUALITY, exif=exif)
    tmp.rename(out)
    return out


DECODE_FLOOR = """
import sys, time
from PIL import Image
paths = sys.argv[2:]
def full(p):
    with Image.open(p) as im:
        im.load()
def fast(p):
    with Image.open(p) as im:
        im.draft("L", (im.size[0] // 8, im.size[1] // 8))
        im.load()
fn = full if sys.argv[1] == "full" else fast
fn(paths[0])
best = None
for _ in range(3):
    t0 = time.process_time()
    for p in paths:
        fn(p)
    spent = time.process_time() - t0
    best = spent if best is None else min(best, spent)
print(best / len(paths))
"""


def decode_floor(dcim: Path, how: str, cpus: str, sample: int = 300) -> float:
    """CPU seconds per file Pillow takes to decode the JPEGs and nothing else.

    ``full``: full size RGB, what the default PDQ mode must decode (its pixels are the
    hash's input). ``eighth``: grey at 1/8 scale, libjpeg's cheapest decode (DC only, but
    every Huffman code still read), below what ``--fast`` decodes (grey at 1/2).
    """
    paths = [str(p) for p in sorted(dcim.rglob("*.jpg"))[:sample]]
    python = str(VENV_BIN / "python")
    cmd = ["taskset", "-c", cpus, python, "-c", DECODE_FLOOR, how, *paths]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def jpeg_subset(folder: Path, count: int) -> Path:
    """A folder of the first ``count`` DCIM JPEGs (hard links), for the slower PDQ runs."""
    source = sorted((folder / "DCIM" / "Camera").glob("*.jpg"))[:count]
    subset = folder.with_name(f"{folder.name}-dcim-{len(source)}")
    if not subset.exists():
        tmp = subset.with_name(subset.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "DCIM" / "Camera").mkdir(parents=True)
        for path in source:
            os.link(path, tmp / "DCIM" / "Camera" / path.name)
        tmp.rename(subset)
    return subset


RAM_ROOT = Path("/dev/shm")
"""Where the data is staged for the timed runs: a RAM-backed file system (tmpfs)."""


def stage_in_memory(folder: Path, image: Path, copies: Path) -> tuple[Path, Path, Path] | None:
    """Copies of the folder, its raw image and the messaging-app copies on tmpfs, or None
    when there is no room for them (with 4 GB to spare, in memory as well as in tmpfs).

    Why: this VM does not keep what it reads in its page cache for long. The 650 MB of
    messaging-app JPEGs re-read in 0.3 s straight after a first read, and in 4.0 s twenty
    seconds later; a "warmed" run so measured the host's disk as much as phunt. On tmpfs
    every contender reads from memory, as the per-core targets mean. The DCIM subsets are
    hard links inside the staged folder, so they cost no memory of their own.
    """
    import psutil  # type: ignore[import-untyped]

    need = sum(folder_totals(p)[1] for p in (folder, copies)) + image.stat().st_size
    spare = 4000 * MB
    if (
        not RAM_ROOT.is_dir()
        or min(shutil.disk_usage(RAM_ROOT).free, psutil.virtual_memory().available) < need + spare
    ):
        return None
    root = RAM_ROOT / "phunt-bench"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    staged_folder = Path(shutil.copytree(folder, root / folder.name))
    staged_image = Path(shutil.copy2(image, root / image.name))
    staged_copies = Path(shutil.copytree(copies, root / copies.name))
    return staged_folder, staged_image, staged_copies


def run_all(
    folder: Path,
    image: Path,
    dcim: Path,
    chat_jpegs: Path,
    cores_list: list[int],
    repeats: int,
    log: Callable[[str], None],
    crypto_only: bool = False,
) -> list[Row]:
    """Every contender on every core count, side by side (``crypto_only``: hashdeep and
    ``phunt ingest --no-pdq`` only)."""
    n_all, size_all = folder_totals(folder)
    n_jpeg, size_jpeg = folder_totals(dcim)
    n_chat, size_chat = folder_totals(chat_jpegs)
    image_size = image.stat().st_size
    rows: list[Row] = []
    single = jpeg_subset(folder, 1)
    for cores in cores_list:
        cpus = ",".join(str(c) for c in range(cores))
        startup: dict[tuple[str, ...], float] = {
            key: startup_cpu(single, cores, list(key), cpus)
            for key in ((("--no-pdq",),) if crypto_only else ((), ("--fast",), ("--no-pdq",)))
        }
        log(f"{cores} core(s): start-up CPU s {startup}")
        plan: list[tuple[str, str, int, int, Path, list[str] | None]] = [
            (HASHDEEP, "folder", n_all, size_all, folder, None),
            ("phunt ingest --no-pdq", "folder", n_all, size_all, folder, ["--no-pdq"]),
            (HASHDEEP, "raw image (one file)", 1, image_size, image, None),
            ("phunt ingest --no-pdq", "raw image", n_all, size_all, image, ["--no-pdq"]),
            ("phunt ingest (PDQ default)", "DCIM JPEGs", n_jpeg, size_jpeg, dcim, []),
            ("phunt ingest --fast", "DCIM JPEGs", n_jpeg, size_jpeg, dcim, ["--fast"]),
            ("phunt ingest (PDQ default)", CHAT_DATA, n_chat, size_chat, chat_jpegs, []),
            ("phunt ingest --fast", CHAT_DATA, n_chat, size_chat, chat_jpegs, ["--fast"]),
        ]
        if crypto_only:
            plan = [p for p in plan if p[5] is None or p[5] == ["--no-pdq"]]
        for name, data, files, size, target, extra in plan:
            log(f"{cores} core(s): {name} on {data} ...")
            row = Row(name, data, cores, files, size, [])
            if extra is not None:
                row.startup_cpu_s = startup[tuple(extra)]
            for _ in range(repeats):
                if extra is None:
                    row.runs.append(run_hashdeep(target, cores, cpus))
                    continue
                m, summary = run_phunt_ingest(target, cores, extra, cpus)
                row.runs.append(m)
                row.files, row.size = int(summary["files"]), int(summary["bytes"])
                if summary.get("errors"):
                    row.note = f"{summary['errors']} files with errors"
            if data == "raw image":
                row.note = "; ".join(filter(None, [row.note, "image read twice (source hash)"]))
            log(
                f"  {row.best.wall_s:.2f} s ({row.best.cpu_s:.2f} CPU s), {row.mb_s:.0f} MB/s, "
                f"{row.files_s:.0f} files/s, tree RSS {row.best.tree_rss_mb:.0f} MB, "
                f"PSS {row.best.tree_pss_mb:.0f} MB"
            )
            rows.append(row)
    return rows


def startup_overhead(cpus: str) -> float:
    """Wall time of ``phunt ingest`` of an empty folder: the fixed cost in every phunt row."""
    empty = cache_dir("ingest") / "empty"
    empty.mkdir(exist_ok=True)
    runs = [run_phunt_ingest(empty, 1, ["--no-pdq"], cpus)[0].wall_s for _ in range(3)]
    return statistics.median(runs)


# --- report --------------------------------------------------------------------------


def _mean_kb(folder: Path) -> str:
    count, size = folder_totals(folder)
    return f"{size / count / 1000:,.0f}" if count else "n/a"


def _find(rows: list[Row], name: str, data: str, cores: int) -> Row | None:
    found = [r for r in rows if r.name == name and r.data == data and r.cores == cores]
    return found[0] if found else None


def _ratios(rows: list[Row], data: str, cores: int) -> str:
    """phunt crypto-only on ``data`` against hashdeep on the folder: by wall time and CPU."""
    mine = _find(rows, "phunt ingest --no-pdq", data, cores)
    theirs = _find(rows, HASHDEEP, "folder", cores)
    if mine is None or theirs is None:
        return "n/a"
    return (
        f"{mine.mb_s / theirs.mb_s:.2f}x by wall time, "
        f"{mine.mb_cpu_s / theirs.mb_cpu_s:.2f}x by CPU time"
    )


def report(
    rows: list[Row],
    args: argparse.Namespace,
    folder: Path,
    image: Path,
    dcim: Path,
    overhead: float,
    big: Row | None,
    floors: dict[str, tuple[float, float]],
) -> str:
    n_all, size_all = folder_totals(folder)
    kinds = {
        sub: folder_totals(folder / sub) for sub in ("DCIM", "Pictures", "Documents", "Backups")
    }
    lines = [
        "# Ingest benchmark",
        "",
        f"`bench/ingest.py {' '.join(args.argv)}`".replace(" `", "`"),
        "",
        args.facts,
        "",
        "## Data",
        "",
        f"Evidence folder: {n_all:,} files, {size_all / MB:,.0f} MB ("
        + "; ".join(f"{k}: {n:,} files, {s / MB:,.0f} MB" for k, (n, s) in kinds.items())
        + f"). Raw ext4 image of it (`mke2fs -d`): {image.stat().st_size / MB:,.0f} MB. "
        "DCIM holds 1600x1200 (2 MP) photo-like JPEGs with EXIF; Backups holds random files "
        f"over 100 MB. The full-ingest (PDQ) runs use the first {folder_totals(dcim)[0]:,} "
        f"DCIM JPEGs ({_mean_kb(dcim)} KB each on average, JPEG quality 90, 4:2:0: a camera's "
        "own photos) and messaging-app copies of the same photos (re-encoded at quality "
        f"{MESSAGING_QUALITY}, {_mean_kb(dcim.with_name(f'{dcim.name}-q{MESSAGING_QUALITY}'))}"
        " KB each, under `WhatsApp/Media/WhatsApp Images`, which is how most pictures on a "
        f"seized phone arrived). {args.where}",
        "",
        "## Results",
        "",
        f"Best of {args.repeat} run(s) per line, wall time from start to exit, Python start-up "
        f"included (`phunt ingest` of an empty folder takes {overhead:.2f} s). Pinned with "
        "`taskset -c 0` (1 core) or `-c 0,1` (2 cores); hashdeep `-j` = cores, phunt "
        "`--workers` = cores. phunt rows count the files and bytes stored in the database "
        "(a fresh SQLite database per run). Memory: *tree RSS* is the peak of the sampled sum "
        "of RSS over the process and its workers (pages the forked workers share with the "
        "coordinator counted once per process, so an upper bound); *tree PSS* the same with "
        "shared pages split between sharers (sampled every 0.25 s); *largest* the exact peak "
        "RSS of the biggest single process (`ru_maxrss`).",
        "",
    ]
    head = [
        "command",
        "data",
        "cores",
        "files",
        "MB",
        "wall s",
        "CPU s",
        "MB/s",
        "files/s",
        "files/s per core",
        "MB per CPU-s",
        "files per CPU-s",
        "files per CPU-s after start-up",
        "tree RSS MB",
        "tree PSS MB",
        "largest MB",
        "coordinator / worker CPU s",
        "note",
    ]
    body = []
    for r in [*rows, *([big] if big else [])]:
        b = r.best
        body.append(
            [
                r.name,
                r.data,
                r.cores,
                f"{r.files:,}",
                f"{r.size / MB:,.0f}",
                f"{b.wall_s:.2f}",
                f"{b.cpu_s:.2f}",
                f"{r.mb_s:,.0f}",
                f"{r.files_s:,.1f}",
                f"{r.files_s / r.cores:,.1f}",
                f"{r.mb_cpu_s:,.0f}",
                f"{r.files_cpu_s:,.1f}",
                "" if (m := r.marginal_files_cpu_s) is None else f"{m:,.1f}",
                f"{b.tree_rss_mb:,.0f}",
                f"{b.tree_pss_mb:,.0f}",
                f"{b.single_rss_mb:,.0f}",
                _split_cpu(b),
                r.note,
            ]
        )
    lines += [
        table(head, body),
        "",
        "*CPU s* is user + system time of the whole process tree (workers included); "
        "*per CPU-s* figures are what one core would give had it been ours alone, the figure "
        "least disturbed by the other jobs sharing this machine. *After start-up* takes off "
        "the CPU time of the same command on a folder of one JPEG (median of 3: imports, "
        "database, numba's compiled-code cache, which workers each pay once) and so is the "
        "rate a long ingest settles at. *Coordinator / worker CPU s*: the CPU time of the "
        "`phunt` process itself, all its threads, start-up and exit included, read exactly "
        "from its `/proc/PID/stat` once it has exited and before it is reaped; then of each "
        "process it started (phunt with 2 or more workers: the workers, and the listing "
        "process that walks the source, the smallest figure), sampled from /proc every "
        "0.05 s, so to within that (low, if anything).",
        "",
        "## Against the targets",
        "",
    ]
    for cores in sorted({r.cores for r in rows}):
        lines += [
            f"- {cores} core(s), crypto-only MB/s, phunt / hashdeep on the folder: "
            f"{_ratios(rows, 'folder', cores)} (target >= 1.2x).",
            f"- {cores} core(s), phunt on the raw image / hashdeep on the folder: "
            f"{_ratios(rows, 'raw image', cores)}.",
        ]
        for data in ("DCIM JPEGs", CHAT_DATA):
            pdq = [r for r in rows if r.cores == cores and r.data == data]
            if not pdq:
                continue
            pdq_text = "; ".join(
                f"{r.name}: {r.files_s / cores:.1f} files/s per core by wall time, "
                f"{r.files_cpu_s:.1f} per CPU-second, "
                f"{r.marginal_files_cpu_s or 0:.1f} per CPU-second after start-up"
                for r in pdq
            )
            lines.append(
                f"- {cores} core(s), full ingest of 2 MP {data}: {pdq_text} "
                "(targets: 60 default, 150 --fast)."
            )
    # With one core phunt has no workers (a child it has then is no worker of the run).
    shared = [r for r in rows if r.name.startswith("phunt") and r.cores > 1 and r.best.worker_cpu_s]
    for r in shared:
        b = r.best
        most = max(b.worker_cpu_s)
        lines.append(
            f"- {r.cores} cores, {r.name} on {r.data}: the coordinator used "
            f"{b.coordinator_cpu_s:.2f} CPU s, {b.coordinator_cpu_s / most:.2f} of the busiest "
            f"worker's {most:.2f} (target <= 0.25)."
        )
    for data, (full, eighth) in floors.items():
        lines.append(
            f"- Floor, {data}: Pillow (libjpeg-turbo) decoding alone takes {full * 1000:.2f} ms "
            f"a file at full size ({1 / full:.0f} files per CPU-second before any hashing) and "
            f"{eighth * 1000:.2f} ms grey at 1/8 scale, its cheapest decode "
            f"({1 / eighth:.0f} per CPU-second)."
        )
    if big is not None:
        lines.append(
            f"- {big.data}: peak memory {big.best.tree_pss_mb:,.0f} MB PSS over the tree, "
            f"{big.best.tree_rss_mb:,.0f} MB RSS over the tree, "
            f"{big.best.single_rss_mb:,.0f} MB largest process (target < 500 MB)."
        )
    else:
        lines.append("- Big raw image: not run (`--big-image-gb 0`).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="600 files, one big file")
    parser.add_argument("--files", type=int, help="small files in the folder (default 5000)")
    parser.add_argument("--big-files", type=int, help="files over 100 MB (default 3)")
    parser.add_argument(
        "--pdq-files", type=int, help="JPEGs for the full-ingest runs (default: all DCIM ones)"
    )
    parser.add_argument("--big-image-gb", type=int, help="size of the big raw image; 0: skip")
    parser.add_argument("--cores", type=int, nargs="+", help="core counts (default 1 and all)")
    parser.add_argument("--repeat", type=int, help="runs per line, best kept (default 2)")
    parser.add_argument("--keep-big-image", action="store_true", help="keep it in the cache")
    parser.add_argument(
        "--on-disk", action="store_true", help="read the data on disk, not from tmpfs copies"
    )
    parser.add_argument(
        "--crypto-only", action="store_true", help="hashdeep and --no-pdq rows only (no PDQ)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "ingest.md")
    args = parser.parse_args()
    args.facts = facts_table()
    revision = phunt_revision()
    import sys

    args.argv = sys.argv[1:]
    quick = args.quick
    files = args.files or (600 if quick else 5000)
    big_files = args.big_files if args.big_files is not None else (1 if quick else 3)
    args.big_gb = args.big_image_gb if args.big_image_gb is not None else (0 if quick else 20)
    args.repeat = args.repeat or (1 if quick else 2)
    ncpu = os.cpu_count() or 1
    cores_list = args.cores or sorted({1, ncpu})
    if shutil.which("hashdeep") is None:
        raise SystemExit("hashdeep is missing: apt-get install -y hashdeep")

    def log(text: str) -> None:
        print(text, flush=True)

    folder = make_corpus(files, big_files, 105, ncpu)
    image = make_image(folder)
    dcim = jpeg_subset(folder, args.pdq_files or files)
    log("messaging-app copies of the JPEGs ...")
    chat_jpegs = messaging_copies(dcim)
    staged = None if args.on_disk else stage_in_memory(folder, image, chat_jpegs)
    if staged is None:
        args.where = (
            "Every run reads the data where it is cached on disk, read once beforehand to "
            "warm the page cache (which this VM empties within seconds), except the big image."
        )
        log("warming the page cache ...")
        warm_cache([folder, image, chat_jpegs])
    else:
        log(f"data staged in memory under {RAM_ROOT} ...")
        folder, image, staged_copies = staged
        dcim = jpeg_subset(folder, args.pdq_files or files)
        chat_jpegs = staged_copies
        args.where = (
            f"Every run reads the data from copies on tmpfs ({RAM_ROOT}, in memory), except "
            "the big image's: this VM's page cache does not keep what was read for long "
            "(650 MB re-read in 0.3 s at once and in 4.0 s twenty seconds later), so reads "
            "from disk would have timed the host's disk more than the contenders. "
            "`--on-disk` measures on the disk instead. The databases are on disk."
        )
    try:
        _measure_and_report(args, folder, image, dcim, chat_jpegs, cores_list, log, revision)
    finally:
        if staged is not None:
            shutil.rmtree(RAM_ROOT / "phunt-bench", ignore_errors=True)


def _measure_and_report(
    args: argparse.Namespace,
    folder: Path,
    image: Path,
    dcim: Path,
    chat_jpegs: Path,
    cores_list: list[int],
    log: Callable[[str], None],
    revision: str,
) -> None:
    ncpu = os.cpu_count() or 1
    big_gb = args.big_gb
    overhead = startup_overhead("0")
    floors = {
        data: (decode_floor(target, "full", "0"), decode_floor(target, "eighth", "0"))
        for data, target in (("DCIM JPEGs", dcim), (CHAT_DATA, chat_jpegs))
        if not args.crypto_only
    }
    log(f"decode floors (s per file): {floors}")
    rows = run_all(folder, image, dcim, chat_jpegs, cores_list, args.repeat, log, args.crypto_only)
    big_row = None
    if big_gb:
        if shutil.disk_usage(cache_dir("ingest")).free < (big_gb + 8) * 1000 * MB:
            log(f"not enough free disk for a {big_gb} GB image: skipped")
        else:
            big = make_big_image(big_gb)
            log(f"phunt ingest --no-pdq on the {big_gb} GB image, {ncpu} cores ...")
            cpus = ",".join(str(c) for c in range(ncpu))
            m, summary = run_phunt_ingest(big, ncpu, ["--no-pdq"], cpus)
            big_row = Row(
                "phunt ingest --no-pdq",
                f"{big_gb} GB raw ext4 image",
                ncpu,
                int(summary["files"]),
                int(summary["bytes"]),
                [m],
                "random data, not cached; reads the image twice",
            )
            log(
                f"  {m.wall_s:.1f} s, tree RSS {m.tree_rss_mb:.0f} MB, PSS {m.tree_pss_mb:.0f} MB, "
                f"largest {m.single_rss_mb:.0f} MB"
            )
            if not args.keep_big_image:
                big.unlink()
    if phunt_revision() != revision:
        args.facts += "\n\n**The code under test changed during this run: do not trust it.**"
    text = report(rows, args, folder, image, dcim, overhead, big_row, floors)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
