"""Helpers shared by the bench scripts: cache folder, machine facts, measured runs, tables.

A measured run starts a command, samples the resident memory of its whole process tree
(the command and every worker it forks), and reads from ``/usr/bin/time`` the exact peak
of its biggest single process (the kernel's ``ru_maxrss``, which covers waited-for
descendants too; a small ``time`` process forks the command, so the figure is not inflated
by the benchmark's own memory copied at fork) and the CPU time of the whole tree. Sampling
misses short spikes; the kernel figure does not, but it is one process only. Both are
reported, with the sampled PSS sum (each shared page split between the processes sharing
it: forked workers share most of their memory with the coordinator, which the RSS sum
counts again for each). CPU time is the figure least disturbed by other jobs on a shared
machine.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil  # type: ignore[import-untyped]

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = REPO / ".venv" / "bin"
MB = 1_000_000


def cache_dir(name: str) -> Path:
    """A git-ignored folder under ``bench/.cache`` that survives between runs."""
    path = BENCH_DIR / ".cache" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def cpu_model() -> str:
    """The CPU model as /proc/cpuinfo names it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> set[str]:
    """CPU feature flags (sha_ni, avx2...) that decide hashing speed."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def phunt_revision() -> str:
    """The commit measured, marked "+ changes" when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in src/" if dirty else "")


def compile_bytecode() -> str:
    """Compile phunt's modules to bytecode, as ``pip install`` does for an installed copy.

    The venv holds phunt as an editable install, whose bytecode is written on first import
    only where ``PYTHONDONTWRITEBYTECODE`` is unset (this development sandbox sets it): every
    ``phunt`` command measured would then compile its 160-odd modules from source, about
    0.25 CPU-s of start-up that no installed copy pays. Returns the fact line.
    """
    source = REPO / "src"
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "compileall", "-q", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"not compiled ({done.stderr.strip().splitlines()[-1:] or done.returncode})"
    return "src/ compiled before the runs (compileall), as an installed copy is"


def machine_facts() -> list[tuple[str, str]]:
    """What a reader needs to judge the figures: code, cores, CPU, memory, Python, date,
    and phunt's bytecode (compiled here first, see :func:`compile_bytecode`)."""
    import ssl

    flags = cpu_flags()
    useful = [f for f in ("sha_ni", "avx2", "avx512f") if f in flags]
    memory = psutil.virtual_memory()
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("phunt", phunt_revision()),
        ("cores (nproc)", str(os.cpu_count())),
        ("CPU", f"{cpu_model()} ({', '.join(useful) or 'no SHA/AVX flags'})"),
        ("memory", f"{memory.total / 2**30:.1f} GiB, {memory.available / 2**30:.1f} available"),
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("OpenSSL", ssl.OPENSSL_VERSION),
        ("kernel", platform.release()),
        ("bytecode", compile_bytecode()),
    ]


@dataclass
class Measurement:
    """Outcome of one measured command."""

    wall_s: float
    tree_rss_mb: float  # peak of the sampled sum over the process tree
    tree_pss_mb: float  # same for PSS (shared pages split between sharers), sampled less often
    single_rss_mb: float  # exact peak of the biggest single process (ru_maxrss)
    cpu_s: float  # user + system CPU time of the tree (reaped descendants included)
    returncode: int
    stdout: str
    stderr: str
    #: User + system CPU time of the command itself (the coordinator), exact (read from its
    #: zombie), and of each process it started (the workers), last sampled from /proc, to
    #: within one sampling interval.
    coordinator_cpu_s: float = 0.0
    worker_cpu_s: tuple[float, ...] = ()


def _tree_memory(proc: psutil.Process, with_pss: bool) -> tuple[int, int]:
    """Sum of RSS, and of PSS when asked (slower to read), over ``proc`` and its children."""
    rss = pss = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for member in members:
        try:
            if with_pss:
                full = member.memory_full_info()
                rss, pss = rss + full.rss, pss + full.pss
            else:
                rss += member.memory_info().rss
        except psutil.Error:
            continue
    return rss, pss


