"""The kind contract, the one hex validator and the registry's duplicate check."""

from __future__ import annotations

from typing import ClassVar

import pytest

from phunt.hashing.kinds import KINDS, HashKind, HexKind, check_hex, register
from phunt.hashing.kinds.base import Index


def test_check_hex_lower_cases_and_says_what_is_wrong() -> None:
    assert check_hex("md5", "AB" * 16, 32) == "ab" * 16
    with pytest.raises(ValueError, match=r"md5 must be 32 hex digits, got 31 characters"):
        check_hex("md5", "a" * 31, 32)
    with pytest.raises(ValueError, match="md5 is not hexadecimal"):
        check_hex("md5", "g" * 32, 32)


def test_a_second_kind_with_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="hash kind 'md5' is already registered"):

        @register
        class Again(HexKind):
            name = "md5"
            description = "a second MD5"
            hex_length = 32

    assert type(KINDS.get("md5")).__name__ == "Md5Kind"


def test_the_quality_rule_applies_only_with_a_minimum() -> None:
    class Rated(HashKind):
        name = "rated"
        description = "test"
        index: ClassVar[Index] = "pdq"
        quality_min: ClassVar[int | None] = 50

        def normalise(self, text: str) -> str:
            return text

    rated = Rated()
    assert rated.matched and rated.title == "RATED"
    assert rated.usable(50) and not rated.usable(49) and not rated.usable(None)
    assert KINDS.get("md5").usable(None) and KINDS.get("md5").new_hasher() is not None


def test_built_in_kinds_in_order_with_their_index_and_source() -> None:
    facts = [(n, k.index, k.source, k.hex_length) for n, k in KINDS]
    assert facts == [
        ("md5", "exact", "digest", 32),
        ("sha1", "exact", "digest", 40),
        ("sha256", "exact", "digest", 64),
        ("pdq", "pdq", "picture", 64),
        ("vpdq", "vpdq", "video", None),
        ("photodna", "none", "none", None),
    ]
