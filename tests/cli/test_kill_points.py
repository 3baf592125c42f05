"""Kill points: ``phunt ingest``, ``hashset import`` and ``chats import`` killed with SIGKILL
at 20 random points each, on SQLite and PostgreSQL, then resumed or run again.

A user's ``kill -9`` (or a pulled plug) hits the coordinator, the ``phunt`` process, at
any moment. After it, and after the command that recovers (``--resume`` for an ingest
with an unfinished job, the same command again otherwise), nothing may be lost or
stored twice: the device's or set's rows equal an uninterrupted run's, row counts grew
by exactly what an uninterrupted run adds, the audit chain verifies, no process of the
killed command lives on and no scratch file is left.

Each series shares one database: kill point ``k`` works on its own device ``EV-k`` (or
hash set ``L-k``) beside the rows of the points before it, and is compared with the
reference device (or set) an uninterrupted run made in the same database. Delays are
random over the reference run's wall time (one in four during start-up, as a user's kill
may land, the others while the command works, timed from its first stored rows when it
stores as it goes), from a seed printed with every failure: set ``PHUNT_KILL_SEED`` to
replay one.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import kill_point_inputs as inputs
from kill_point_lib import (
    Rows,
    differences,
    end_processes,
    leftover_files,
    row_counts,
    snapshot,
    survivors,
)
from phunt.audit.store import verify
from phunt.cases.devices import add_device
from phunt.hashsets import blobs
from phunt.hashsets.store import import_hash_list
from phunt.schema.audit import AuditRecord
from phunt.schema.cases import Device
from phunt.schema.chats import ChatImport
from phunt.schema.db import Database
from phunt.schema.hashsets import HashSet, HashSetVersion
from phunt.schema.ingest import EvidenceFile, IngestJob

KILLS = 20
#: How long workers get to notice their coordinator died and end before they count as
#: left over: a deadline, not a speed (the poll returns as soon as they are gone). A
#: worker takes up to pipeline.CLEANUP_GRACE_S removing its copies, more on a loaded host.
GRACE = 15.0
SEED = int(os.environ.get("PHUNT_KILL_SEED") or random.SystemRandom().randrange(1 << 32))

#: Audit actions a recovery adds beyond what an uninterrupted run writes.
RECOVERY_ACTIONS = {"ingest.resume"}


@dataclass(frozen=True)
class Inputs:
    evidence: Path
    hash_list: Path
    whatsapp: Path
    telegram: Path


@pytest.fixture(scope="module")
def kill_inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    root = tmp_path_factory.mktemp("kill-inputs")
    evidence = inputs.evidence_folder(root / "phone", files=150)
    whatsapp = inputs.whatsapp_export(root / "exports" / "whatsapp", 500).parent
    telegram = inputs.telegram_export(root / "exports" / "telegram", 500)
    hash_list = inputs.hash_list(root / "known.txt", root, entries=2000)
    for path in evidence.rglob("*"):  # reading sets access times once: runs then agree
        if path.is_file():
            path.read_bytes()
    return Inputs(evidence, hash_list, whatsapp, telegram)


@dataclass
class Point:
    """One kill point, for the failure message and the summary."""

    number: int
    delay: float
    after: str = "start"  # what the delay counts from
    killed: bool = False
    landed: str = ""
    recovery: str = ""
    survivors: list[tuple[int, str]] = field(default_factory=list)
    scratch: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        when = f"{self.delay:.2f}s after {self.after}"
        how = f"killed {when}" if self.killed else f"ended before {when}"
        left = f"; {len(self.survivors)} processes and {len(self.scratch)} scratch entries left"
        return f"point {self.number}: {how}, landed {self.landed}, recovered by {self.recovery}" + (
            left if self.survivors or self.scratch else ""
        )


class Series:
    """Runs one command of one database again and again, killing it, and checks."""

    def __init__(self, name: str, db_url: str, tmp: Path) -> None:
        self.name = name
        self.db_url = db_url
        self.home = tmp / "home"
        self.tmpdir = tmp / "tmp"
        self.tmpdir.mkdir()
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.tag = f"PHUNT_KILL_POINT_TAG={uuid.uuid4().hex}"
        key, value = self.tag.split("=")
        self.env = dict(os.environ) | {key: value, "TMPDIR": str(self.tmpdir)}
        self.env["PHUNT_HOME"] = str(self.home)
        self.db = Database(db_url)
        self.rng = random.Random(f"{SEED}:{name}")
        self.points: list[Point] = []
        self.files = 0  # what an uninterrupted ingest stores, once known
        self.fastest = 0.0  # the quickest uninterrupted run seen: kills land before it
        self.began = time.monotonic()
        self.cpu = _children_cpu()

    def where(self) -> str:
        return f"[{self.name}, seed {SEED}: PHUNT_KILL_SEED={SEED} replays it]"

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "phunt", *args, "--db", self.db_url, "--home", str(self.home)]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, env=self.env, timeout=600
        )

    def timed(self, *args: str) -> float:
        """Run uninterrupted; its wall time."""
        began = time.monotonic()
        done = self.run(*args)
        assert done.returncode == 0, (self.where(), done.stderr)
        return time.monotonic() - began

    def watched(self, args: list[str], state: Callable[[], str]) -> tuple[float, float]:
        """Run uninterrupted: its wall time, and when ``state`` first showed rows stored."""
        began = time.monotonic()
        stored = 0.0
        with (self.logs / "reference.log").open("a") as log:
            proc = subprocess.Popen(self.argv(*args), stdout=log, stderr=log, env=self.env)
            while proc.poll() is None:
                if not stored and not state().startswith("before"):
                    stored = time.monotonic() - began
                time.sleep(0.02)
        seconds = time.monotonic() - began
        assert proc.returncode == 0, (self.where(), (self.logs / "reference.log").read_text())
        return seconds, stored or seconds

    def recovered(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the command that recovers; a whole run that succeeds times the command."""
        began = time.monotonic()
        done = self.run(*args)
        seconds = time.monotonic() - began
        if done.returncode == 0:
            self.fastest = min(self.fastest or seconds, seconds)
        return done

    def kill_during(self, point: Point, args: list[str], started: Callable[[], bool]) -> None:
        """Start the command and SIGKILL it (only it, as a user would) ``point.delay``
        seconds after it ``started`` (polled until then)."""
        log = (self.logs / f"{point.number}.log").open("w")
        with log:
            proc = subprocess.Popen(self.argv(*args), stdout=log, stderr=log, env=self.env)
            while proc.poll() is None and not started():
                time.sleep(0.02)
            try:
                proc.wait(timeout=point.delay)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                point.killed = True
            proc.wait()
        point.survivors = survivors(self.tag, GRACE)
        end_processes(pid for pid, _ in point.survivors)

    def check_scratch(self, point: Point) -> None:
        """After the command that followed the kill: no scratch of either run is left."""
        point.scratch = leftover_files(self.tmpdir, self.home / "scratch")
        for path in point.scratch:
            shutil.rmtree(path, ignore_errors=True)
            Path(path).unlink(missing_ok=True)

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return row_counts(s)

    def audit_seq(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.max(AuditRecord.seq))) or 0)

    def actions_since(self, seq: int) -> Counter[str]:
        with self.db.session() as s:
            found = s.scalars(select(AuditRecord.action).where(AuditRecord.seq > seq))
            return Counter(a for a in found if a not in RECOVERY_ACTIONS)

    def check_chain(self) -> None:
        with self.db.session() as s:
            verdict = verify(s)
            assert verdict.ok, (self.where(), verdict.as_dict())
            for sha in s.scalars(select(HashSetVersion.index_sha256)):  # stored before commit
                blobs.local_set_file(s, sha, what=f"{self.where()}: set file {sha}")

    def finish(self) -> None:
        """The CLI's own verdict on the chain, then the deferred checks and a summary."""
        done = self.run("audit", "verify", "--json")
        assert done.returncode == 0 and '"ok": true' in done.stdout, (self.where(), done)
        self.db.close()
        kills = [p for p in self.points if p.killed]
        wall, cpu = time.monotonic() - self.began, _children_cpu() - self.cpu
        print(
            f"\n{self.name}: {len(kills)} kills in {len(self.points)} runs, {wall:.0f}s wall, "
            f"{cpu:.0f}s CPU in commands, load {os.getloadavg()[0]:.1f}, seed {SEED}"
        )
        for point in self.points:
            print(f"  {point}")
        print("  landed: " + ", ".join(f"{k} x{n}" for k, n in self._landings().items()))
        assert len(kills) == KILLS, (self.where(), [str(p) for p in self.points])
        left = [(str(p), p.survivors) for p in self.points if p.survivors]
        stale = [(str(p), p.scratch) for p in self.points if p.scratch]
        # Workers watch their coordinator (ingest/pipeline.py); the next command removes a
        # dead process's scratch (phunt/scratch.py).
        assert not left, (self.where(), "processes outlived the killed command", left)
        assert not stale, (self.where(), "scratch left behind", stale)

    def _landings(self) -> Counter[str]:
        return Counter(p.landed.split(" (")[0] for p in self.points if p.killed)


