"""Shrink a finding to a small input that fails the same way.

``python -m fuzz.minimise TARGET IN OUT [SECONDS]`` (SECONDS: minimise a hang).

Delta debugging over bytes: drop ever smaller chunks while the target still raises an
exception of the same type at the same place (``fuzz.child._key``). Hypothesis already
shrinks what it finds, but only towards the seeds; this cuts what the bug does not need.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fuzz.child import _key
from fuzz.targets import BY_NAME, Target, prepare, scratch_dir


def failure(target: Target, data: bytes, scratch: Path) -> str | None:
    """The key of the exception ``data`` lets through, or None when it is handled."""
    try:
        target.run(data, scratch)
    except Exception as exc:
        return _key(exc)
    return None


def minimise(target: Target, data: bytes) -> bytes:
    scratch = scratch_dir()
    try:
        prepare(target, scratch)
        key = failure(target, data, scratch)
        if key is None:
            raise SystemExit("the input does not fail")
        chunk = len(data) // 2
        while chunk >= 1:
            at, shrunk = 0, False
            while at < len(data):
                candidate = data[:at] + data[at + chunk :]
                if candidate and failure(target, candidate, scratch) == key:
                    data, shrunk = candidate, True
                else:
                    at += chunk
            if not shrunk:
                chunk //= 2
        print(f"{len(data)} bytes, {key}")
        return data
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def hangs(target: Target, data: bytes, seconds: float) -> bool:
    """Whether ``target`` is still running on ``data`` after ``seconds`` (in a child
    process, as C code stuck in a loop cannot be interrupted from Python)."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as held:
        held.write(data)
        held.flush()
        code = (
            "import sys, pathlib; from fuzz.targets import BY_NAME, scratch_dir;"
            f"BY_NAME[{target.name!r}].run(pathlib.Path(sys.argv[1]).read_bytes(), scratch_dir())"
        )
        try:
            subprocess.run([sys.executable, "-c", code, held.name], timeout=seconds, check=False)
        except subprocess.TimeoutExpired:
            return True
    return False


def minimise_hang(target: Target, data: bytes, seconds: float) -> bytes:
    """Zero ever smaller blocks (offsets stay put, as file systems need) while it still hangs."""
    if not hangs(target, data, seconds):
        raise SystemExit("the input does not hang")
    block = 1 << (len(data).bit_length() - 2)
    while block >= 16:
        for at in range(0, len(data), block):
            if not any(data[at : at + block]):
                continue
            candidate = data[:at] + bytes(len(data[at : at + block])) + data[at + block :]
            if hangs(target, candidate, seconds):
                data = candidate
        block //= 2
    while data and not data[-1] and hangs(target, data.rstrip(b"\0"), seconds):
        data = data.rstrip(b"\0")
    print(f"{len(data)} bytes, {sum(1 for b in data if b)} non-zero, hangs past {seconds:g} s")
    return data


if __name__ == "__main__":
    name, source, out = sys.argv[1:4]
    raw = Path(source).read_bytes()
    if len(sys.argv) > 4:  # a hang: python -m fuzz.minimise TARGET IN OUT SECONDS
        Path(out).write_bytes(minimise_hang(BY_NAME[name], raw, float(sys.argv[4])))
    else:
        Path(out).write_bytes(minimise(BY_NAME[name], raw))
