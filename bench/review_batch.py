"""Fifty known-bad decisions in a row, as the review's keyboard makes them, over a unit
with 20,000 stored files: each decision publishes the local set and re-screens, once
searching every entry of the set (``full``) and once only the entries new since the
previous version's re-screen (``incremental``, what the review now does).

The files come from :func:`review.seed` (six in ten pictures; each decided picture has
two exact copies elsewhere and one near copy 8 bits away, half of them turned). Each
decision is one session, like one request; ``--existing N`` first puts N categorised
pictures in the set (published and re-screened once). Not a timed test: figures only.

    PYTHONPATH=src .venv/bin/python bench/review_batch.py [--db sqlite|URL ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from phunt.review.decisions import Choice, decide
from phunt.review.local_set import choose_local_set, publish_if_new
from phunt.review.rescreen import rescreen
from phunt.schema.db import Database
from phunt.schema.ingest import FileMatch
from review import _fresh_postgres, seed

SET = "Bench local set"


def one_run(
    url: str, files: int, decisions: int, existing: int, incremental: bool, work: Path
) -> str:
    """Seed; categorise ``existing`` pictures, publish and re-screen them once; then
    decide, publish and re-screen ``decisions`` times; one line of figures."""
    db = Database(url)
    try:
        decided = seed(db, files, existing + decisions)
        with db.session() as s:
            choose_local_set(s, SET)
            if existing:
                decide(s, decided[:existing], Choice(1, note="benchmark"))
                publish_if_new(s, work / "sets")
                rescreen(s, SET)
        decided = decided[existing:]
        publish_s = rescreen_s = rescreen_cpu = 0.0
        newly = 0
        t0 = time.perf_counter()
        for file_id in decided:
            with db.session() as s:
                decide(s, [file_id], Choice(1, note="benchmark"))
                t1 = time.perf_counter()
                result = publish_if_new(s, work / "sets")
                t2, c2 = time.perf_counter(), time.process_time()
                assert result is not None
                newly += rescreen(s, SET, incremental=incremental).files_newly_matched
                rescreen_s += time.perf_counter() - t2
                rescreen_cpu += time.process_time() - c2
                publish_s += t2 - t1
        total = time.perf_counter() - t0
        with db.session() as s:
            matches = s.scalar(select(func.count()).select_from(FileMatch)) or 0
        mode = "incremental" if incremental else "full"
        return (
            f"| {db.engine.dialect.name} | {mode} | {files} | {existing} | {decisions} | "
            f"{total:.2f} | "
            f"{publish_s:.2f} | {rescreen_s:.2f} | {rescreen_cpu:.2f} | {matches} | {newly} |"
        )
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", help="database URL (repeatable)")
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--existing", type=int, default=0, help="entries in the set before")
    args = parser.parse_args()
    print("| database | re-screen | files | set before | decisions | total s | publish s "
          "| re-screen s | re-screen CPU s | matches | files newly matched |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-review-batch-") as tmp:
        for url in args.db or ["sqlite"]:
            for incremental in (False, True):
                work = Path(tmp) / f"run-{url[:8]}-{incremental}"
                work.mkdir()
                pg = url.startswith("postgresql")
                one = _fresh_postgres(url, "bench_review_batch") if pg else f"sqlite:///{work}/r.db"
                line = one_run(one, args.files, args.decisions, args.existing, incremental, work)
                print(line, flush=True)


if __name__ == "__main__":
    main()