def _children_cpu() -> float:
    """CPU seconds of the commands run so far (each waited for), whatever the load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Command:
    """How to run, inspect and recover one command for kill point ``target``."""

    series: Series
    reference: str
    args: Callable[[str], list[str]]
    state: Callable[[str], str]
    recover: Callable[[str, str], str]
    content: Callable[[str], dict[str, Rows]]


def _device_content(series: Series, device: str) -> dict[str, Rows]:
    with series.db.session() as s:
        return snapshot(s, "device", Device.evidence_number == device)


def _set_content(series: Series, name: str) -> dict[str, Rows]:
    with series.db.session() as s:
        return snapshot(s, "hash_set", HashSet.name == name)


def _ingest_content(series: Series, device: str) -> dict[str, Rows]:
    """The device's rows; of the job's chat outcomes only which export, and whether it
    is in the database: a resume after the chats were stored records them as imported
    before (``already_imported``), which an uninterrupted run calls ``imported``."""
    content = _device_content(series, device)
    jobs: Rows = Counter()
    for row, n in content.pop("ingest_job").items():
        jobs[tuple(_chat_outcomes(v) for v in row)] = n
    content["ingest_job"] = jobs
    return content


def _chat_outcomes(value: Any) -> Any:
    """A job's verification with its chat outcomes reduced to export and stored-or-not."""
    doc = json.loads(value) if isinstance(value, str) and value.startswith("{") else None
    if not isinstance(doc, dict) or "chats" not in doc:
        return value
    doc["chats"] = sorted(
        (o["export"], "stored" if "imported" in o or "already_imported" in o else str(o))
        for o in doc["chats"]
    )
    return json.dumps(doc, sort_keys=True)


