"""The contract every evidence source fulfils.

A source walks one piece of evidence (a folder, an archive, a disk image) and yields
:class:`Entry` objects. Unreadable items are yielded too, with ``error`` set to the reason,
so the caller can record every skip. Sources only ever open evidence read-only.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, ClassVar

from phunt.sources.locator import Locator, open_locator

#: Separator between a container and a path inside it, as in ``disk.E01!/p1/a.jpg``.
CONTAINER_SEP = "!"


def join_container_path(container: str, inner: str) -> str:
    """Name ``inner`` (a path inside ``container``) the way examiners read it."""
    return f"{container}{CONTAINER_SEP}/{inner.lstrip('/')}"


def display_path(raw: str | bytes) -> str:
    """A printable path: names that are not valid UTF-8 keep their bytes as ``\\xNN``."""
    data = raw if isinstance(raw, bytes) else os.fsencode(raw)
    return data.decode("utf-8", "backslashreplace")


def is_valid_utf8(raw: str | bytes) -> bool:
    """True when the name round-trips as UTF-8 (no surrogate escapes, no bad bytes)."""
    data = raw if isinstance(raw, bytes) else os.fsencode(raw)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def name_problem(raw: str | bytes) -> str | None:
    """The reason a name cannot be shown exactly, or ``None`` when it can."""
    if is_valid_utf8(raw):
        return None
    return "file name is not valid UTF-8 (shown with \\x escapes)"


def utc_from_timestamp(value: float | None) -> datetime | None:
    """Convert a POSIX timestamp to an aware UTC datetime; ``None`` stays ``None``."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class FileTimes:
    """MAC(B) times of an entry in UTC, each ``None`` where the source does not keep it."""

    modified: datetime | None = None
    accessed: datetime | None = None
    changed: datetime | None = None
    created: datetime | None = None


@dataclass
class Entry:
    """One item found in a source.

    ``error`` set means the item could not be read and is recorded as skipped with that
    reason; ``warnings`` are problems that did not stop it being read (a damaged archive
    member header). ``name_problem`` says the name could not be shown exactly (not valid
    UTF-8): the content is still read, and the problem reported as an error of the name.
    ``locator`` says where the content is (``None``: nothing to read); it is plain data,
    so an entry pickles and any worker opens the content itself.
    """

    path: str
    size: int | None = None
    times: FileTimes = field(default_factory=FileTimes)
    deleted: bool = False
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    name_problem: str | None = None
    locator: Locator | None = None

    @property
    def local_path(self) -> str | None:
        """The file on the local file system when the content is one (a locator with no
        hops), so readers that want a path (video decoding) need not go through a stream."""
        if self.locator is None or self.locator.hops:
            return None
        return self.locator.path

    def open(self) -> BinaryIO:
        """Open the content read-only; raise ``OSError`` when it cannot be read."""
        if self.locator is None:
            raise OSError(self.error or f"{self.path}: no content to read")
        return open_locator(self.locator)


class Source(ABC):
    """A piece of evidence that can list its files.

    ``probe`` answers "is this my format?" from the path and the first bytes; a source
    that turns out to be damaged yields entries with errors or warnings rather than
    raising, so one bad member never loses the rest of the device.

    A container source also opens one member again by the key it put in that member's
    locator (:meth:`open_member`): the walk yields ``self.locator.child(self.name, key)``
    and any process later calls ``open_member(key)`` on the same container, opened anew.

    ``path`` is the local file to read (for a nested container, a copy in scratch);
    ``locator`` is where that file lives in the evidence (default: ``path`` itself).
    """

    #: Registry name, e.g. ``"folder"``, ``"zip"``, ``"disk-image"``.
    name: ClassVar[str]

    def __init__(
        self, path: str, *, display: str | None = None, locator: Locator | None = None
    ) -> None:
        self.path = path
        self.display = display if display is not None else display_path(path)
        self.locator = locator if locator is not None else Locator(path)

    @classmethod
    @abstractmethod
    def probe(cls, path: str, head: bytes) -> bool:
        """Return True when ``path`` (whose first bytes are ``head``) is this kind of source."""

    @abstractmethod
    def entries(self) -> Iterator[Entry]:
        """Yield every item of the source, readable or not, in a stable order."""

    def open_member(self, key: str) -> BinaryIO:
        """Open the member whose locator key is ``key``; ``OSError`` when it cannot be.

        Only containers have members; a source whose entries are local files (a folder)
        keeps this default.
        """
        raise OSError(f"{self.display}: a {self.name} source has no members to open")

    def member_locator(self, key: str) -> Locator:
        """The locator of this container's member ``key``."""
        return self.locator.child(self.name, key)

    def close(self) -> None:  # noqa: B027 - most sources hold nothing open
        """Release open handles; sources that open nothing need not override it."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
