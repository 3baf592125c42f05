"""The md5 kind: its text form and its hasher."""

from __future__ import annotations

import hashlib

import pytest

from phunt.hashing.kinds import KINDS


def test_md5_text_is_32_hex_digits_lower_cased() -> None:
    kind = KINDS.get("md5")
    assert kind.normalise("AB" * 16) == "ab" * 16
    with pytest.raises(ValueError, match="md5 must be 32 hex digits"):
        kind.normalise("a" * 31)
    with pytest.raises(ValueError, match="md5 is not hexadecimal"):
        kind.normalise("z" * 32)


def test_md5_hasher_is_hashlibs() -> None:
    hasher = KINDS.get("md5").new_hasher()
    assert hasher is not None
    hasher.update(b"evidence")
    assert hasher.hexdigest() == hashlib.md5(b"evidence").hexdigest()