def _ingest(series: Series, evidence: Path) -> Command:
    def args(device: str) -> list[str]:
        return [
            "ingest", str(evidence), "--device", device, "--workers", "2", "--no-pdq",
            "--batch", "20", "--json",
        ]  # fmt: skip

    def state(device: str) -> str:
        with series.db.session() as s:
            dev = s.scalar(select(Device.id).where(Device.evidence_number == device))
            jobs = list(s.scalars(select(IngestJob).where(IngestJob.device_id == dev)))
            if not jobs:
                return "before the job was opened"
            assert len(jobs) == 1, (series.where(), "two jobs for one device", device)
            count = select(func.count()).where(EvidenceFile.job_id == jobs[0].id)
            stored = int(s.scalar(count) or 0)
            if jobs[0].status == "complete":
                return "after the job was complete"
            if stored == 0:
                return "job opened, no file stored"
            if stored < series.files:
                return f"files being stored ({stored}/{series.files})"
            return "files stored, chats or seal pending"

    def recover(device: str, landed: str) -> str:
        if landed.startswith("after the job was complete"):
            return "nothing (the job had completed)"
        resume = ["--resume"] if not landed.startswith("before") else []
        if resume:
            done = series.run(*args(device), *resume)
            assert done.returncode == 0, (series.where(), landed, done.stderr)
            return "ingest --resume"
        done = series.recovered(*args(device))
        assert done.returncode == 0, (series.where(), landed, done.stderr)
        return "ingest again"

    return Command(series, "EV-ref", args, state, recover, lambda d: _ingest_content(series, d))


