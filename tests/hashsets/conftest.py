"""Shared fixtures for the hash-list tests: the fixture folder and its synthetic hashes."""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "test_data" / "hashsets"

Digest = Callable[[str, int], str]


def _digest(kind: str, n: int) -> str:
    """The hashes make_fixtures.py wrote: digests of invented strings."""
    if kind == "pdq":
        return hashlib.sha256(f"phunt pdq {n}".encode()).hexdigest()
    if kind == "photodna":
        raw = hashlib.shake_256(f"phunt photodna {n}".encode()).digest(144)
        return base64.b64encode(raw).decode("ascii")
    if kind == "crc32":
        return f"{zlib.crc32(f'phunt fixture {n}'.encode()):08X}"
    return hashlib.new(kind, f"phunt fixture {n}".encode()).hexdigest()


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def digest() -> Digest:
    return _digest
