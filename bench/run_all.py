"""``make bench``: run every benchmark script in this folder, one after another.

Each script measures phunt side by side with its named peer in one run and writes its
Markdown into bench/results/. ``--quick`` is passed on to each for a short run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Short runs of every benchmark.")
    parser.add_argument("only", nargs="*", help="Run only these scripts (e.g. pdq.py).")
    args = parser.parse_args()
    failed = []
    for name in args.only or SCRIPTS:
        script = HERE / name
        if not script.exists():
            print(f"bench: no script {name}", file=sys.stderr)
            failed.append(name)
            continue
        cmd = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"== {name}", flush=True)
        if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
