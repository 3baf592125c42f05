"""A name-keyed registry with a duplicate-name check.

Used for sources, hash algorithms, hash-list formats and chat parsers: each format is one
class in one file, registered under a unique name; registering a name twice is a
programming error caught at import time rather than a silent override.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from phunt.errors import UsageError

T = TypeVar("T")


class Registry(Generic[T]):
    """Ordered mapping of unique names to registered objects (usually classes)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: dict[str, T] = {}
        self._changes = 0

    @property
    def changes(self) -> int:
        """How many times an item was added or removed: a cheap key for derived caches."""
        return self._changes

    def register(self, name: str, item: T) -> T:
        """Add ``item`` under ``name``; raise ``ValueError`` if the name is taken."""
        if name in self._items:
            raise ValueError(f"{self._what} {name!r} is already registered")
        self._items[name] = item
        self._changes += 1
        return item

    def unregister(self, name: str) -> T:
        """Remove and return the item named ``name`` (a test's temporary registration)."""
        try:
            item = self._items.pop(name)
        except KeyError:
            raise ValueError(f"{self._what} {name!r} is not registered") from None
        self._changes += 1
        return item

    def get(self, name: str) -> T:
        """Return the item named ``name`` or raise :class:`UsageError` listing the choices."""
        try:
            return self._items[name]
        except KeyError:
            choices = ", ".join(sorted(self._items)) or "none"
            raise UsageError(f"unknown {self._what} {name!r} (choose from: {choices})") from None

    def names(self) -> list[str]:
        """Registered names in registration order."""
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return iter(list(self._items.items()))

    def __len__(self) -> int:
        return len(self._items)
