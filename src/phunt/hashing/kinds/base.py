"""The contract of a hash kind, the one hex validator, and the registry of kinds.

A kind says everything phunt needs to know about one sort of hash: how its text looks and
is made canonical, how a file gets one (a digest kind brings its hashlib-style hasher; the
perceptual kinds come from the picture and video stages), which index holds it, and for a
perceptual kind its match threshold and quality rule. Adding a kind is one class in one
file, decorated with :func:`register`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar, Literal, Protocol, TypeVar

from phunt.registry import Registry

Index = Literal["exact", "pdq", "vpdq", "none"]
"""Which index of the match engine holds a kind's values ("none": kept, never matched)."""

Source = Literal["digest", "picture", "video", "none"]
"""Where a file's value comes from: the digest pass, the PDQ stage, the vPDQ stage, nowhere."""

_HEX = re.compile(r"[0-9a-fA-F]+")


class Hasher(Protocol):
    """What a digest kind's hasher offers, as :mod:`hashlib` objects do."""

    def update(self, data: bytes | memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_hex(kind: str, text: str, length: int) -> str:
    """``text`` lower-cased if it is ``length`` hex digits; else ``ValueError`` saying why.

    The one hex validator: hash lists, lookups and indexes all call it.
    """
    if len(text) != length:
        raise ValueError(
            f"{kind} must be {length} hex digits, got {len(text)} characters ({shorten(text)!r})"
        )
    if not _HEX.fullmatch(text):
        raise ValueError(f"{kind} is not hexadecimal: {shorten(text)!r}")
    return text.lower()


def is_hex(text: str) -> bool:
    """Whether ``text`` is nothing but hex digits (and not empty)."""
    return _HEX.fullmatch(text) is not None


class HashKind(ABC):
    """One kind of hash. Subclasses set the class attributes and ``normalise``."""

    name: ClassVar[str]
    description: ClassVar[str]
    label: ClassVar[str] = ""
    """How messages name the kind ("SHA-1"); the upper-cased name when empty."""
    hex_length: ClassVar[int | None] = None
    """Length of the text in hex digits, for fixed-length hex kinds (None otherwise)."""
    index: ClassVar[Index] = "none"
    source: ClassVar[Source] = "none"
    threshold: ClassVar[int | None] = None
    """Largest distance that still matches (inclusive); None for exact kinds."""
    quality_min: ClassVar[int | None] = None
    """Lowest quality a value needs to be near-matched; None when quality does not apply."""

    @property
    def title(self) -> str:
        """The kind as messages name it."""
        return self.label or self.name.upper()

    @property
    def matched(self) -> bool:
        """Whether files are matched against values of this kind."""
        return self.index != "none"

    @abstractmethod
    def normalise(self, text: str) -> str:
        """Validate ``text`` (already stripped, not empty); return its canonical form.

        Raises ``ValueError`` saying what is wrong; callers add the line or record.
        """

    def new_hasher(self) -> Hasher | None:
        """A fresh hasher when files are hashed by a digest pass; None otherwise."""
        return None

    def usable(self, quality: int | None) -> bool:
        """The quality rule: whether a value of this quality may be near-matched."""
        return self.quality_min is None or (quality or 0) >= self.quality_min


class HexKind(HashKind):
    """A kind written as a fixed number of hex digits."""

    hex_length: ClassVar[int | None]

    def normalise(self, text: str) -> str:
        assert self.hex_length is not None
        return check_hex(self.name, text, self.hex_length)


class DigestKind(HexKind):
    """A cryptographic (or any byte-stream) digest, computed in the one read pass."""

    index: ClassVar[Index] = "exact"
    source: ClassVar[Source] = "digest"

    @abstractmethod
    def new_hasher(self) -> Hasher:
        """A fresh hashlib-style hasher."""

    @property
    def width(self) -> int:
        """Bytes of one digest, as the exact index stores it."""
        assert self.hex_length is not None
        return self.hex_length // 2


KINDS: Registry[HashKind] = Registry("hash kind")
"""Every hash kind phunt knows, by name, in registration order."""

K = TypeVar("K", bound=type[HashKind])


def register(cls: K) -> K:
    """Class decorator: register one instance of ``cls`` under its ``name``."""
    KINDS.register(cls.name, cls())
    return cls
