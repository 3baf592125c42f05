"""Shrink a finding to a small input that fails the same way.

``python -m fuzz.minimise TARGET IN OUT``.

Delta debugging over bytes: drop ever smaller chunks while the target still raises an
exception of the same type at the same place (``fuzz.child._key``). Hypothesis already
shrinks what it finds, but only towards the seeds; this cuts what the bug does not need.
"""

from __future__ import annotations

import shutil
import sys
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


if __name__ == "__main__":
    name, source, out = sys.argv[1:4]
    Path(out).write_bytes(minimise(BY_NAME[name], Path(source).read_bytes()))
