"""One target under hypothesis, in a process of its own.

``python -m fuzz.child NAME SECONDS WORK CAP_MB``.

Runs the seeds once (imports, numba's compiled kernels), then batches of hypothesis
examples until SECONDS have passed. Before each input it writes the input to
``WORK/current.bin`` (the parent's watchdog reads its age and keeps it after a crash).
Each input runs under a SIGALRM timer of the target's limit; the address space is capped
(``RLIMIT_AS``) so a runaway allocation fails here rather than on the machine, and the
peak RSS each input adds is measured against CAP_MB. An exception the target lets through
is minimised by hypothesis; hangs and memory are recorded as they came. The tally goes to
``WORK/stats.json``.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType

from hypothesis import HealthCheck, Phase, given, settings

from fuzz.targets import BY_NAME, known_open, prepare, where

ADDRESS_SPACE_HEADROOM = 6 << 30
"""Virtual memory allowed above what the warmed-up process maps (thread stacks and
allocator arenas are virtual, not resident; RSS is what ``CAP_MB`` measures)."""


class Hang(BaseException):
    """Raised by SIGPROF when one input uses more CPU time than the target's limit (CPU,
    not wall-clock time, so a loaded machine does not make slow inputs look hung)."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    name, seconds, work_arg, cap_arg = sys.argv[1:5]
    target = BY_NAME[name]
    work = Path(work_arg)
    cap_mb = float(cap_arg)
    current = work / "current.bin"
    scratch = work / "scratch"  # removed with WORK by the parent
    scratch.mkdir()
    prepare(target, scratch)
    seeds = target.seed_bytes()
    findings: list[dict[str, str]] = []
    seen: set[str] = set()
    examples = 0

    def record(kind: str, data: bytes, detail: str, key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        path = work / f"finding-{len(findings):03d}.bin"
        path.write_bytes(data)
        findings.append({"kind": kind, "input": str(path), "detail": detail})

    signal.signal(signal.SIGPROF, _on_alarm)
    for seed in seeds:  # warm up; a seed that fails is a finding like any other input
        current.write_bytes(seed)
        try:
            target.run(seed, scratch)
        except Exception as exc:
            record("exception", seed, traceback.format_exc(), _key(exc))
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + ADDRESS_SPACE_HEADROOM,) * 2)
    (work / "ready").touch()
    deadline = time.monotonic() + float(seconds)
    failing: list[bytes] = []

    def one(data: bytes) -> None:
        nonlocal examples
        if time.monotonic() > deadline:
            return
        current.write_bytes(data)
        before = _rss_mb()
        signal.setitimer(signal.ITIMER_PROF, target.time_limit)
        try:
            target.run(data, scratch)
        except Hang as exc:
            record(
                "hang",
                data,
                f"over {target.time_limit:g} s of CPU\n{traceback.format_exc()}",
                f"hang@{where(traceback.extract_tb(exc.__traceback__))}",
            )
            return
        except Exception as exc:
            if known_open(name, exc, work):
                return
            failing[:] = [data]
            raise
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        examples += 1
        grown = _rss_mb() - before
        if _rss_mb() > before and grown > cap_mb:
            record(
                "memory",
                data,
                f"peak RSS grew by {grown:.0f} MiB (cap {cap_mb:g})",
                f"mem:{len(data)}",
            )

    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        derandomize=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(target.strategy(seeds))
    def fuzz(data: bytes) -> None:
        one(data)

    while time.monotonic() < deadline:
        failing.clear()
        try:
            fuzz()
        except Exception as exc:
            data = failing[0] if failing else b""
            record("exception", data, "".join(traceback.format_exception(exc)), _key(exc))
    (work / "stats.json").write_text(json.dumps({"examples": examples, "findings": findings}))
    return 0


def _key(exc: BaseException) -> str:
    """Where an exception was raised, to count one bug once however often it is hit."""
    return f"{type(exc).__name__}@{where(traceback.extract_tb(exc.__traceback__))}"


if __name__ == "__main__":
    sys.exit(main())
