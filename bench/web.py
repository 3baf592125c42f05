"""Benchmark the web workspace: 50 concurrent clients against ``phunt serve`` on 127.0.0.1.

The database is the seed's operation (bench/web_seed.py: 326 raids, 268 cases, 285
devices, 500,000 files, 50,000 matches, 200 groups with 20,000 members), kept in
bench/.cache/web between runs and made again when its sizes or the schema change. For
each database (SQLite, PostgreSQL) and each ``--workers`` count, ``phunt serve`` is started;
each of the 50 users logs in as the supervisor through the login form (its own session
cookie, for the pages) and has a personal API token of its own (for the API), as 50
people would; after a warm-up that is not counted, each URL is timed alone with one
client, then the clients run the mix for a fixed time, two ways:

* closed loop (saturation): every client sends its next request as soon as the last one
  is answered, so the figures are the server's capacity and its latency when full;
* 50 users with think time: each waits 0.5 to 1.5 s (uniform, mean 1 s) between requests,
  a team working at once; the acceptance figure (p95 under 200 ms on PostgreSQL).

Each client cycles through the same mix of pages and API calls, starting at a different
point; every answer must be 200. The peer is a static file served by the same app and
uvicorn (the floor: what a request costs with no database and no template), measured in
the mix (its latency is the queueing any request meets) and alone (the server's ceiling).
Server CPU is the CPU time of phunt's processes and, on PostgreSQL, of the database
backends serving them, during the measured window; the load generator's own CPU (it shares
the machine) is given too.

    PYTHONPATH=src .venv/bin/python bench/web.py            # writes bench/results/web.md
    PYTHONPATH=src .venv/bin/python bench/web.py --quick    # small database, short runs
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from sqlalchemy.pool import NullPool

import web_seed
from _common import RESULTS_DIR, cache_dir, facts_table, table

POSTGRES_URL = os.environ.get("PHUNT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
APP_NAME = "phunt-bench-web"
#: Bump when the seeder changes what it writes, so a cached database is made again.
SEED_VERSION = 2
TIMEOUT = 60.0


@dataclass(frozen=True)
class Target:
    """One URL of the mix; ``auth`` is how it is reached (``cookie``, ``token`` or none)."""

    name: str
    path: str
    auth: str


#: The headers a client sends for each way of reaching a URL (``Target.auth``).
Auth = dict[str, dict[str, str]]


@dataclass
class Sample:
    """What one endpoint saw in one measured window."""

    times: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Window:
    """One measured run: per-endpoint samples, wall time and CPU."""

    database: str
    workers: int
    mode: str
    seconds: float
    samples: dict[str, Sample]
    server_cpu: float
    db_cpu: float
    client_cpu: float
    #: The machine's 1-minute load average at the end (other jobs share the cores).
    load: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(s.times) for s in self.samples.values())


def mix(seeded: web_seed.Seeded) -> list[Target]:
    """The pages and API calls each client cycles through."""
    op = seeded.operation_id
    device = seeded.devices[0][0]
    return [
        Target("dashboard page", f"/dashboard?operation={op}", "cookie"),
        Target("device page", f"/devices/{device}", "cookie"),
        Target("API operation stats", f"/api/v1/operations/{op}/stats?by=district", "token"),
        Target("API device", f"/api/v1/devices/{device}", "token"),
        Target("API files of device", f"/api/v1/files?device={device}", "token"),
        Target("static file (floor)", STATIC, ""),
    ]


STATIC = "/static/css/phunt.css"


# -- the database ------------------------------------------------------------------------


def prepared(kind: str, sizes: web_seed.Sizes, fresh: bool) -> web_seed.Seeded:
    """The seeded database of ``kind``, from the cache when it matches, else made now."""
    from phunt.schema.db import head_revision

    tag = "full" if sizes == web_seed.Sizes() else f"{sizes.files}"
    folder = cache_dir("web")
    manifest = folder / f"{kind}-{tag}.json"
    want = {"seed_version": SEED_VERSION, "revision": head_revision(), "sizes": sizes.__dict__}
    if manifest.exists() and not fresh:
        stored = json.loads(manifest.read_text(encoding="utf-8"))
        if stored.get("want") == want:
            return web_seed.Seeded(**stored["seeded"])
    manifest.unlink(missing_ok=True)  # a seed that fails half-way is never reused
    if kind == "sqlite":
        url = web_seed.empty_database(f"sqlite:///{folder / tag / 'phunt.db'}")
    else:
        url = web_seed.empty_database(POSTGRES_URL, f"bench_web_{tag}")
    print(f"bench web: seeding {kind} ({sizes.files:,} files)...", flush=True)
    seeded = web_seed.seed(url, sizes)
    manifest.write_text(json.dumps({"want": want, "seeded": seeded.__dict__}), encoding="utf-8")
    return seeded


def api_tokens(url: str, user: str, count: int) -> list[str]:
    """``count`` new personal API tokens of ``user``, through the accounts service."""
    from phunt.accounts import store as accounts
    from phunt.audit.store import acting_as
    from phunt.schema.db import Database

    db = Database(url)
    try:
        with acting_as("bench-web"), db.session() as session:
            return [str(accounts.new_token(session, user)) for _ in range(count)]
    finally:
        db.close()


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(url: str, workers: int, work: Path) -> Iterator[tuple[str, psutil.Process]]:
    """``phunt serve`` on a free port of 127.0.0.1 until the block ends (its data folder,
    cache and log in ``work``); its base URL and process. PostgreSQL connections carry an
    application name, so their backends can be told apart from other users of the server."""
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + f"application_name={APP_NAME}"
    port = free_port()
    home = work / "home"
    env = dict(os.environ, PHUNT_CACHE=str(work / "phunt-cache"))
    cmd = [sys.executable, "-m", "phunt", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--home", str(home), "--db", url]
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"phunt serve ended with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("phunt serve did not answer within 60 s") from None
                time.sleep(0.3)
        yield base, psutil.Process(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class _Stay(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to look at, not to follow."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def login_cookie(base: str, user: str, password: str) -> str:
    """Log in through the login form as a browser does; the ``Cookie`` header it earns
    (a 303 to anywhere but the login page is a success)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _Stay())
    with opener.open(base + "/login", timeout=TIMEOUT) as answer:
        form = answer.read().decode()
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields |= {"name": user, "password": password}
    try:
        opener.open(base + "/login", data=urllib.parse.urlencode(fields).encode(), timeout=TIMEOUT)
    except urllib.error.HTTPError as answer:
        where = answer.headers.get("Location", "")
        if answer.code == 303 and not where.startswith("/login"):
            return "; ".join(f"{c.name}={c.value}" for c in jar)
        raise RuntimeError(f"login as {user} failed ({answer.code} to {where!r})") from None
    raise RuntimeError(f"login as {user} failed (the form was shown again)")


def cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


class DatabaseCpu:
    """CPU time of the PostgreSQL backends serving ``phunt serve`` while the block runs
    (0 for SQLite, which runs inside the workers). The pool opens and closes connections
    as the load varies, so the backends are looked up and read every half second: a
    backend that ends between two readings loses at most that half second."""

    def __init__(self, url: str, nice: int | None = None) -> None:
        self.url, self.seconds, self.nice = url, 0.0, nice
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> DatabaseCpu:
        if self.url.startswith("postgresql"):
            from phunt.schema.db import make_engine

            self.engine = make_engine(self.url, poolclass=NullPool)
            self.read(first=True)
            self.thread = threading.Thread(target=self.sample, daemon=True)
            self.thread.start()
        return self

    def read(self, first: bool = False) -> None:
        from sqlalchemy import text

        query = text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
        with self.engine.connect() as conn:
            pids = conn.scalars(query, {"name": APP_NAME}).all()
        for pid in pids:
            try:
                backend = psutil.Process(pid)
                if self.nice is not None and pid not in self.last:
                    backend.nice(self.nice)
                times = backend.cpu_times()
            except psutil.Error:
                continue
            self.last[pid] = times.user + times.system
            self.first.setdefault(pid, self.last[pid] if first else 0.0)

    def sample(self) -> None:
        while not self.stop.wait(0.5):
            self.read()

    def __exit__(self, *_exc: object) -> None:
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
            self.read()
            self.engine.dispose()
        self.seconds = sum(cpu - self.first[pid] for pid, cpu in self.last.items())


