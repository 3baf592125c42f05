"""``make bench``: run every benchmark script in this folder, one after another.

Each script measures phunt side by side with its named peer in one run and writes its
Markdown into bench/results/. ``--quick`` is passed on to each for a short run, and so is
any option this script does not know (``run_all.py match.py --sizes 1000000``).

Every results file a script writes gets, under its title, the commit it ran on, the
machine (cores, CPU model, memory) and the load average read just before the script
started and after it ended (bench/_common.py ``run_header``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import RESULTS_DIR, phunt_revision, run_header, stamp_results

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "cli.py",
    "pdq.py",
    "match.py",
    "ingest.py",
    "video.py",
    "chats.py",
    "hashsets_scale.py",
    "web.py",
]


def _results() -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in RESULTS_DIR.glob("*.md")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Short runs of every benchmark.")
    parser.add_argument("only", nargs="*", help="Run only these scripts (e.g. pdq.py).")
    args, passed_on = parser.parse_known_args()
    failed = []
    for name in args.only or SCRIPTS:
        script = HERE / name
        if not script.exists():
            print(f"bench: no script {name}", file=sys.stderr)
            failed.append(name)
            continue
        cmd = [sys.executable, str(script), *(["--quick"] if args.quick else []), *passed_on]
        print(f"== {name}", flush=True)
        revision = phunt_revision()
        files, before = _results(), os.getloadavg()
        if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
            failed.append(name)
            continue
        header = run_header(before, os.getloadavg(), revision)
        for path, mtime in _results().items():
            if files.get(path) != mtime:
                stamp_results(path, header)
                print(f"bench: {path.relative_to(HERE.parent)} stamped", flush=True)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