def _hashset(series: Series, hash_list: Path) -> Command:
    def args(name: str) -> list[str]:
        return ["hashset", "import", str(hash_list), "--name", name, "--json"]

    def state(name: str) -> str:
        with series.db.session() as s:
            found = s.scalar(select(HashSet).where(HashSet.name == name))
            if found is None:
                return "before the import committed"
            return "after the import committed"

    def recover(name: str, landed: str) -> str:
        if landed.startswith("after"):
            # the user's next command (any) removes the killed one's scratch
            looked = series.run("hashset", "show", name)
            assert looked.returncode == 0, (series.where(), landed, looked.stderr)
            return "hashset show (the list was imported; again would make an equal version 2)"
        done = series.recovered(*args(name))
        assert done.returncode == 0, (series.where(), landed, done.stderr)
        return "hashset import again"

    return Command(series, "L-ref", args, state, recover, lambda n: _set_content(series, n))


def _chats(series: Series, export: Path, reference: str) -> Command:
    def args(device: str) -> list[str]:
        return ["chats", "import", str(export), "--device", device, "--json"]

    def state(device: str) -> str:
        with series.db.session() as s:
            dev = s.scalar(select(Device.id).where(Device.evidence_number == device))
            found = s.scalar(select(func.count()).where(ChatImport.device_id == dev))
            assert found in (0, 1), (series.where(), "export imported twice", device)
            return "after the import committed" if found else "before the import committed"

    def recover(device: str, landed: str) -> str:
        done = series.recovered(*args(device))
        if landed.startswith("after"):
            assert done.returncode == 2 and "already imported" in done.stderr, (
                series.where(),
                landed,
                done,
            )
            return "chats import again (refused: already imported)"
        assert done.returncode == 0, (series.where(), landed, done.stderr)
        return "chats import again"

    return Command(series, reference, args, state, recover, lambda d: _device_content(series, d))


@dataclass
class Reference:
    seconds: float
    startup: float
    stored: float | None  # when the first rows were stored, for a command that stores as it goes
    content: dict[str, Rows]
    growth: dict[str, int]
    actions: Counter[str]


def _reference(command: Command) -> Reference:
    series = command.series
    before, seq = series.counts(), series.audit_seq()
    target = command.reference
    seconds, stored = series.watched(command.args(target), lambda: command.state(target))
    series.fastest = min(series.fastest or seconds, seconds)
    growth = _growth(before, series.counts())
    # A command that stores as it goes shows when its work starts; one that stores all at
    # the end is taken to work once started and connected, as long as a quick command.
    startup = series.timed("audit", "verify", "--json")
    progressive = stored < 0.9 * seconds
    left = survivors(series.tag, GRACE)
    assert not left, (series.where(), "an uninterrupted run left processes", left)
    assert not leftover_files(series.tmpdir, series.home / "scratch"), series.where()
    content = command.content(command.reference)
    actions = series.actions_since(seq)
    return Reference(seconds, startup, stored if progressive else None, content, growth, actions)


def _when(
    series: Series, command: Command, ref: Reference, number: int, target: str
) -> tuple[Point, Callable[[], bool]]:
    """When to kill: one point in four while the command starts (interpreter, imports,
    opening the database), the others while it works, up to 95% of the quickest
    uninterrupted run's wall time so far. The work of a command that stores as it goes
    is timed from its first stored rows, whenever a loaded machine lets them come."""
    rng, seconds = series.rng, series.fastest or ref.seconds
    working = min(ref.startup, 0.8 * seconds)
    if rng.random() < 0.25:
        return Point(number, rng.uniform(0.0, working)), lambda: True
    if ref.stored is None:
        return Point(number, rng.uniform(working, 0.95 * seconds)), lambda: True
    point = Point(number, rng.uniform(0.0, 0.95 * (seconds - ref.stored)), "its first rows")
    return point, lambda: not command.state(target).startswith("before")


