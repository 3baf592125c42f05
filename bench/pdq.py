"""Benchmark: phunt's PDQ against python-threatexchange and pdqhash, side by side in one run.

Generates a corpus of photo-like JPEGs (smooth multi-scale colour fields, shapes, edges
and grain, at 1600x1200 and 4000x3000) into a cache folder outside the repository, then
hashes every image, one after the other on one core, with:

  (a) phunt ``hash_image_file`` in default mode (bit-identical target) and in fast mode;
  (b) python-threatexchange ``pdq_from_file`` (what Meta's HMA runs);
  (c) ``pdqhash.compute`` on a Pillow RGB array (decode included).

It reports images/s per core, the speed ratios, Hamming distances against (b), and the
cold-start cost of a fresh process hashing one image, and writes bench/results/pdq.md.

    python bench/pdq.py            # 300 images
    python bench/pdq.py --quick    # 40 images, for a short check
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFilter
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from phunt.hashing import pdq

SIZES = ((1600, 1200), (4000, 3000))
RESULTS = Path(__file__).resolve().parent / "results" / "pdq.md"


def default_corpus_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "phunt-bench" / "pdq-corpus"


def _smooth_field(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Sum of colour noise octaves, upscaled with bicubic: sky, foliage, walls, soft light."""
    width, height = size
    acc = np.zeros((height, width, 3), dtype=np.float32)
    for octave, weight in ((4, 1.0), (12, 0.5), (40, 0.25), (160, 0.1)):
        small = rng.normal(0, 1, (max(2, octave * height // width), octave, 3))
        small8 = np.clip(small * 40 + 128, 0, 255).astype(np.uint8)
        big = Image.fromarray(small8, "RGB").resize(size, Image.Resampling.BICUBIC)
        acc += (np.asarray(big, dtype=np.float32) - 128) * weight
    tint = rng.uniform(60, 190, 3).astype(np.float32)
    gradient = np.linspace(-40, 40, height, dtype=np.float32)[:, None, None]
    return Image.fromarray(np.clip(acc + tint + gradient, 0, 255).astype(np.uint8), "RGB")


def make_photo(seed: int, size: tuple[int, int]) -> Image.Image:
    """A benign, photo-like picture: a smooth scene with objects, edges and sensor grain."""
    rng = np.random.default_rng(seed)
    image = _smooth_field(rng, size)
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(int(rng.integers(4, 12))):
        x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
        w, h = rng.uniform(0.05, 0.4) * width, rng.uniform(0.05, 0.4) * height
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        box = (x0, y0, x0 + w, y0 + h)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.6, 2.5))))
    grain = rng.normal(0, float(rng.uniform(2, 7)), (height, width, 1)).astype(np.float32)
    pixels = np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def build_corpus(folder: Path, count: int) -> list[Path]:
    """Half the images at each size; existing files are reused, so reruns start at once."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        size = SIZES[i % 2]
        path = folder / f"photo-{size[0]}x{size[1]}-{i:04d}.jpg"
        if not path.exists():
            quality = 80 + (i * 7) % 16
            tmp = path.with_suffix(".tmp")
            make_photo(i, size).save(tmp, "JPEG", quality=quality)
            tmp.replace(path)
        paths.append(path)
    return paths


def pdqhash_on_rgb(path: Path) -> str:
    with Image.open(path) as image:
        array = np.asarray(image.convert("RGB"))
    bits, _quality = pdqhash.compute(array)
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


def cold_start(path: Path) -> dict[str, float]:
    """Wall time of a fresh interpreter that imports and hashes one image (cache warm)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    snippets = {
        "phunt": "from phunt.hashing.pdq import hash_image_file as h; h({!r})",
        "python-threatexchange": (
            "from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file as h; h({!r})"
        ),
        "python (no hashing)": "pass",
    }
    out = {}
    for name, code in snippets.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code.format(str(path))], env=env, check=True)
            best = min(best, time.perf_counter() - start)
        out[name] = best
    return out


