"""Benchmark hash matching: phunt's PDQ index against its peers, and the exact-digest index.

PDQ, side by side in one run on one core (numba, OpenMP and FAISS held to one thread):
phunt's ``PdqIndex``; python-threatexchange's ``PDQIndex`` (FAISS ``IndexBinaryMultiHash``,
what HMA uses), one call per query as HMA makes them; and FAISS ``IndexBinaryFlat`` with
``range_search`` (binary range search is "< radius", so radius 32 for a threshold of 31).
For each size, uniformly random hashes and ``--queries`` queries, half of them copies of
indexed hashes with 0-31 random bits flipped. Reported: build time, memory held after the
build (RSS delta, inputs allocated beforehand), queries/s, and recall against the truth.

The truth is an exhaustive scan: at sizes up to 1M a plain numba loop over every
(query, hash) pair, which FAISS ``IndexBinaryFlat`` (also exhaustive) must agree with
exactly; above that, FAISS ``IndexBinaryFlat`` itself.

Exact digests: a 10M-entry MD5 and SHA-1 list (``--exact-size``), 1M lookups of which 10 %
are hits, given as hex strings as they come from a hashing pass; phunt's sorted-array
``ExactIndex`` against a Python ``dict`` keyed by digest bytes.

    PYTHONPATH=src .venv/bin/python bench/match.py --sizes 1000000 10000000 --queries 10000
    PYTHONPATH=src .venv/bin/python bench/match.py --quick
"""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import faiss  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
from threatexchange.signal_type.pdq.pdq_index import PDQIndex  # noqa: E402

from _common import cpu_model  # noqa: E402
from phunt.matching.exact import ExactIndex  # noqa: E402
from phunt.matching.pdq_index import PdqIndex, array_to_hex  # noqa: E402

THRESHOLD = 31
Pairs = set[tuple[int, int]]


@dataclass
class Row:
    """One line of a results table."""

    name: str
    size: int
    build: tuple[float, float]
    memory_mb: tuple[float, float]
    work: tuple[float, float]
    count: int
    recall: float | None
    extra: str = ""


class Clock:
    """Wall and CPU seconds (this thread, where numba, FAISS and Python all run here).

    On a machine shared with other jobs the wall clock stretches; CPU time does not.
    """

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.thread_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.thread_time() - self.cpu


def rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


def make_queries(rng: np.random.Generator, hashes: np.ndarray, count: int) -> np.ndarray:
    """Half copies of indexed hashes with 0-31 distinct random bits flipped, half random."""
    near = count // 2
    src = hashes[rng.integers(0, len(hashes), near)]
    flips = rng.integers(0, THRESHOLD + 1, near)
    ranks = np.argsort(rng.random((near, 256)), axis=1).argsort(axis=1)
    mask = np.packbits(ranks < flips[:, None], axis=1)
    fresh = rng.integers(0, 256, size=(count - near, 32), dtype=np.uint8)
    return np.concatenate([src ^ mask, fresh])


@numba.njit(cache=True, nogil=True)
def _brute(words: np.ndarray, queries: np.ndarray, threshold: int) -> np.ndarray:
    """Every (query, row) within threshold by an exhaustive loop with a textbook popcount."""
    out = []
    for lo in range(0, words.shape[0], 4096):
        hi = min(lo + 4096, words.shape[0])
        for q in range(queries.shape[0]):
            for r in range(lo, hi):
                d = 0
                for w in range(4):
                    x = words[r, w] ^ queries[q, w]
                    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
                    x = (x & np.uint64(0x3333333333333333)) + (
                        (x >> np.uint64(2)) & np.uint64(0x3333333333333333)
                    )
                    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
                    d += int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))
                if d <= threshold:
                    out.append((q, r))
    result = np.empty((len(out), 2), np.int64)
    for i in range(len(out)):
        result[i, 0] = out[i][0]
        result[i, 1] = out[i][1]
    return result


def brute_force(hashes: np.ndarray, queries: np.ndarray) -> Pairs:
    words = hashes.view(">u8").astype(np.uint64)
    qwords = queries.view(">u8").astype(np.uint64)
    return {(int(q), int(r)) for q, r in _brute(words, qwords, THRESHOLD)}


