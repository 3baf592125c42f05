"""The sha256 kind: its text form and its hasher."""

from __future__ import annotations

import hashlib

import pytest

from phunt.hashing.kinds import KINDS


def test_sha256_text_is_64_hex_digits_lower_cased() -> None:
    kind = KINDS.get("sha256")
    assert kind.normalise("AB" * 32) == "ab" * 32
    with pytest.raises(ValueError, match="sha256 must be 64 hex digits"):
        kind.normalise("a" * 63)
    with pytest.raises(ValueError, match="sha256 is not hexadecimal"):
        kind.normalise("z" * 64)


def test_sha256_hasher_is_hashlibs() -> None:
    hasher = KINDS.get("sha256").new_hasher()
    assert hasher is not None
    hasher.update(b"evidence")
    assert hasher.hexdigest() == hashlib.sha256(b"evidence").hexdigest()
