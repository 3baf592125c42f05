"""The sha1 kind: its text form and its hasher."""

from __future__ import annotations

import hashlib

import pytest

from phunt.hashing.kinds import KINDS


def test_sha1_text_is_40_hex_digits_lower_cased() -> None:
    kind = KINDS.get("sha1")
    assert kind.normalise("AB" * 20) == "ab" * 20
    with pytest.raises(ValueError, match="sha1 must be 40 hex digits"):
        kind.normalise("a" * 39)
    with pytest.raises(ValueError, match="sha1 is not hexadecimal"):
        kind.normalise("z" * 40)


def test_sha1_hasher_is_hashlibs() -> None:
    hasher = KINDS.get("sha1").new_hasher()
    assert hasher is not None
    hasher.update(b"evidence")
    assert hasher.hexdigest() == hashlib.sha1(b"evidence").hexdigest()