def measure(
    cmd: Sequence[str],
    *,
    cpus: str | None = None,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    capture: bool = True,
    interval: float = 0.05,
    pss_every: int = 5,
) -> Measurement:
    """Run ``cmd`` (pinned to ``cpus`` with taskset, e.g. "0" or "0,1") and measure it."""

    pinned = ["taskset", "-c", cpus, *cmd] if cpus else list(cmd)  # taskset execs: one pid
    out_path = err_path = None
    stdout: IO[bytes]
    stderr: IO[bytes]
    if capture:
        out_fd, out_path = tempfile.mkstemp(prefix="bench-out-")
        err_fd, err_path = tempfile.mkstemp(prefix="bench-err-")
        stdout, stderr = os.fdopen(out_fd, "w+b"), os.fdopen(err_fd, "w+b")
    else:
        stdout = stderr = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    start = time.perf_counter()
    popen = subprocess.Popen(pinned, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
    peak = peak_pss = 0
    stop = threading.Event()
    cpu_by_pid: dict[int, tuple[int, float]] = {}  # pid -> (depth under the command, CPU s)

    def sample() -> None:
        nonlocal peak, peak_pss
        try:
            proc = psutil.Process(popen.pid)
        except psutil.Error:
            return
        tick = 0
        while not stop.is_set():
            rss, pss = _tree_memory(proc, with_pss=tick % pss_every == 0)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            _tree_cpu(proc, cpu_by_pid)
            tick += 1
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    own, reaped, status, usage = _wait_exactly(popen.pid)
    popen.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    out = err = ""
    if capture:
        stdout.seek(0)
        stderr.seek(0)
        out = stdout.read().decode("utf-8", "replace")
        err = stderr.read().decode("utf-8", "replace")
    stdout.close()
    if stderr is not stdout:
        stderr.close()
    for path in (out_path, err_path):
        if path:
            os.unlink(path)
    workers = tuple(c for depth, c in cpu_by_pid.values() if depth == 1)
    return Measurement(
        wall,
        peak / MB,
        peak_pss / MB,
        usage.ru_maxrss * 1024 / MB,
        own + reaped,
        popen.returncode,
        out,
        err,
        own,
        workers,
    )


def _wait_exactly(pid: int) -> tuple[float, float, int, resource.struct_rusage]:
    """Wait for ``pid`` to exit and read, before reaping it, its own CPU time (all its
    threads, to the clock tick) and its reaped children's, from its zombie's
    ``/proc/PID/stat``; then reap it: ``(own, children, wait status, rusage)``. Sampling
    the live process would miss what it does after the last sample."""
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / tick
    reaped = (int(fields[13]) + int(fields[14])) / tick
    _pid, status, usage = os.wait4(pid, 0)
    return own, reaped, status, usage


def _tree_cpu(proc: psutil.Process, seen: dict[int, tuple[int, float]]) -> None:
    """Record the CPU time so far of the processes ``proc`` started (depth 1: an ingest's
    workers and listing process) and of theirs (depth 2)."""
    try:
        level = [(child, 1) for child in proc.children()]
    except psutil.Error:
        return
    while level:
        member, depth = level.pop()
        try:
            times = member.cpu_times()
            seen[member.pid] = (depth, times.user + times.system)
            if depth < 2:
                level.extend((child, depth + 1) for child in member.children())
        except psutil.Error:
            continue


def folder_totals(path: str | Path) -> tuple[int, int]:
    """Number of regular files and their total size under ``path``."""
    files = size = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(root, name))
            files += 1
            size += st.st_size
    return files, size


def warm_cache(paths: Sequence[str | Path]) -> None:
    """Read every file once so all contenders start from the page cache."""
    for top in paths:
        top = Path(top)
        files = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
        for file in files:
            with open(file, "rb", buffering=0) as fh:
                while fh.read(1 << 22):
                    pass


def _numeric(cell: object) -> bool:
    text = str(cell).replace(",", "").replace("x", "").strip()
    try:
        float(text)
    except ValueError:
        return text in ("", "n/a", "-")
    return True


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; columns holding only numbers are right-aligned."""
    align = [
        "---:" if rows and all(_numeric(row[i]) for row in rows) else "---"
        for i in range(len(headers))
    ]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def facts_table() -> str:
    """The machine facts as a two-column Markdown table."""
    return table(["fact", "value"], machine_facts())


HEADER_START = "<!-- bench header: written by bench/run_all.py -->"
HEADER_END = "<!-- end of bench header -->"


def run_header(before: Sequence[float], after: Sequence[float], revision: str) -> str:
    """The lines ``make bench`` puts at the top of a results file: code, machine, load.

    The load average is read just before the script starts (and after it ends): on a
    shared machine it says how far absolute rates can be trusted; ratios measured in the
    same run (phunt and its peer taking turns) are fairer than either figure alone.
    """
    memory = psutil.virtual_memory()
    flags = cpu_flags()
    useful = [f for f in ("sha_ni", "avx2", "avx512f") if f in flags]

    def load(values: Sequence[float]) -> str:
        return " / ".join(f"{v:.2f}" for v in values)

    return "\n".join(
        [
            HEADER_START,
            f"- commit: `{revision if len(revision) < 90 else revision[:87] + '...'}`",
            f"- run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC (end of the script)",
            f"- machine: {os.cpu_count()} cores (nproc), {cpu_model()}"
            f" ({', '.join(useful) or 'no SHA/AVX flags'}), {memory.total / 2**30:.1f} GiB",
            f"- load average (1 / 5 / 15 min) before the run: {load(before)}; after: {load(after)}",
            HEADER_END,
        ]
    )


def stamp_results(path: Path, header: str) -> None:
    """Put ``header`` under the file's title, replacing the one a previous run put there."""
    text = path.read_text(encoding="utf-8")
    if HEADER_START in text and HEADER_END in text:
        head, rest = text.split(HEADER_START, 1)
        text = head + header + rest.split(HEADER_END, 1)[1]
    else:
        title, _, body = text.partition("\n")
        if title.startswith("# "):
            text = f"{title}\n\n{header}\n\n{body.lstrip(chr(10))}"
        else:
            text = f"{header}\n\n{text}"
    path.write_text(text, encoding="utf-8")
