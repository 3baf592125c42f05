"""``make fuzz``: run every target for a share of a time budget and write bench/results/fuzz.md.

Usage: ``python -m fuzz.run [--minutes 10] [--target NAME ...] [--out PATH]`` with
``tests`` on ``PYTHONPATH``. Each target runs in a child process (``fuzz.child``) under
hypothesis, and then under atheris (libFuzzer, coverage-guided) when it is installed.
The parent is the watchdog: a child that dies on a signal is a crash, one whose current
input makes no progress for twice the per-input limit is a hang; both keep the input that
did it. Findings are copied to ``$FUZZ_FINDINGS/<target>/`` (default: the temp folder),
to be minimised (``fuzz.minimise``) into the corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.classify import WALL_FACTOR
from fuzz.targets import KNOWN_OPEN, ROOT, TARGETS, Target

ATHERIS_SHARE = 1 / 3
"""The part of each target's time given to atheris when it is installed."""
MEMORY_CAP_MB = int(os.environ.get("FUZZ_MEMORY_CAP_MB", "1024"))
"""Peak memory one input may add to the process (phunt's own picture cap is 341 MiB of
pixels plus one converted copy)."""
WARM_UP_SECONDS = 180.0
FINDINGS = Path(
    os.environ.get("FUZZ_FINDINGS", Path(tempfile.gettempdir()) / "phunt-fuzz-findings")
)
_ARTIFACTS = ("crash", "timeout", "oom", "leak", "slow")


@dataclass
class Outcome:
    target: str
    engine: str
    seconds: float = 0.0
    examples: int = 0
    findings: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    system = f"Linux {platform.release()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores, {mem} MiB RAM, {system}"