# -- the clients -------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection: a request written, its whole answer read. A
    plain client on asyncio streams costs the shared machine far less CPU per request
    than a full HTTP library, so more of it is left to the server being measured."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, int]:
        """Status and body length of ``GET path``."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        size = 0
        if "content-length" in fields:
            size = len(await self.reader.readexactly(int(fields["content-length"])))
        elif fields.get("transfer-encoding") == "chunked":
            while chunk := int((await self.reader.readline()).split(b";")[0], 16):
                size += len(await self.reader.readexactly(chunk + 2)) - 2
            await self.reader.readline()
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, size

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def client(
    n: int,
    base: str,
    targets: Sequence[Target],
    auth: Auth,
    until: float,
    think: float,
    samples: dict[str, Sample] | None,
) -> None:
    """One user: the mix from its own starting point, until ``until`` (no request starts
    later); latencies go into ``samples`` (none during a warm-up)."""
    host, port = urllib.parse.urlsplit(base).hostname or "", urllib.parse.urlsplit(base).port
    conn, rng = Connection(host, port or 80), random.Random(n)
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # users do not all start at once
    i = n
    while time.perf_counter() < until:
        target = targets[i % len(targets)]
        i += 1
        start = time.perf_counter()
        try:
            status, _size = await asyncio.wait_for(
                conn.get(target.path, auth[target.auth]), TIMEOUT
            )
            error = None if status == 200 else f"HTTP {status}"
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            error = type(exc).__name__
            await conn.close()
        elapsed = time.perf_counter() - start
        if samples is not None:
            sample = samples[target.name]
            if error is None:
                sample.times.append(elapsed)
            else:
                sample.errors[error] = sample.errors.get(error, 0) + 1
        if think:
            pause = rng.uniform(0.5 * think, 1.5 * think)
            if time.perf_counter() + pause >= until:
                break  # the window ends while this user thinks
            await asyncio.sleep(pause)
    await conn.close()


def run_clients(
    base: str,
    targets: Sequence[Target],
    auth: Sequence[Auth],
    clients: int,
    seconds: float,
    think: float,
    measured: bool = True,
) -> tuple[dict[str, Sample], float]:
    """``clients`` users for ``seconds``; their samples and the wall time until the last
    answer."""
    samples = {t.name: Sample() for t in targets} if measured else None

    async def all_clients() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                client(n, base, targets, auth[n % len(auth)], until, think, samples)
                for n in range(clients)
            )
        )

    start = time.perf_counter()
    asyncio.run(all_clients())
    return samples or {}, time.perf_counter() - start


# -- one server, measured ----------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How long and how hard."""

    clients: int = 50
    seconds: float = 30.0
    warmup: float = 5.0
    think: float = 1.0
    think_seconds: float = 60.0
    solo_seconds: float = 5.0
    #: When set, the server, its PostgreSQL backends and the clients run at this nice
    #: value (below 0 needs root): ahead of the other jobs of a shared machine, as if
    #: the machine were theirs.
    nice: int | None = None


