"""Name a saved finding: ``python -m fuzz.classify TARGET FILE SCRATCH`` prints one JSON line.

``{"outcome": "ok" | "exception" | "hang", "key": "<what>@<innermost phunt frame>"}``.
The parent runs it on every finding, whichever engine found it, so a known open finding
(``targets.KNOWN_OPEN``) is recognised by where it breaks, not by its bytes. A hang is
caught twice over: SIGPROF after the target's CPU limit (Python code), and faulthandler's
stack dump after five times that in wall-clock time (a loop inside C code).
"""

from __future__ import annotations

import faulthandler
import json
import re
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType

from fuzz.targets import BY_NAME, prepare, where

WALL_FACTOR = 5


class _Hang(BaseException):
    pass


def _on_prof(signum: int, frame: FrameType | None) -> None:
    raise _Hang


def main() -> None:
    name, source, folder = sys.argv[1:4]
    target = BY_NAME[name]
    data = Path(source).read_bytes()
    scratch = Path(folder)
    prepare(target, scratch)
    # faulthandler's own thread writes the stack of a loop in C to stderr and ends the
    # process; the JSON line below then never prints and the parent reads the dump.
    faulthandler.dump_traceback_later(target.time_limit * WALL_FACTOR, exit=True)
    signal.signal(signal.SIGPROF, _on_prof)
    signal.setitimer(signal.ITIMER_PROF, target.time_limit)
    try:
        target.run(data, scratch)
        result = {"outcome": "ok", "key": ""}
    except _Hang as exc:
        result = {
            "outcome": "hang",
            "key": f"hang@{where(traceback.extract_tb(exc.__traceback__))}",
        }
    except Exception as exc:
        key = f"{type(exc).__name__}@{where(traceback.extract_tb(exc.__traceback__))}"
        result = {"outcome": "exception", "key": key}
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        faulthandler.cancel_dump_traceback_later()
    print(json.dumps(result))


_DUMP_FRAME = re.compile(r'File "[^"]*/phunt/([^"]+)", line (\d+)')


def key_of_dump(text: str) -> str:
    """The hang key from a faulthandler dump (most recent call first)."""
    found = _DUMP_FRAME.search(text)
    return f"hang@{found[1]}:{found[2]}" if found else "hang@?"


if __name__ == "__main__":
    main()