def _child_env() -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def classify(target: Target, data_file: Path) -> str:
    """The finding's key, from running it again alone (``fuzz.classify``)."""
    from fuzz.classify import key_of_dump

    with tempfile.TemporaryDirectory(prefix="phunt-fuzz-classify-") as scratch:
        cmd = [sys.executable, "-m", "fuzz.classify", target.name, str(data_file), scratch]
        try:
            done = subprocess.run(
                cmd,
                env=_child_env(),
                capture_output=True,
                text=True,
                timeout=target.time_limit * WALL_FACTOR + 120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "hang@?"
    lines = done.stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        result = json.loads(lines[-1])
        return str(result["key"]) if result["outcome"] != "ok" else "not reproduced alone"
    if "Timeout" in done.stderr:
        return key_of_dump(done.stderr)
    return f"crash (exit status {done.returncode})"


def _save(target: Target, kind: str, data_file: Path, detail: str, outcome: Outcome) -> None:
    folder = FINDINGS / target.name
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{outcome.engine}-{kind}-{len(list(folder.glob('*.bin'))):03d}"
    key = "no input kept"
    if data_file.exists():
        shutil.copyfile(data_file, folder / f"{stem}.bin")
        key = classify(target, folder / f"{stem}.bin")
    (folder / f"{stem}.txt").write_text(f"key: {key}\n{detail}")
    known = KNOWN_OPEN.get(target.name, {}).get(key)
    if kind in ("hang", "timeout", "slow") and key == "not reproduced alone":
        # over the wall-clock limit on a loaded machine, but within the CPU limit alone
        outcome.unconfirmed.append(f"{kind}: {folder.name}/{stem}.bin: {key}")
    elif known is not None:
        outcome.known.append(f"{key}: as test_data/fuzz/{target.name}/{known}")
    else:
        outcome.findings.append(f"{kind}: {folder.name}/{stem}.bin: {key}: {_summary(detail)}")


_EXCEPTION_LINE = re.compile(
    r"^[\s|]*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Failure)\b.*)$"
)


def _summary(detail: str) -> str:
    """The exception line of a traceback (the last one), else the detail's first line."""
    found = [m.group(1) for line in detail.splitlines() if (m := _EXCEPTION_LINE.match(line))]
    if found:
        return found[-1][:200]
    lines = detail.strip().splitlines()
    return lines[0][:200] if lines else ""


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _watch(target: Target, cmd: list[str], work: Path, seconds: float, outcome: Outcome) -> None:
    """Run one child to its end, killing it on a hang; record crashes and hangs.

    A hang is the current input using twice the per-input limit in CPU time, or five
    times that in wall-clock time (stuck waiting); a loaded machine only slows inputs."""
    current = work / "current.bin"
    hang_after = 2 * target.time_limit + 5
    log = (work / "child.log").open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=_child_env(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    hung = False
    mark = (0.0, 0.0, started)  # the current input's mtime, the child's CPU and time then
    while proc.poll() is None:
        time.sleep(0.5)
        now = time.monotonic()
        ready = (work / "ready").exists()
        stuck = False
        if ready and current.exists():
            mtime, cpu = current.stat().st_mtime, _cpu_seconds(proc.pid)
            if mtime != mark[0]:
                mark = (mtime, cpu, now)
            stuck = cpu - mark[1] > hang_after or now - mark[2] > hang_after * WALL_FACTOR
        warming = not ready and now - started > WARM_UP_SECONDS
        overdue = now - started > seconds + WARM_UP_SECONDS + 120  # ignored its own deadline
        if stuck or warming or overdue:
            hung = True
            proc.kill()
            proc.wait()
            break
    log.close()
    text = (work / "child.log").read_text(errors="replace")
    fuzzer_log = work / "libfuzzer.log"
    if fuzzer_log.exists():  # atheris: libFuzzer's own tally and artifacts
        text = fuzzer_log.read_text(errors="replace")
        runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
        runs = runs or re.findall(r"^#(\d+)\s", text, flags=re.MULTILINE)
        outcome.examples += int(runs[-1]) if runs else 0
        child = (work / "child.log").read_text(errors="replace")  # atheris prints tracebacks here
        at = child.find("=== Uncaught Python exception")
        detail = (child[at : at + 6000] if at >= 0 else child[-3000:]) + text[-1500:]
        for artifact in sorted(work.iterdir()):
            if artifact.name.split("-", 1)[0] in _ARTIFACTS:
                _save(target, artifact.name.split("-", 1)[0], artifact, detail, outcome)
    if hung:
        _save(
            target, "hang", current, f"no progress for {hang_after:.0f} s\n{text[-3000:]}", outcome
        )
    elif proc.returncode != 0 and not fuzzer_log.exists() and not (work / "stats.json").exists():
        _save(
            target,
            "crash",
            current,
            f"child exit status {proc.returncode}\n{text[-3000:]}",
            outcome,
        )
    noted = work / "known.txt"
    for key in noted.read_text().splitlines() if noted.exists() else []:
        outcome.known.append(
            f"{key}: as test_data/fuzz/{target.name}/{KNOWN_OPEN[target.name][key]}"
        )
    stats_file = work / "stats.json"
    if stats_file.exists():
        stats = json.loads(stats_file.read_text())
        outcome.examples += stats["examples"]
        for finding in stats["findings"]:
            _save(target, finding["kind"], Path(finding["input"]), finding["detail"], outcome)


def run_target(target: Target, engine: str, seconds: float) -> Outcome:
    """Fuzz ``target`` with ``engine`` for ``seconds``, restarting the child after a crash."""
    outcome = Outcome(target.name, engine)
    start = time.monotonic()
    while (left := seconds - (time.monotonic() - start)) > 2:
        work = Path(tempfile.mkdtemp(prefix=f"phunt-fuzz-{target.name}-"))
        try:
            module = "fuzz.child" if engine == "hypothesis" else "fuzz.atheris_child"
            cmd = [
                sys.executable,
                "-m",
                module,
                target.name,
                f"{left:.1f}",
                str(work),
                str(MEMORY_CAP_MB),
            ]
            before = len(outcome.findings) + len(outcome.known) + len(outcome.unconfirmed)
            _watch(target, cmd, work, left, outcome)
            if len(outcome.findings) + len(outcome.known) + len(outcome.unconfirmed) == before:
                break
        finally:
            shutil.rmtree(work, ignore_errors=True)
    outcome.seconds = time.monotonic() - start
    return outcome


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("hypothesis", "atheris", "Pillow", "av", "py7zr"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} not installed")
    return ", ".join(out)


def report(outcomes: list[Outcome], minutes: float, atheris: bool, wall: float) -> str:
    total_examples = sum(o.examples for o in outcomes)
    findings = [f for o in outcomes for f in o.findings]
    lines = [
        "# Fuzzing (`make fuzz`)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, budget {minutes:g} min"
        f" (FUZZ_MINUTES), {wall / 60:.1f} min wall clock.",
        f"Machine: {_machine()}.",
        f"Versions: {_versions()}.",
        "",
        "Every target feeds mutated copies of real fixtures (byte flips, interesting values,"
        " truncation, deleted, repeated and inserted runs, splices of two seeds; JSON with odd"
        " types and CSV/text with odd columns where cheap) to phunt's entry point for that"
        " reader (`tests/fuzz/targets.py`). An input may give a result or phunt's own error;"
        " any other exception, a hang past the per-input limit (CPU time: SIGPROF in the"
        " child; the parent kills a child at twice the limit in CPU time or five times in"
        " wall-clock time, and re-runs the input alone to name where it hangs), or more than"
        f" {MEMORY_CAP_MB} MiB of peak memory added by one input is a finding.",
        "",
        "atheris: "
        + (
            f"installed; each target's last {ATHERIS_SHARE:.0%} of its time runs under"
            " libFuzzer with phunt's modules instrumented for coverage."
            if atheris
            else "not installed (`pip install atheris` did not succeed here), hypothesis only."
        ),
        "",
        "Seconds are wall-clock time per target and engine, the child's start-up and warm-up"
        " (a run of every seed) included; the machine is shared, so inputs per second vary.",
        "",
        "| target | reader | engine | seconds | inputs run | new findings | known open |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    by_name = {t.name: t for t in TARGETS}
    for o in outcomes:
        lines.append(
            f"| {o.target} | `{by_name[o.target].reader}` | {o.engine} | {o.seconds:.0f} |"
            f" {o.examples} | {len(o.findings)} | {len(o.known)} |"
        )
    known = sorted({k for o in outcomes for k in o.known})
    unconfirmed = [u for o in outcomes for u in o.unconfirmed]
    lines += [
        f"| **total** | | | {sum(o.seconds for o in outcomes):.0f} | {total_examples} |"
        f" {len(findings)} | {sum(len(o.known) for o in outcomes)} |",
        "",
        "## New findings of this run",
        "",
    ]
    lines += [f"- {f}" for f in findings] or ["None."]
    lines += [
        "",
        "## Known open findings met again",
        "",
        "In readers this branch does not own (`KNOWN_OPEN` in `tests/fuzz/targets.py`); each"
        " has its file in the corrupt corpus, marked xfail(strict=True) in"
        " `tests/fuzz_corpus/test_corpus.py` until the reader is fixed.",
        "",
    ]
    lines += [f"- {k}" for k in known] or ["None."]
    if unconfirmed:
        lines += ["", "## Over the wall-clock limit, within the CPU limit when re-run alone", ""]
        lines += [f"- {u}" for u in unconfirmed]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--minutes", type=float, default=float(os.environ.get("FUZZ_MINUTES", "10"))
    )
    parser.add_argument("--target", action="append", help="fuzz only these targets")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz.md")
    parser.add_argument("--no-atheris", action="store_true")
    args = parser.parse_args()
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    atheris = not args.no_atheris and importlib.util.find_spec("atheris") is not None
    weights = sum(t.weight for t in targets)
    budget = args.minutes * 60
    outcomes: list[Outcome] = []
    start = time.monotonic()
    for target in targets:
        share = budget * target.weight / weights
        plan = [("hypothesis", share * (1 - ATHERIS_SHARE)), ("atheris", share * ATHERIS_SHARE)]
        for engine, seconds in plan if atheris else [("hypothesis", share)]:
            outcome = run_target(target, engine, seconds)
            outcomes.append(outcome)
            print(
                f"{target.name:26s} {engine:10s} {outcome.seconds:6.0f} s"
                f" {outcome.examples:7d} inputs {len(outcome.findings)} findings",
                flush=True,
            )
            for finding in outcome.findings:
                print(f"    {finding}", flush=True)
            for finding in outcome.known:
                print(f"    known, open: {finding}", flush=True)
            for finding in outcome.unconfirmed:
                print(f"    unconfirmed: {finding}", flush=True)
    wall = time.monotonic() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(outcomes, args.minutes, atheris, wall))
    print(f"wrote {args.out}")
    return 1 if any(o.findings for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