def credentials(base: str, seeded: web_seed.Seeded, count: int) -> list[Auth]:
    """What ``count`` users send: each a session of its own (logged in through the form)
    and a token of its own, as the supervisor; a shared one would make every request
    wait for the others' writes to that one row."""
    user, password = "bench-supervisor", seeded.passwords["supervisor"]
    tokens = api_tokens(seeded.url, user, count)
    return [
        {
            "cookie": {"Cookie": login_cookie(base, user, password)},
            "token": {"Authorization": f"Bearer {token}"},
            "": {},
        }
        for token in tokens
    ]


def measure(
    kind: str, seeded: web_seed.Seeded, workers: int, plan: Plan, work: Path
) -> list[Window]:
    """Start the server, check every URL of the mix answers 200, warm up, then measure the
    closed loop, the users with think time, and the static file alone."""
    targets = mix(seeded)
    with serving(seeded.url, workers, work) as (base, server):
        auth = credentials(base, seeded, plan.clients)
        own = os.getpriority(os.PRIO_PROCESS, 0)
        if plan.nice is not None:
            os.setpriority(os.PRIO_PROCESS, 0, plan.nice)
            for process in tree(server):
                process.nice(plan.nice)
        for target in targets:
            samples, _ = run_clients(base, [target], auth, 1, 0.0, 0.0)
            if samples[target.name].errors:
                raise RuntimeError(f"{target.path}: {samples[target.name].errors}")
        run_clients(base, targets, auth, plan.clients, plan.warmup, 0.0, measured=False)
        runs = [(f"alone, 1 client: {t.name}", [t], plan.solo_seconds, 0.0, 1) for t in targets]
        runs += [
            ("closed loop", targets, plan.seconds, 0.0, plan.clients),
            (f"think {plan.think:g} s", targets, plan.think_seconds, plan.think, plan.clients),
            ("static file alone, closed loop", targets[-1:], plan.solo_seconds, 0.0, plan.clients),
        ]
        windows = []
        for mode, chosen, seconds, think, clients in runs:
            with DatabaseCpu(seeded.url, plan.nice) as db_cpu:
                processes = tree(server)
                server_before, client_before = cpu_seconds(processes), time.process_time()
                samples, wall = run_clients(base, chosen, auth, clients, seconds, think)
                client_cpu = time.process_time() - client_before
                server_cpu = cpu_seconds(tree(server)) - server_before
            windows.append(
                Window(
                    kind,
                    workers,
                    mode if plan.nice is None else f"{mode}, nice {plan.nice}",
                    wall,
                    samples,
                    server_cpu,
                    db_cpu.seconds,
                    client_cpu,
                    os.getloadavg()[0],
                )
            )
            print(f"bench web: {kind}, {workers} worker(s), {mode}: {windows[-1].requests:,}")
        os.setpriority(os.PRIO_PROCESS, 0, own)
    return windows


# -- the report --------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds == seconds else "n/a"


LATENCY_COLUMNS: tuple[str, ...] = ("database", "workers", "load", "endpoint", "requests")
LATENCY_COLUMNS += ("req/s", "p50", "p95", "p99", "max", "errors")
CPU_COLUMNS: tuple[str, ...] = ("database", "workers", "load", "requests", "req/s")
CPU_COLUMNS += ("server CPU s", "database CPU s", "busy", "CPU ms / request", "client CPU s")
CPU_COLUMNS += ("load average",)


def latency_rows(windows: Sequence[Window]) -> list[list[object]]:
    rows: list[list[object]] = []
    for w in windows:
        for name, s in w.samples.items():
            errors = ", ".join(f"{k} x{v}" for k, v in s.errors.items()) or "0"
            rows.append(
                [w.database, w.workers, w.mode, name, f"{len(s.times):,}"]
                + [f"{len(s.times) / w.seconds:,.1f}"]
                + [ms(s.percentile(p)) for p in (50, 95, 99)]
                + [ms(max(s.times, default=float("nan"))), errors]
            )
    return rows


