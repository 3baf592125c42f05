"""Hash kinds: one class per kind in one file, all registered in :data:`KINDS`.

Everything else that needs to know the kinds reads them from here, live, so a kind
registered later (a test's toy kind, a plug-in) is known everywhere at once: the hash-list
validation (:data:`HASH_KINDS`), the digest pass (:func:`digest_kinds`), the exact index
(:data:`EXACT_WIDTHS`), bare-hex guessing (:data:`KIND_BY_HEX_LENGTH`), and the PDQ rules
(:func:`pdq_threshold`, :func:`pdq_quality_min`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from phunt.hashing.kinds.base import (
    KINDS,
    DigestKind,
    Hasher,
    HashKind,
    HexKind,
    check_hex,
    is_hex,
    register,
)

__all__ = [
    "DIGEST_LENGTHS",
    "EXACT_WIDTHS",
    "HASH_KINDS",
    "KINDS",
    "KIND_BY_HEX_LENGTH",
    "DigestKind",
    "HashKind",
    "Hasher",
    "HexKind",
    "check_hex",
    "digest_kinds",
    "either",
    "hex_kinds",
    "hex_titles",
    "is_hex",
    "pdq_quality_min",
    "pdq_threshold",
    "register",
]

BUILT_IN = ("md5", "sha1", "sha256", "pdq", "vpdq", "photodna")
"""The kinds phunt ships, one module each, registered in this order (the order in which
a file's digests are looked up and its matches reported)."""

for _module in BUILT_IN:
    importlib.import_module(f"{__name__}.{_module}")

K = TypeVar("K")
V = TypeVar("V")


class _LiveView(Mapping[K, V]):
    """A read-only mapping computed from the registry at each use, never a stale copy."""

    def __init__(self, build: Callable[[], dict[K, V]]) -> None:
        self._build = build

    def __getitem__(self, key: K) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return repr(self._build())


_digests: tuple[int, tuple[DigestKind, ...]] = (-1, ())


def digest_kinds() -> tuple[DigestKind, ...]:
    """Kinds the one read pass computes, in registration order (recomputed on a change)."""
    global _digests
    changes, found = _digests
    if changes != KINDS.changes:
        found = tuple(kind for _name, kind in KINDS if isinstance(kind, DigestKind))
        _digests = (KINDS.changes, found)
    return found


def hex_kinds() -> list[HashKind]:
    """Kinds written as a fixed number of hex digits (digests and PDQ)."""
    return [kind for _name, kind in KINDS if kind.hex_length is not None]


def either(words: list[str]) -> str:
    """``a, b or c``, for messages."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def hex_titles() -> str:
    """The matched hex kinds as messages name them: ``MD5, SHA-1, SHA-256 or PDQ``."""
    return either([k.title for k in hex_kinds() if k.matched])


def _widths() -> dict[str, int]:
    return {k.name: k.width for k in digest_kinds() if k.index == "exact"}


def _by_length() -> dict[int, str]:
    out: dict[int, str] = {}
    for kind in digest_kinds():
        assert kind.hex_length is not None
        out.setdefault(kind.hex_length, kind.name)
    return out


HASH_KINDS: Mapping[str, HashKind] = _LiveView(lambda: dict(KINDS))
"""Every registered kind by name."""

DIGEST_LENGTHS: Mapping[str, int] = _LiveView(
    lambda: {k.name: k.hex_length for k in digest_kinds() if k.hex_length is not None}
)
"""Kinds the digest pass computes, with their length in hex digits."""

EXACT_WIDTHS: Mapping[str, int] = _LiveView(_widths)
"""Kinds the exact index holds, with their width in bytes."""

KIND_BY_HEX_LENGTH: Mapping[int, str] = _LiveView(_by_length)
"""Kind of a bare hex digest by its length: the first digest kind registered with it
(so 64 digits read as SHA-256; PDQ only when the caller says so)."""


def pdq_threshold() -> int:
    """The PDQ match distance (inclusive) every command uses unless told otherwise."""
    value = KINDS.get("pdq").threshold
    assert value is not None
    return value


def pdq_quality_min() -> int:
    """The PDQ quality below which a picture (or a video frame) is not near-matched."""
    value = KINDS.get("pdq").quality_min
    assert value is not None
    return value
