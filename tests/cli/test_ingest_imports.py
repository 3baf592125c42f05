"""The coordinator of ``phunt ingest`` imports only what it runs itself.

It walks nothing and hashes nothing: the listing process and the workers open the files,
so they load the container and picture libraries, each for itself. Every heavy module the
coordinator loads anyway is CPU taken from the workers at each start (numpy alone starts
OpenBLAS's threads). A child runs the command as a user does and reports, at exit, the
modules its coordinator process loaded and, for each heavy one, the stack that imported it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from test_lib import run_phunt

#: Loaded by the workers, the listing process, the near-duplicate update when an ingest
#: stored pictures, or the chat step when one was found: never by the coordinator of an
#: ingest of text and a zip.
HEAVY = (
    "numpy",
    "numba",
    "llvmlite",
    "scipy",
    "av",
    "PIL",
    "magic",
    "dfvfs",
    "pytsk3",
    "pyewf",
    "py7zr",
    "phonenumbers",
    "phunt.sources.expand",
    "phunt.schema.metadata",
    "phunt.chats.whatsapp_msgstore",  # the chat parsers: only for a job with a chat source
    "phunt.chats.telegram_json",
)

#: Runs ``phunt ARGS...`` in this process and writes, at exit and from this process only
#: (not from the forked listing process or workers), its modules and how the heavy ones
#: came in: a finder placed first on the meta path sees every import before it happens.
_COORDINATOR = """
import atexit, json, os, runpy, sys, traceback
report, heavy, args = sys.argv[1], set(sys.argv[2].split(",")), sys.argv[3:]
coordinator = os.getpid()
how = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if os.getpid() == coordinator and name in heavy and name not in how:
            frames = [f for f in traceback.extract_stack()[:-1] if "<frozen" not in f.filename]
            how[name] = "".join(traceback.format_list(frames[-8:]))
        return None

sys.meta_path.insert(0, Watch())

def write():
    if os.getpid() == coordinator:
        with open(report, "w") as out:
            json.dump({"modules": sorted(sys.modules), "how": how}, out)

atexit.register(write)
sys.argv = ["phunt", *args]
runpy.run_module("phunt", run_name="__main__", alter_sys=True)
"""


def _evidence(folder: Path) -> Path:
    folder.mkdir()
    for n in range(3):
        (folder / f"note{n}.txt").write_text(f"note {n}\n")
    with zipfile.ZipFile(folder / "phone.zip", "w") as archive:
        archive.writestr("a.txt", "a\n")
        archive.writestr("sub/b.txt", "b\n")
    return folder


def test_the_coordinator_loads_no_worker_library(initialised_home: Path, tmp_path: Path) -> None:
    evidence = _evidence(tmp_path / "card")
    added = run_phunt("device", "add", "--evidence", "EV-1", "--kind", "laptop")
    assert added.returncode == 0, added.stderr
    report = tmp_path / "coordinator.json"
    args = ["ingest", str(evidence), "--device", "EV-1", "--workers", "2", "--json"]
    child = [sys.executable, "-c", _COORDINATOR, str(report), ",".join(HEAVY), *args]
    done = subprocess.run(child, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    # 3 notes, the zip and its 2 members: the workers opened the zip's members themselves.
    assert (summary["files"], summary["errors"]) == (6, 0)

    seen = json.loads(report.read_text(encoding="utf-8"))
    modules = set(seen["modules"])
    loaded = [m for m in HEAVY if m in modules]
    how = "\n".join(f"--- {m} imported by:\n{seen['how'].get(m, '(not seen)')}" for m in loaded)
    assert loaded == [], (
        f"the ingest coordinator imported {loaded}; import them where they are used (a "
        f"worker, a function that needs them). For the whole tree, run the command under "
        f"`python -X importtime -m phunt ingest ...`.\n{how}"
    )
