"""The scratch area: private, per process, removed at exit, and after a kill by the next
command; never another host's or a live process's folder."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from phunt import scratch


@pytest.fixture
def area(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh area chosen for this test; the process's earlier choice comes back after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    previous = scratch._area
    chosen = tmp_path / "home" / "scratch"
    scratch.use(str(chosen))
    yield chosen
    scratch._area = previous


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process of this user that is not this one."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _named(area: Path, pid: int, token: str, host: str | None = None) -> Path:
    path = area / f"{host or scratch.host_name()}-{pid}-{token}"
    path.mkdir(parents=True)
    (path / "phunt-open-x").mkdir()
    (path / "phunt-open-x" / "copy.bin").write_bytes(b"evidence copy")
    return path


def test_folder_is_private_named_and_removed_at_exit(area: Path) -> None:
    own = Path(scratch.folder())
    assert own.parent == area
    assert own.name.startswith(f"{scratch.host_name()}-{os.getpid()}-")
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert stat.S_IMODE(area.stat().st_mode) == 0o700
    assert scratch.folder() == str(own)  # one per process and area
    (own / "spool").write_bytes(b"x")
    scratch.remove_own()
    assert not own.exists()
    assert Path(scratch.folder()).is_dir()  # made again when needed


def test_stale_folders_of_dead_processes_only_are_removed(
    area: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    own = Path(scratch.folder())
    token = scratch.process_token(sleeper.pid) or "r0"
    live = _named(area, sleeper.pid, token)
    dead = _named(area, _dead_pid(), "12345")
    other_host = _named(area, _dead_pid(), "12345", host="lab.node7")
    foreign = area / "not-ours"
    foreign.mkdir()
    removed = scratch.remove_stale(str(area))
    assert removed == [str(dead)]
    assert live.is_dir() and other_host.is_dir() and foreign.is_dir() and own.is_dir()


@pytest.mark.skipif(scratch.process_token() is None, reason="no process start times here")
def test_a_reused_pid_does_not_keep_a_dead_process_folder(
    area: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    """Same pid, other start time: the process that made the folder is gone."""
    reused = _named(area, sleeper.pid, "1")
    assert scratch.remove_stale(str(area)) == [str(reused)]


def test_use_clears_the_area_and_the_user_cache(area: Path, tmp_path: Path) -> None:
    in_home = _named(area, _dead_pid(), "77")
    in_cache = _named(Path(scratch.user_area()), _dead_pid(), "78")
    removed = scratch.use(str(area))
    assert sorted(removed) == sorted([str(in_home), str(in_cache)])


def test_an_area_of_another_user_is_refused(
    area: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phunt.errors import UsageError

    scratch.use(str(tmp_path / "elsewhere"))
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(UsageError, match="not a folder of this user's"):
        scratch.folder()


@pytest.mark.parametrize("ending", ["", "raise RuntimeError('parser failed')"])
def test_a_process_removes_its_folder_when_it_ends_or_fails(tmp_path: Path, ending: str) -> None:
    area = tmp_path / "home" / "scratch"
    code = (
        "from phunt import scratch\n"
        f"scratch.use({str(area)!r})\n"
        "open(scratch.folder() + '/copy.bin', 'wb').write(b'x')\n"
        "print(scratch.folder(), flush=True)\n" + ending
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == (1 if ending else 0), done.stderr
    assert Path(done.stdout.strip()).parent == area
    assert list(area.iterdir()) == []


def _child_folder(queue: multiprocessing.Queue[str]) -> None:
    queue.put(scratch.folder())


def test_a_forked_worker_has_its_own_folder_and_removes_it(area: Path) -> None:
    own = scratch.folder()
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=_child_folder, args=(queue,))
    child.start()
    theirs = queue.get(timeout=30)
    child.join(30)
    assert Path(theirs).parent == area and theirs != own
    assert f"-{child.pid}-" in Path(theirs).name
    assert not os.path.exists(theirs)  # removed by the worker's finalizer
    assert os.path.isdir(own)


# -- a killed ingest ------------------------------------------------------------------------


def _picture() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").save(out, "PNG")
    return out.getvalue()


def _nested_zip(path: Path, big: int) -> None:
    """A zip holding an inner zip, which holds a picture and a large incompressible member
    (hashing it keeps the ingest busy while the inner zip's copy is in scratch)."""
    blob, inner = path.with_name("blob.bin"), path.with_name("inner.zip")
    with blob.open("wb") as out:
        for _ in range(big >> 20):
            out.write(os.urandom(1 << 20))
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("DCIM/gradient.png", _picture())
        zf.write(blob, "backup/blob.bin")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.write(inner, "phone/inner.zip")
    blob.unlink()
    inner.unlink()


def _phunt(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phunt", *args], capture_output=True, text=True, env=env
    )


def _spooled_files(area: Path) -> list[Path]:
    return [p for p in area.glob("*/*/*") if p.is_file()] if area.is_dir() else []


def test_killed_ingest_leaves_scratch_in_the_data_folder_until_the_next_command(
    tmp_path: Path, sleeper: subprocess.Popen[bytes], initialised_home: Path
) -> None:
    home = initialised_home
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    evidence = tmp_path / "phone.zip"
    _nested_zip(evidence, 64 << 20)
    env = dict(os.environ, TMPDIR=str(system_temp), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("PHUNT_HOME", None)
    added = _phunt(
        "device", "add", "--evidence", "EV-S", "--kind", "other", "--home", str(home), env=env
    )
    assert added.returncode == 0, added.stderr
    cmd = [sys.executable, "-m", "phunt", "ingest", str(evidence), "--device", "EV-S"]
    cmd += ["--workers", "1", "--no-pdq", "--home", str(home)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    area = home / "scratch"
    deadline = time.monotonic() + 120
    try:
        while not _spooled_files(area):
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    left = [p for p in area.iterdir()]
    assert [p.name.split("-")[1] for p in left] == [str(proc.pid)]
    assert stat.S_IMODE(area.stat().st_mode) == 0o700
    assert stat.S_IMODE(left[0].stat().st_mode) == 0o700
    assert _spooled_files(area)  # the inner zip's copy, left by the kill
    assert list(system_temp.iterdir()) == []  # nothing went to the shared temp folder

    live = _named(area, sleeper.pid, scratch.process_token(sleeper.pid) or "r0")
    listed = _phunt("device", "list", "--home", str(home), env=env)
    assert listed.returncode == 0, listed.stderr
    assert sorted(area.iterdir()) == [live]  # the dead ingest's copies went, the live kept


def test_a_killed_process_not_yet_reaped_has_ended() -> None:
    """A zombie still answers ``kill(pid, 0)``: its scratch and its locks are stale."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        assert not scratch.pid_running(child.pid)
        assert not scratch.is_alive(child.pid, "r0")
        assert scratch.pid_running(os.getpid())
    finally:
        child.wait()


def test_an_ingest_that_ends_leaves_no_scratch(tmp_path: Path, initialised_home: Path) -> None:
    """The listing process and the workers remove their copies: nothing waits for the
    next command (the listing process used to be ended before it had cleaned up)."""
    from test_lib import run_phunt

    archive = tmp_path / "ev.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as iz:
            iz.writestr("note.txt", "inner note\n")
        zf.writestr("inner.zip", inner.getvalue())
        for n in range(20):
            zf.writestr(f"f{n}.txt", f"file {n}\n")
    home = str(initialised_home)
    added = run_phunt("device", "add", "--evidence", "E1", "--kind", "laptop", "--home", home)
    assert added.returncode == 0, added.stderr
    done = run_phunt("ingest", str(archive), "--device", "E1", "--workers", "2", "--home", home)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "home" / "scratch").glob("*")) == []