def run(count: int, corpus: Path) -> str:
    paths = build_corpus(corpus, count)
    for path in paths[:2]:  # JIT/cache warm-up, not timed
        pdq.hash_image_file(path)
        pdq.hash_image_file(path, mode="fast")
    runners: dict[str, Callable[[Path], str]] = {
        "phunt default": lambda p: pdq.hash_image_file(p).hash.hex,
        "phunt fast": lambda p: pdq.hash_image_file(p, mode="fast").hash.hex,
        "threatexchange pdq_from_file (b)": lambda p: pdq_from_file(p)[0],
        "pdqhash on Pillow RGB (c)": pdqhash_on_rgb,
    }
    times: dict[tuple[str, tuple[int, int]], float] = dict.fromkeys(
        ((name, size) for name in runners for size in SIZES), 0.0
    )
    wall: dict[str, float] = dict.fromkeys(runners, 0.0)
    hashes: dict[str, list[str]] = {name: [] for name in runners}
    names = list(runners)
    for index, path in enumerate(paths):
        with Image.open(path) as image:
            size = image.size
        path.read_bytes()  # page cache warm for all, not only for whoever runs second
        for name in names[index % 4 :] + names[: index % 4]:  # no one always goes first
            fn = runners[name]
            start, cpu = time.perf_counter(), time.process_time()
            value = fn(path)
            seconds = time.perf_counter() - start
            hashes[name].append(value)
            times[(name, size)] += time.process_time() - cpu
            wall[name] += seconds
    return report(paths, runners, times, hashes, cold_start(paths[0]), wall)


def _dist_table(dists: list[int]) -> str:
    counts = Counter(dists)
    row = " | ".join(f"{d}: {counts[d]}" for d in sorted(counts))
    return f"{row} (mean {statistics.fmean(dists):.2f}, max {max(dists)})"


def report(
    paths: list[Path],
    runners: dict[str, Callable[[Path], str]],
    times: dict[tuple[str, tuple[int, int]], float],
    hashes: dict[str, list[str]],
    cold: dict[str, float],
    wall: dict[str, float],
) -> str:
    ref = "threatexchange pdq_from_file (b)"
    n_by_size = Counter(i % 2 for i in range(len(paths)))
    lines = [
        "# PDQ benchmark: phunt vs python-threatexchange vs pdqhash",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{platform.machine()}, {os.cpu_count()} cores",
        "(shared with other work; every image is hashed by all four in turn, on one core;",
        f"load average at the end {os.getloadavg()[0]:.1f}, so absolute rates are pessimistic",
        "and the ratios are what to read).",
        f"Corpus: {len(paths)} generated photo-like JPEGs (quality 80-95, 4:2:0), "
        f"{n_by_size[0]} at 1600x1200 and {n_by_size[1]} at 4000x3000 (`bench/pdq.py`).",
        "Times include opening and decoding the file (read from the page cache); the order",
        "of the four rotates from image to image.",
        "",
        "## Speed (images per CPU second, one core)",
        "",
        "CPU time is the process's (`time.process_time`), which other jobs on the machine do not",
        "stretch as much as the wall clock; the last column is the ratio by wall time.",
        "",
        "| implementation | 1600x1200 | 4000x3000 | all | vs (b) 1600x1200 | vs (b) 4000x3000 "
        "| vs (b) all | vs (b) all, wall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total_ref = sum(times[(ref, s)] for s in SIZES)
    for name in runners:
        cells = []
        for k, size in enumerate(SIZES):
            seconds = times[(name, size)]
            cells.append(f"{n_by_size[k] / seconds:.2f}" if seconds else "-")
        total = sum(times[(name, s)] for s in SIZES)
        cells.append(f"{len(paths) / total:.2f}")
        cells += [f"{times[(ref, size)] / times[(name, size)]:.2f}x" for size in SIZES]
        cells.append(f"{total_ref / total:.2f}x")
        cells.append(f"{wall[ref] / wall[name]:.2f}x")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Hamming distance to (b), per image", ""]
    for name in runners:
        if name == ref:
            continue
        dists = [pdq.hamming(a, b) for a, b in zip(hashes[name], hashes[ref], strict=True)]
        identical = sum(d == 0 for d in dists)
        lines.append(
            f"- **{name}**: identical on {identical}/{len(dists)} "
            f"({100 * identical / len(dists):.1f} %); distance counts {_dist_table(dists)}"
        )
    lines += [
        "",
        "## Cold start (fresh process: import, hash one 1600x1200 JPEG; best of 3)",
        "",
        "| process | seconds |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in cold.items()]
    lines += [
        "",
        "The numba kernels are compiled once and cached (`cache=True`); the first run on a",
        "fresh install compiles them (measured separately, see the report of the change).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="number of images (>= 2)")
    parser.add_argument("--quick", action="store_true", help="40 images")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus cache folder")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown report path")
    args = parser.parse_args()
    count = 40 if args.quick else max(2, args.count)
    corpus = args.corpus or default_corpus_dir()
    try:
        text = run(count, corpus)
    except OSError as exc:
        fallback = Path(tempfile.gettempdir()) / "phunt-bench-pdq"
        print(f"corpus folder {corpus} failed ({exc}); using {fallback}", file=sys.stderr)
        text = run(count, fallback)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
