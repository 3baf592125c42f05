"""Where a chat export's files live: the companions a parser needs beside its main file.

A parser reads its main file (``result.json``, the ``.txt`` or ``.zip``, ``msgstore.db``)
from a file object. What else the format needs (media beside a WhatsApp text, Telegram's
``photos/`` and ``files/``, the ``-wal`` of a database) comes through a :class:`ChatSource`,
so the same parser works on a folder on disk, a zip, or a member of a disk image: only the
source differs. :class:`FolderChatSource` is the one over a local folder; a source over
container members (addressed by locator) implements the same four methods.
"""

from __future__ import annotations

import posixpath
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from phunt.chats.paths import PathRefused, evidence_root, resolve
from phunt.sources.locator import open_read_only
from phunt.spool import seekable


class ChatSource(ABC):
    """The files of one export, by name relative to the folder that holds its main file.

    Names use ``/``; ``../x`` reaches the parent folder. Implementations must be read-only
    and must not extract anything to disk. ``open`` returns a fresh binary file object
    positioned at 0 (seekable where the medium allows) that the caller closes, or None
    when there is no such file.

    ``here`` is the folder names are relative to and ``root`` the evidence root no name may
    leave (``/`` paths, see :mod:`phunt.chats.paths`); a name that leaves it is absent.
    """

    here: str = ""
    root: str = ""

    def resolve(self, name: str) -> str:
        """``name`` as a path inside the evidence; ``PathRefused`` when it leaves it."""
        return resolve(self.here, name, self.root)

    def _inside(self, name: str) -> str | None:
        try:
            return self.resolve(name)
        except PathRefused:
            return None

    @abstractmethod
    def open(self, name: str) -> BinaryIO | None:
        """The file ``name`` opened for reading, or None when it is absent."""

    @abstractmethod
    def exists(self, name: str) -> bool:
        """Whether ``name`` is a regular file of this source."""

    @abstractmethod
    def list(self) -> list[str]:
        """Names of the regular files directly in the export's folder, sorted."""

    @abstractmethod
    def describe(self, name: str) -> str:
        """How ``name`` is shown to an examiner (a full path, or container and member)."""


class FolderChatSource(ChatSource):
    """An export folder on the local file system (what the path-based API uses); its
    evidence root is found from the folder's layout unless ``root`` names it."""

    def __init__(self, folder: Path | str, root: Path | str | None = None) -> None:
        self.folder = Path(folder)
        self.here = self.folder.as_posix()
        self.root = evidence_root(self.here) if root is None else Path(root).as_posix()

    def _path(self, name: str) -> Path | None:
        inside = self._inside(name)
        return None if inside is None else Path(inside)

    def open(self, name: str) -> BinaryIO | None:
        path = self._path(name)
        if path is None or not path.is_file():
            return None
        return open_read_only(str(path))  # O_NOATIME: evidence keeps its access time

    def exists(self, name: str) -> bool:
        path = self._path(name)
        return path is not None and path.is_file()

    def list(self) -> list[str]:
        try:
            return sorted(p.name for p in self.folder.iterdir() if p.is_file())
        except OSError:
            return []

    def describe(self, name: str) -> str:
        inside = self._inside(name)
        return inside if inside is not None else str(self.folder / name)


class ZipChatSource(ChatSource):
    """The members of an open zip, relative to ``folder`` inside it (read, never extracted);
    the evidence root is found from the folder's layout unless ``root`` names it."""

    def __init__(
        self, archive: zipfile.ZipFile, folder: str, label: str, root: str | None = None
    ) -> None:
        self.archive, self.folder, self.label = archive, folder.strip("/"), label
        self.here = self.folder
        self.root = evidence_root(self.folder) if root is None else root.strip("/")
        self._members = {i.filename for i in archive.infolist() if not i.is_dir()}

    def _member(self, name: str) -> str | None:
        clean = self._inside(name)
        return clean if clean is not None and clean in self._members else None

    def open(self, name: str) -> BinaryIO | None:
        member = self._member(name)
        return None if member is None else self.archive.open(member)  # type: ignore[return-value]

    def exists(self, name: str) -> bool:
        return self._member(name) is not None

    def list(self) -> list[str]:
        prefix = f"{self.folder}/" if self.folder else ""
        names = (m[len(prefix) :] for m in self._members if m.startswith(prefix))
        return sorted(n for n in names if "/" not in n)

    def describe(self, name: str) -> str:
        inside = self._inside(name)
        shown = inside or (posixpath.join(self.folder, name) if self.folder else name)
        return f"{self.label}!/{shown}"


class NoCompanions(ChatSource):
    """A main file handed over alone: every companion is reported missing."""

    def open(self, name: str) -> BinaryIO | None:
        return None

    def exists(self, name: str) -> bool:
        return False

    def list(self) -> list[str]:
        return []

    def describe(self, name: str) -> str:
        return name


@dataclass(frozen=True)
class ChatInput:
    """One chat source to read: the main file ``name`` among ``source``'s files.

    ``shown`` is how the examiner knows it (a path on disk, or a path inside a container):
    what is recorded for the import and what errors cite. ``main`` opens the main file
    itself where its name alone does not say which file it is (two files at one path: a
    deleted database beside the live one).
    """

    name: str
    source: ChatSource
    shown: str
    main: Callable[[], BinaryIO] | None = None

    def open(self) -> BinaryIO:
        """The main file, opened and seekable; ``OSError`` when it cannot be read."""
        stream = self.main() if self.main is not None else self.source.open(self.name)
        if stream is None:
            raise OSError(f"{self.shown}: no such file")
        return seekable(stream)


@dataclass(frozen=True)
class Link:
    """An attachment tied to a stored file of the device: its id, and ``how`` (path, digest)."""

    file_id: int
    how: str
