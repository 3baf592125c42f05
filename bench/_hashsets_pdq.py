"""PDQ query rate over an imported PDQ set, comparable with bench/results/match.md.

The index is built from the hashes the import stored (the set file's sorted ``pdq``
digests, when this code has set files) and queried with bench/match.py's queries: half
copies of listed hashes with 0-31 bits flipped, half random, one batch, one thread. Every
near copy must be found, so a fast but wrong index cannot pass.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MATCH_RESULTS = Path(__file__).resolve().parent / "results" / "match.md"
QUERIES = 10_000


@dataclass
class PdqRate:
    """Queries per CPU second, where the hashes came from, and match.md's figure."""

    per_cpu_s: float
    source: str
    note: str
    reference: float | None
    peer: str


def stored_hashes(home: Path) -> np.ndarray | None:
    """The PDQ digests of the set file the import wrote under ``home``, if this code has them."""
    try:  # set files arrive with issue 14; before, the bench indexes the generated hashes
        setfile = importlib.import_module("phunt.hashsets.setfile")
    except ImportError:
        return None
    found = sorted((home / "hashsets").glob("*.phs"))
    if not found:
        return None
    with setfile.SetFile.open(found[-1]) as set_file:
        digests, _rows = set_file.digests("pdq")
        return np.array(digests, dtype=np.uint8)


def reference(n: int) -> tuple[float | None, str]:
    """match.md's batched phunt PdqIndex and threatexchange rates at ``n`` hashes, if any."""
    if not MATCH_RESULTS.exists():
        return None, "no bench/results/match.md"
    rates: dict[str, float] = {}
    for line in MATCH_RESULTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 5 and cells[1] == f"{n:,}":
            found = re.match(r"[\d,]+", cells[5])
            if found:
                rates[cells[0]] = float(found.group().replace(",", ""))
    ours = rates.get("phunt PdqIndex, one batch")
    theirs = rates.get("threatexchange PDQIndex (FAISS multi-hash)")
    if ours is None:
        return None, f"match.md has no figure at {n:,} hashes"
    peer = f"match.md, PdqIndex at {n:,}: {ours:,.0f}"
    if theirs is not None:
        peer += f"; threatexchange: {theirs:,.0f}"
    return ours, peer


def pdq_rate(home: Path, hashes: np.ndarray, seed: int) -> PdqRate:
    """Build the index over the imported hashes and time one batch of queries."""
    from match import THRESHOLD, Clock, make_queries
    from phunt.matching.pdq_index import PdqIndex

    stored = stored_hashes(home)
    indexed = hashes if stored is None else stored
    source = "the generated hashes" if stored is None else "the set file"
    if len(indexed) != len(hashes):
        raise RuntimeError(f"the set file holds {len(indexed):,} PDQ hashes, not {len(hashes):,}")
    queries = make_queries(np.random.default_rng(seed), hashes, QUERIES)
    PdqIndex.build(indexed[:10]).query(queries[:2])  # compile outside the timings
    clock = Clock()
    index = PdqIndex.build(indexed)
    build_cpu = clock.stop()[1]
    clock = Clock()
    found = index.query(queries, THRESHOLD)
    cpu = clock.stop()[1]
    missed = QUERIES // 2 - len(np.unique(found.query[found.query < QUERIES // 2]))
    if missed:
        raise RuntimeError(f"the PDQ index missed {missed} near copies of listed hashes")
    rate = QUERIES / max(cpu, 1e-9)
    ref, peer = reference(len(hashes))
    note = f"{QUERIES:,} queries; index built in {build_cpu:.2f} CPU-s"
    return PdqRate(rate, source, note, ref, peer)