def cpu_rows(windows: Sequence[Window]) -> list[list[object]]:
    cores = os.cpu_count() or 1
    rows: list[list[object]] = []
    for w in windows:
        server = w.server_cpu + w.db_cpu
        rows.append(
            [
                w.database,
                w.workers,
                w.mode,
                f"{w.requests:,}",
                f"{w.requests / w.seconds:,.1f}",
                f"{w.server_cpu:.1f}",
                f"{w.db_cpu:.1f}" if w.database != "sqlite" else "-",
                f"{100 * server / w.seconds / cores:.0f} %",
                f"{1000 * server / max(1, w.requests):.1f}",
                f"{w.client_cpu:.1f}",
                f"{w.load:.1f}",
            ]
        )
    return rows


ACCEPTED = ("dashboard page", "API operation stats", "API device", "API files of device")


def verdict(windows: Sequence[Window]) -> list[str]:
    """The acceptance line: p95 under 200 ms on PostgreSQL with 50 clients, per run."""
    lines = []
    for w in windows:
        if w.database != "postgresql" or w.mode.startswith(("static", "alone")):
            continue
        measured = [n for n in ACCEPTED if n in w.samples]
        if not measured:
            continue
        worst = max(measured, key=lambda n: w.samples[n].percentile(95))
        p95 = w.samples[worst].percentile(95)
        met = "met" if p95 < 0.2 else "NOT met"
        lines.append(
            f"- PostgreSQL, {w.workers} worker(s), {w.mode}: {met} (slowest p95: {worst}, "
            f"{ms(p95)} ms)"
        )
    return lines


def report(
    windows: Sequence[Window],
    seeded: dict[str, web_seed.Seeded],
    plan: Plan,
    notes: Sequence[str],
    facts: Sequence[str] = (),
) -> str:
    """The Markdown of bench/results/web.md."""
    kinds = list(seeded)
    counts = sorted({t for s in seeded.values() for t in s.counts})
    size_rows = [[t, *(f"{seeded[k].counts.get(t, 0):,}" for k in kinds)] for t in counts]
    size_rows.append(["seeding time (s)", *(f"{seeded[k].seconds:,.0f}" for k in kinds)])
    device, files = next(iter(seeded.values())).devices[0]
    lines = [
        "# Web workspace benchmark",
        "",
        (__doc__ or "").split("\n\n    PYTHONPATH")[0].split("\n", 1)[1].strip(),
        "",
        "## Machine",
        "",
        *(facts or [facts_table()]),
        "",
        "## Database",
        "",
        f"Rows per table, as bench/web_seed.py wrote them; the device measured is #{device}, "
        f"the largest ({files:,} stored files).",
        "",
        table(["table", *kinds], size_rows),
        "",
        "## Latency and throughput per endpoint",
        "",
        f"After a {plan.warmup:g} s warm-up that is not counted: each URL alone with one "
        f"client ({plan.solo_seconds:g} s: the time it takes when nothing waits), then "
        f"{plan.clients} clients on the mix, closed loop ({plan.seconds:g} s) and with "
        f"think time ({plan.think_seconds:g} s), then the static file alone with "
        f"{plan.clients} clients ({plan.solo_seconds:g} s). Times in ms; requests/s is that "
        "endpoint's share of the window.",
        "",
        table(
            LATENCY_COLUMNS,
            latency_rows(windows),
        ),
        "",
        "## CPU",
        "",
        "Server CPU: phunt serve's processes (uvicorn and its workers); database: the "
        "PostgreSQL backends serving them (SQLite runs inside the workers); busy: both over "
        "the window, as a share of all cores; client: this script's load generator, on the "
        "same machine; load average: the machine's (1 minute) at the window's end, other "
        "jobs included.",
        "",
        table(
            CPU_COLUMNS,
            cpu_rows(windows),
        ),
        "",
        "## Acceptance: p95 under 200 ms for the dashboard and the API on PostgreSQL",
        "",
        *verdict(windows),
        "",
        *notes,
    ]
    return "\n".join(lines).rstrip() + "\n"