def recall(found: Pairs, truth: Pairs) -> float:
    if found - truth:
        raise AssertionError(f"{len(found - truth)} pairs reported beyond the threshold")
    return len(found & truth) / len(truth) if truth else 1.0


def timed(fn: Callable[[], Any]) -> tuple[Any, tuple[float, float], tuple[float, float]]:
    """Result, (wall, CPU) seconds, and MB (held after, peak during) over the RSS before.

    The peak is sampled every 2 ms from a thread, so it misses what a call holding the GIL
    allocates and frees between samples; the held figure is exact.
    """
    before = rss()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        process = psutil.Process()
        while not done.wait(0.002):
            peak[0] = max(peak[0], int(process.memory_info().rss))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    clock = Clock()
    result = fn()
    seconds = clock.stop()
    done.set()
    sampler.join()
    held = rss()
    return result, seconds, ((held - before) / 1e6, (max(peak[0], held) - before) / 1e6)


def bench_pdq(n: int, nq: int, rng: np.random.Generator, check_brute: bool) -> list[Row]:
    hashes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    queries = make_queries(rng, hashes, nq)
    rows: list[Row] = []

    flat, build_s, mem = timed(lambda: _faiss_flat(hashes))
    clock = Clock()
    lims, _, labels = flat.range_search(queries, THRESHOLD + 1)
    flat_s = clock.stop()
    flat_pairs = {(q, int(r)) for q in range(nq) for r in labels[lims[q] : lims[q + 1]]}
    del flat
    truth = flat_pairs
    if check_brute:
        clock = Clock()
        truth = brute_force(hashes, queries)
        print(f"  exhaustive numba scan: {clock.stop()[0]:.1f} s")
        if truth != flat_pairs:
            raise AssertionError("FAISS IndexBinaryFlat disagrees with the exhaustive scan")
    rows.append(
        Row("FAISS IndexBinaryFlat", n, build_s, mem, flat_s, nq, recall(flat_pairs, truth))
    )
    print(f"  truth: {len(truth)} pairs; FAISS flat {nq / flat_s[1]:.0f} q/CPU-s")

    PdqIndex.build(hashes[:10]).query(queries[:2])  # compile outside the timings
    index, build_s, mem = timed(lambda: PdqIndex.build(hashes))
    clock = Clock()
    m = index.query(queries, THRESHOLD)
    batch_s = clock.stop()
    ours = {(int(q), int(i)) for q, i in zip(m.query, m.id, strict=True)}
    rows.append(Row("phunt PdqIndex, one batch", n, build_s, mem, batch_s, nq,
                    recall(ours, truth), f"arrays {index.nbytes / 1e6:.0f} MB"))  # fmt: skip
    clock = Clock()
    single: Pairs = set()
    for q in range(nq):
        single.update((q, int(i)) for i in index.query(queries[q : q + 1], THRESHOLD).id)
    single_s = clock.stop()
    rows.append(Row("phunt PdqIndex, one query per call", n, build_s, mem, single_s, nq,
                    recall(single, truth)))  # fmt: skip
    print(
        f"  phunt: build {build_s[1]:.1f} CPU-s, {nq / batch_s[1]:.0f} q/CPU-s batch,"
        f" {nq / single_s[1]:.0f} single"
    )
    del index, m

    hexes = array_to_hex(hashes)
    qhex = array_to_hex(queries)
    pytx, build_s, mem = timed(lambda: PDQIndex(entries=zip(hexes, range(n), strict=True)))
    clock = Clock()
    theirs = {(q, int(match.metadata)) for q, h in enumerate(qhex) for match in pytx.query(h)}
    pytx_s = clock.stop()
    rows.append(Row("threatexchange PDQIndex (FAISS multi-hash)", n, build_s, mem, pytx_s, nq,
                    recall(theirs, truth), "built from hex, as HMA does"))  # fmt: skip
    print(f"  threatexchange: build {build_s[1]:.1f} CPU-s, {nq / pytx_s[1]:.0f} q/CPU-s")
    del pytx
    return rows


def _faiss_flat(hashes: np.ndarray) -> Any:
    flat = faiss.IndexBinaryFlat(256)
    flat.add(hashes)
    return flat