def _growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    # A set file is stored once per content: the reference stored the list's already.
    # The review's near-duplicate pairs are derived after the job completes; a kill in
    # between leaves them to the first review-queue request, which computes them.
    skip = {"audit_record", "audit_head", "hash_set_blob", "review_grouped", "review_near_pair"}
    return {name: after[name] - before[name] for name in after if name not in skip}


def _kill_point(command: Command, ref: Reference, number: int, target: str) -> None:
    series = command.series
    point, started = _when(series, command, ref, number, target)
    series.points.append(point)
    before, seq = series.counts(), series.audit_seq()
    series.kill_during(point, command.args(target), started)
    point.landed = command.state(target)
    if point.landed.startswith("after"):  # what is there is whole, not half of it
        _same(series, point, command.content(target), ref.content)
    else:  # part of it at most, and nothing wrong (the job's running totals aside)
        _within(series, point, command.content(target), ref.content)
    series.check_chain()
    point.recovery = command.recover(target, point.landed)
    series.check_scratch(point)
    _same(series, point, command.content(target), ref.content)
    assert _growth(before, series.counts()) == ref.growth, (series.where(), str(point))
    assert series.actions_since(seq) == ref.actions, (series.where(), str(point))
    series.check_chain()


def _same(series: Series, point: Point, got: dict[str, Rows], want: dict[str, Rows]) -> None:
    """The rows of a kill point equal the uninterrupted run's, or a message naming them."""
    if got != want:
        found = "\n  ".join(differences(got, want))
        pytest.fail(f"{series.where()} {point}: rows differ:\n  {found}", pytrace=False)


def _within(series: Series, point: Point, got: dict[str, Rows], want: dict[str, Rows]) -> None:
    """Every row a killed run left is one of the uninterrupted run's rows."""
    extra = {
        name: rows - want.get(name, Counter())
        for name, rows in got.items()
        if name != "ingest_job" and rows - want.get(name, Counter())
    }
    if extra:
        found = "\n  ".join(differences(extra, {}))
        pytest.fail(f"{series.where()} {point}: rows no run makes:\n  {found}", pytrace=False)


def _devices(series: Series, names: list[str], hash_list: Path | None) -> None:
    with series.db.session() as s:
        for name in names:
            add_device(s, name, "mobile phone")
        if hash_list is not None:
            import_hash_list(s, str(hash_list), name="L")


def _run_series(commands: Iterator[tuple[Command, Reference, str]], series: Series) -> None:
    for number, (command, ref, target) in enumerate(commands, 1):
        _kill_point(command, ref, number, target)
        if sum(p.killed for p in series.points) == KILLS:
            break
        assert number < 2 * KILLS, (series.where(), "most runs ended before their kill")
    series.finish()


@pytest.mark.slow
@pytest.mark.parametrize("which", ["ingest", "hashset import", "chats import"])
def test_kill_points(which: str, db_url: str, tmp_path: Path, kill_inputs: Inputs) -> None:
    kind = db_url.split(":", 1)[0]
    series = Series(f"{which} on {kind}", db_url, tmp_path)
    targets = [f"EV-{k}" for k in range(1, 2 * KILLS + 1)]
    if which == "hashset import":
        _devices(series, [], None)
        command = _hashset(series, kill_inputs.hash_list)
        ref = _reference(command)
        plan = ((command, ref, f"L-{k}") for k in range(1, 2 * KILLS + 1))
    elif which == "ingest":
        _devices(series, ["EV-ref", *targets], kill_inputs.hash_list)
        command = _ingest(series, kill_inputs.evidence)
        ref = _reference(command)
        series.files = sum(ref.content["evidence_file"].values())
        plan = ((command, ref, t) for t in targets)
    else:
        _devices(series, ["EV-ref-wa", "EV-ref-tg", *targets], kill_inputs.hash_list)
        exports = [(kill_inputs.whatsapp, "EV-ref-wa"), (kill_inputs.telegram, "EV-ref-tg")]
        both = [(c, _reference(c)) for c in (_chats(series, *e) for e in exports)]
        plan = ((*both[k % 2], t) for k, t in enumerate(targets))
    _run_series(plan, series)
