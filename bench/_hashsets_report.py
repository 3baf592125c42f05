"""The state of a ``bench/hashsets_scale.py`` run and the Markdown it writes.

Each target line carries phunt's figure, the target, whether it is met and the peer's
figure from the same run; at a reduced scale a target that depends on the list's size is
marked as such, so a small run cannot pass for the full-size one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import VENV_BIN, Measurement, facts_table, measure, table
from _hashsets_peers import PeerRun

PHUNT = str(VENV_BIN / "phunt")
if not (VENV_BIN / "phunt").exists():  # a worktree without its own venv: the running one's
    PHUNT = str(Path(sys.executable).parent / "phunt")
CPUS = "0"
FULL = {"md5": 10_000_000, "pdq": 1_000_000, "nsrl": 40_000_000, "files": 2_000}


@dataclass
class Line:
    """One target: phunt's figure, the target, whether it is met, the peer's figure."""

    what: str
    figure: str
    target: str
    met: bool | None  # None: nothing to judge by (no reference figure)
    peer: str
    scales: bool = True  # depends on the list's size: a reduced run proves nothing


@dataclass
class Bench:
    """Settings and everything measured, in the order it was measured."""

    scale: float
    repeat: int
    work: Path
    seed: int
    lines: list[Line] = field(default_factory=list)
    runs: list[tuple[str, str, Measurement | None, str]] = field(default_factory=list)
    facts: str = ""  # the machine facts, taken at the start

    def size(self, what: str, floor: int = 1000) -> int:
        return max(floor, int(FULL[what] * self.scale))

    def record(self, step: str, tool: str, m: Measurement | None, note: str = "") -> None:
        self.runs.append((step, tool, m, note))

    def phunt(
        self, step: str, args: list[str], home: Path, ok: tuple[int, ...] = (0,)
    ) -> Measurement:
        """Run ``phunt ARGS --home HOME`` on the bench's core; stop the bench if it fails.

        ``ok`` are the expected exit codes (``scan`` exits 1 when a file matched).
        """
        m = measure([PHUNT, *args, "--home", str(home)], cpus=CPUS)
        if m.returncode not in ok:
            raise RuntimeError(f"phunt {' '.join(args)} failed ({m.returncode}):\n{m.stderr}")
        self.record(step, " ".join(["phunt", *(a for a in args[:2] if "/" not in a)]), m)
        return m


def peak(m: Measurement) -> float:
    """Peak memory in MB: the larger of the exact single-process and sampled tree figures."""
    return max(m.single_rss_mb, m.tree_rss_mb)


def peer_text(run: PeerRun | None, figure: Callable[[PeerRun], str]) -> str:
    """``tool: figure``, or "missing" when the peer is not installed."""
    return "missing" if run is None else f"{run.tool}: {figure(run)}"


def wall(run: PeerRun) -> str:
    return f"{run.m.wall_s:.2f} s"


def memory(run: PeerRun) -> str:
    return f"{peak(run.m):,.0f} MB"


def code_under_test() -> str:
    """The phunt the commands ran (PYTHONPATH may point at another tree than bench/'s)."""
    where = subprocess.run(
        [sys.executable, "-c", "import phunt; print(phunt.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not where:
        return "phunt not importable"
    head = subprocess.run(
        ["git", "-C", str(Path(where).parent), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"`{Path(where).parent}` at {head or 'no git commit'}"


def report(b: Bench, argv: list[str]) -> str:
    small = b.scale < 1
    scale = (
        "Full sizes (the issue's)."
        if b.scale >= 1
        else f"**Reduced scale {b.scale:g}**: every size is {100 * b.scale:g} % of the issue's "
        "(10M MD5, 1M PDQ, 40M NSRL rows). A verdict marked * is for a target that depends on "
        "the list's size: met at this scale does not show it is met at full size."
    )
    verdict = {True: "met", False: "**missed**", None: "n/a"}
    targets = [
        [
            ln.what,
            ln.figure,
            ln.target,
            verdict[ln.met] + ("*" if small and ln.scales else ""),
            ln.peer,
        ]
        for ln in b.lines
    ]
    runs = [
        [
            step,
            tool,
            *(
                ("-",) * 5
                if m is None
                else (
                    f"{m.wall_s:.2f}",
                    f"{m.cpu_s:.2f}",
                    f"{m.single_rss_mb:,.0f}",
                    f"{m.tree_rss_mb:,.0f}",
                    m.returncode,
                )
            ),
            note,
        ]
        for step, tool, m, note in b.runs
    ]
    return "\n".join(
        [
            "# Hash lists at real size (issue 14)",
            "",
            f"`bench/hashsets_scale.py {' '.join(argv)}`".replace(" `", "`"),
            "",
            scale,
            "",
            b.facts or facts_table(),
            "",
            f"Code under test: {code_under_test()}. Load average at the end: "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
            + " (the machine is shared: where wall and CPU seconds differ, other jobs had the"
            " core).",
            "",
            "## Targets",
            "",
            "One core (`taskset -c 0`), SQLite data folder, lists of random digests. Wall times "
            "include interpreter start. Peak memory is the larger of the largest process's exact "
            "`ru_maxrss` and the sampled sum over the process tree. Scan figures are the median of "
            f"{b.repeat} runs (the highest peak memory of them).",
            "",
            table(["line", "phunt", "target", "met", "peer (same run)"], targets),
            "",
            "## Every measured command",
            "",
            table(
                ["step", "command", "wall s", "CPU s", "largest MB", "tree MB", "exit", "note"],
                runs,
            ),
            "",
        ]
    )