def versions(seeded: dict[str, web_seed.Seeded]) -> list[str]:
    import sqlite3

    import fastapi
    import starlette
    import uvicorn
    from sqlalchemy import text

    from phunt.schema.db import make_engine

    found = [f"FastAPI {fastapi.__version__}, Starlette {starlette.__version__}"]
    found += [f"uvicorn {uvicorn.__version__}", f"SQLite {sqlite3.sqlite_version}"]
    if "postgresql" in seeded:
        engine = make_engine(seeded["postgresql"].url)
        with engine.connect() as conn:
            found.append(f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}")
        engine.dispose()
    return found


def save_run(
    path: Path,
    windows: Sequence[Window],
    seeded: dict[str, web_seed.Seeded],
    plan: Plan,
    found: list[str],
) -> None:
    """The run's figures, so its report can be written again (``--again``)."""
    run = {
        "windows": [dataclasses.asdict(w) for w in windows],
        "seeded": {k: dataclasses.asdict(v) for k, v in seeded.items()},
        "plan": dataclasses.asdict(plan),
        "found": found,
    }
    path.write_text(json.dumps(run), encoding="utf-8")


def load_run(
    path: Path,
) -> tuple[list[Window], dict[str, web_seed.Seeded], Plan, list[str]]:
    run = json.loads(path.read_text(encoding="utf-8"))
    windows = []
    for w in run["windows"]:
        w["samples"] = {k: Sample(**v) for k, v in w["samples"].items()}
        windows.append(Window(**w))
    seeded = {k: web_seed.Seeded(**v) for k, v in run["seeded"].items()}
    return windows, seeded, Plan(**run["plan"]), list(run["found"])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small database, short runs, no file")
    parser.add_argument("--scale", type=float, default=None, help="database size (1.0: the seed's)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="phunt serve --workers values")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="each measured window")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--fresh", action="store_true", help="seed again even if cached")
    parser.add_argument(
        "--also-nice",
        type=int,
        default=None,
        metavar="N",
        help="then again on PostgreSQL with the server, its backends and the clients at nice N",
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--notes", type=Path, help="Markdown added at the end of the report")
    parser.add_argument(
        "--again",
        action="store_true",
        help="write the report of the last run again (with --notes) without measuring",
    )
    args = parser.parse_args()
    plan = Plan(args.clients, args.seconds, 5.0, args.think, 2 * args.seconds, 5.0)
    scale = args.scale if args.scale is not None else 1.0
    workers = [int(w) for w in args.workers.split(",")]
    if args.quick:
        scale = min(scale, 0.01)
        plan = Plan(min(args.clients, 10), 3.0, 1.0, 0.2, 3.0, 1.0)
        workers = workers[:1]
    elif args.out is None:
        args.out = RESULTS_DIR / "web.md"
    last = cache_dir("web") / ("last-quick.json" if args.quick else "last.json")
    if args.again:
        windows, seeded, plan, found = load_run(last)
    else:
        facts = facts_table().splitlines()  # the load average before the run
        sizes = web_seed.Sizes.at(scale)
        kinds = args.databases.split(",")
        seeded = {kind: prepared(kind, sizes, args.fresh) for kind in kinds}
        windows = []
        for kind, db in seeded.items():
            for count in workers:
                windows += measure(kind, db, count, plan, cache_dir("web"))
        if args.also_nice is not None and "postgresql" in seeded:
            ahead = dataclasses.replace(plan, nice=args.also_nice)
            for count in workers:
                windows += measure(
                    "postgresql", seeded["postgresql"], count, ahead, cache_dir("web")
                )
        found = [*facts, "", *(f"- {v}" for v in versions(seeded))]
        save_run(last, windows, seeded, plan, found)
    notes = ["## Versions", "", *found[found.index("") + 1 :]]
    if args.notes:
        notes += ["", args.notes.read_text(encoding="utf-8")]
    text = report(windows, seeded, plan, notes, found[: found.index("")])
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