def bench_exact(n: int, lookups: int, rng: np.random.Generator) -> list[Row]:
    rows: list[Row] = []
    for kind, width in (("md5", 16), ("sha1", 20)):
        digests = rng.integers(0, 256, size=(n, width), dtype=np.uint8)
        ids = np.arange(n, dtype=np.int64)
        asked = rng.integers(0, 256, size=(lookups, width), dtype=np.uint8)
        asked[: lookups // 10] = digests[rng.integers(0, n, lookups // 10)]
        qhex = [bytes(r).hex() for r in asked]
        index, build_s, mem = timed(lambda: ExactIndex.from_arrays({kind: (digests, ids)}))  # noqa: B023
        clock = Clock()
        hits = len(index.lookup_many(kind, qhex))
        look_s = clock.stop()
        rows.append(Row(f"phunt ExactIndex ({kind})", n, build_s, mem, look_s, lookups, None,
                        f"{hits} hits; arrays {index.nbytes / 1e6:.0f} MB"))  # fmt: skip
        del index
        if kind == "sha1":
            table, build_s, mem = timed(
                lambda: dict(zip(map(bytes, digests), range(n), strict=True))  # noqa: B023
            )
            clock = Clock()
            dict_hits = sum(table.get(bytes.fromhex(h)) is not None for h in qhex)
            look_s = clock.stop()
            rows.append(Row(f"Python dict of bytes ({kind})", n, build_s, mem, look_s, lookups,
                            None, f"{dict_hits} hits"))  # fmt: skip
            del table
        print(f"  exact {kind}: done")
    return rows


BUILD_CHILD = r"""
import json, sys, time
import numpy as np
t0 = time.thread_time()
from phunt.matching.pdq_index import PdqIndex
imported = time.thread_time() - t0
hashes = np.random.default_rng(7).integers(0, 256, size=(int(sys.argv[1]), 32), dtype=np.uint8)
times = []
for _ in range(2):
    t = time.thread_time()
    PdqIndex.build(hashes).query(hashes[:1])
    times.append(time.thread_time() - t)
print(json.dumps({"import": imported, "first": times[0], "second": times[1]}))
"""


def build_times(sizes: list[int]) -> list[str]:
    """Index build CPU seconds with numba's cache empty, then filled, each in a fresh process.

    The first build in a process compiles the kernels (empty cache) or loads them from the
    cache; the second build in the same process is what a long-running server pays.
    """
    import json
    import subprocess
    import sys
    import tempfile

    lines = [
        "| entries | numba cache | first build CPU s (compile or load included) "
        "| second build in the same process CPU s |",
        "|---:|---|---:|---:|",
    ]
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="phunt-numba-") as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            for state in ("empty (first run after install)", "filled (every later run)"):
                out = subprocess.run(
                    [sys.executable, "-c", BUILD_CHILD, str(n)],
                    env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
                t = json.loads(out.stdout)
                lines.append(f"| {n:,} | {state} | {t['first']:.1f} | {t['second']:.1f} |")
                print(f"  build {n:,}, cache {state.split()[0]}: {t}")
    return lines


FAISS_NOTE = [
    "Why FAISS IndexBinaryFlat's rate at 10M moves from run to run: every query is compared"
    " with all 10M codes (320 MB, far more than the CPU caches hold), so the scan is bound by"
    " memory bandwidth, which other jobs on a shared machine take a share of, and CPU time"
    " counts the stalls. The CPU time here is the calling thread's: FAISS's OpenMP workers"
    " would not be counted, and with 2 threads its rate would read about twice too high"
    " (measured: 127 queries per thread-CPU-second for 63 per process-CPU-second), so this"
    " script stops unless FAISS runs one thread.",
]


def ratio_lines(rows: list[Row]) -> list[str]:
    """phunt's batch rate over each peer's, size by size, from the same run."""
    lines = []
    for size in sorted({r.size for r in rows}):
        rate = {r.name: r.count / r.work[1] for r in rows if r.size == size}
        ours = rate["phunt PdqIndex, one batch"]
        peers = [n for n in rate if not n.startswith("phunt")]
        lines.append(f"- {size:,}: " + "; ".join(f"{ours / rate[n]:,.1f}x {n}" for n in peers))
    return lines


def table(rows: list[Row], unit: str, with_recall: bool) -> list[str]:
    head = (
        f"| index | entries | build CPU s (wall) | held MB | build peak MB"
        f" | {unit} per CPU s (per wall s) |"
    )
    rule = "|---|---:|---:|---:|---:|---:|"
    if with_recall:
        head, rule = head + " recall |", rule + "---:|"
    lines = [head + " notes |", rule + "---|"]
    for r in rows:
        held, peak = r.memory_mb
        cells = f"| {r.name} | {r.size:,} | {r.build[1]:.1f} ({r.build[0]:.1f}) | {held:,.0f}"
        cells += f" | {peak:,.0f} | {r.count / r.work[1]:,.0f} ({r.count / r.work[0]:,.0f}) |"
        if with_recall:
            cells += f" {100 * (r.recall or 0):.2f} % |"
        lines.append(cells + f" {r.extra} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--exact-size", type=int, default=10_000_000)
    parser.add_argument("--lookups", type=int, default=1_000_000)
    parser.add_argument("--brute-up-to", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--out", type=Path, help="default bench/results/match.md; none if --quick")
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.queries, args.exact_size, args.lookups = [100_000], 1000, 200_000, 100_000
    faiss.omp_set_num_threads(1)
    # CPU time is this thread's (time.thread_time): FAISS's OpenMP workers would not be
    # counted, so a FAISS using 2 threads would look twice as fast per CPU second.
    if faiss.omp_get_max_threads() != 1:
        raise SystemExit("FAISS would run more than one OpenMP thread")
    rng = np.random.default_rng(args.seed)

    pdq_rows: list[Row] = []
    for n in args.sizes:
        print(f"PDQ, {n:,} hashes, {args.queries:,} queries")
        pdq_rows += bench_pdq(n, args.queries, rng, n <= args.brute_up_to)
    print("index build, numba cache empty then filled")
    build_lines = build_times(args.sizes)
    print(f"exact, {args.exact_size:,} entries, {args.lookups:,} lookups")
    exact_rows = bench_exact(args.exact_size, args.lookups, rng)

    lines = [
        "# Matching benchmark",
        "",
        f"`bench/match.py --sizes {' '.join(map(str, args.sizes))} --queries {args.queries}"
        f"{' --quick' if args.quick else ''}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f"; {cpu_model()}, {os.cpu_count()} cores shared with"
        " other jobs; one thread for numba, OpenMP and FAISS.",
        "",
        f"## PDQ near matching, threshold {THRESHOLD} inclusive",
        "",
        f"{args.queries:,} queries: half copies of indexed hashes with 0-31 random bits flipped,"
        " half random. Recall is against an exhaustive scan (a numba loop over every pair,"
        f" which FAISS IndexBinaryFlat matched exactly, up to {args.brute_up_to:,} hashes;"
        " FAISS IndexBinaryFlat above). Memory is RSS over the level before the build (inputs,"
        " including the hex strings threatexchange is built from, allocated beforehand)."
        " Rates are per CPU second of the one thread doing the work (the machine is shared, so"
        " wall-clock rates, in brackets, vary with other jobs' load).",
        "",
        *table(pdq_rows, "queries/s", True),
        "",
        "Same run, queries per CPU second, phunt's one batch over each peer (ratios are fairer"
        " than absolute rates on a loaded machine):",
        "",
        *ratio_lines(pdq_rows),
        "",
        "phunt's build above runs after a small build compiled the kernels. From a fresh"
        " process, the first build also compiles them (numba cache empty: the first run after"
        " installing) or loads them from numba's cache (every later run):",
        "",
        *build_lines,
        "",
        f"FAISS: {faiss.__version__} ({faiss.get_compile_options().strip()}),"
        f" OpenMP threads {faiss.omp_get_max_threads()}.",
        "",
        *FAISS_NOTE,
        "",
        "## Exact digests",
        "",
        f"{args.lookups:,} lookups (10 % hits) given as hex strings, against"
        f" {args.exact_size:,} entries; lookups/s includes decoding the hex.",
        "",
        *table(exact_rows, "lookups/s", False),
        "",
    ]
    out = args.out or (None if args.quick else Path("bench/results/match.md"))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
