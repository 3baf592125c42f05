"""Chat databases and exports among an ingest job's files, read where they lie.

A phone extraction is almost always a container (a zip, a tar, a disk image), so the chats
are found among the job's stored files, not on the local disk: ``msgstore.db`` with its
``-wal``/``-shm``, WhatsApp text exports and Telegram ``result.json`` exports, at any depth.
A parser reads the main file and its companions (media, the WAL) through a
:class:`StoredChatSource`, which opens stored files by their locators: nothing is walked
again, and only what a reader cannot take as a stream is copied, into private temporary
files (a member that cannot seek, a database for SQLite). Each attachment is then
tied to the stored file that holds its bytes: at the path it names inside the same
container (under the media roots the readers use, a full extraction's shared storage
included: :func:`phunt.chats.paths.device_media`), or, where that file is gone, by its
digest or the one the app recorded. No path from evidence leaves the evidence root
(:func:`phunt.chats.paths.evidence_root`).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from phunt.chats.candidate import chat_candidate
from phunt.chats.model import Attachment
from phunt.chats.paths import PathRefused, device_media, evidence_root, resolve
from phunt.chats.source import ChatSource, Link
from phunt.chats.whatsapp_ios import MEDIA_ROOTS as IOS_MEDIA_ROOTS
from phunt.chats.whatsapp_msgstore import MEDIA_ROOTS

#: The note every parser gives an attachment whose file is not at its path.
MISSING = "file missing"


@dataclass(frozen=True)
class StoredFile:
    """A file an ingest job stored: where it lies (``path``, ``locator``) and its digests."""

    id: int
    path: str
    locator: str | None
    size: int | None
    md5: str | None
    sha1: str | None
    sha256: str | None


FileOpener = Callable[[StoredFile], BinaryIO]
"""Opens a stored file's bytes (ingest reopens it from its locator)."""


class StoredTree:
    """The readable files of one job by path, by folder and by SHA-256: nothing is walked again.

    Paths are the stored display paths (``phone.zip!/WhatsApp/...``); the ``!`` that ends a
    container's name is just part of a folder name here.
    """

    def __init__(self, files: Iterable[StoredFile]) -> None:
        self._files: list[StoredFile] = []
        self._by_path: dict[str, StoredFile] = {}
        self._by_sha256: dict[str, StoredFile] = {}
        self._children: dict[str, list[str]] = defaultdict(list)
        for file in files:
            self._files.append(file)
            if file.path in self._by_path:
                continue  # a second file at one path (a deleted one, a repeated member)
            self._by_path[file.path] = file
            self._children[posixpath.dirname(file.path)].append(posixpath.basename(file.path))
            if file.sha256 is not None:
                self._by_sha256.setdefault(file.sha256, file)

    def get(self, path: str) -> StoredFile | None:
        """The first stored file at ``path`` (companions and media are found by path)."""
        return self._by_path.get(path)

    def children(self, folder: str) -> list[str]:
        """Names of the files directly in ``folder``, sorted."""
        return sorted(self._children.get(folder, ()))

    def with_sha256(self, digest: str) -> StoredFile | None:
        """The first stored file (in listing order) holding these bytes."""
        return self._by_sha256.get(digest)

    def __iter__(self) -> Iterator[StoredFile]:
        """Every stored file in listing order, several at one path included."""
        return iter(self._files)


class StoredChatSource(ChatSource):
    """The companions of a chat source, read from the job's stored files by locator."""

    def __init__(self, tree: StoredTree, folder: str, open_file: FileOpener) -> None:
        self.tree, self.folder, self.open_file = tree, folder, open_file
        self.here, self.root = folder, evidence_root(folder)

    def _file(self, name: str) -> StoredFile | None:
        inside = self._inside(name)
        return None if inside is None else self.tree.get(inside)

    def open(self, name: str) -> BinaryIO | None:
        file = self._file(name)
        return None if file is None else self.open_file(file)

    def exists(self, name: str) -> bool:
        return self._file(name) is not None

    def list(self) -> list[str]:
        return self.tree.children(self.folder)

    def describe(self, name: str) -> str:
        inside = self._inside(name)
        return inside if inside is not None else posixpath.join(self.folder, name)


def find_candidates(tree: StoredTree) -> list[StoredFile]:
    """The main file of every chat source among the stored files, in listing order.

    Names are judged by :func:`~phunt.chats.candidate.chat_candidate`, the one copy of the
    rules: a ``-wal`` belongs to its database, and an export folder is read once (from its
    ``result.json`` where it has one, as the parsers prefer). A zipped text export is never
    opened here: the walk opened it, within its limits, and its text is a candidate among
    its members; a zip the walk refused (a bomb, too deep) stays refused. Every file is a
    candidate, several at one path too (a deleted database beside the live one).
    """
    found: list[StoredFile] = []
    folders: set[str] = set()
    for file in tree:
        candidate = chat_candidate(file.path)
        if candidate is None or not candidate.importable:
            continue
        if file.path.lower().endswith(".zip"):
            continue
        if candidate.form in ("json-export", "html-export"):
            json_export = posixpath.join(candidate.root, "result.json")
            if candidate.root in folders or (
                candidate.form == "html-export" and tree.get(json_export) is not None
            ):
                continue
            folders.add(candidate.root)
        found.append(file)
    return found


def media_roots(folder: str) -> list[str]:
    """Where a chat source's relative media paths may start, as stored paths, in order.

    The roots the msgstore reader looks in (beside the database, the app's folder above
    it, its ``WhatsApp`` folder), the iOS reader's ``Message`` folder, then a full
    extraction's shared storage for the app whose folder ``folder`` is; only those inside
    the evidence root. Telegram and text exports keep their media under their own folder,
    the first root.
    """
    root = evidence_root(folder)
    roots: list[str] = []
    for media in (*MEDIA_ROOTS, *IOS_MEDIA_ROOTS, *device_media(folder)):
        try:
            roots.append(resolve(folder, media.prefix + ".", root) if media.prefix else folder)
        except PathRefused:
            continue
    return list(dict.fromkeys(roots))


class AttachmentLinker:
    """Ties each attachment of one chat source to the stored file that holds its bytes.

    By path first: the file the attachment names, under the export's media roots, whose
    bytes are the ones the parser read. Then by digest: the parser's own hash of the bytes,
    or the hash the app recorded (msgstore keeps it after the file is deleted), found
    anywhere among the job's files. A tie by digest to an absent file fills in its digests
    and says where the same bytes are.
    """

    def __init__(self, tree: StoredTree, folder: str) -> None:
        self.tree = tree
        self.root = evidence_root(folder)
        self.roots = media_roots(folder)

    def _at(self, root: str, path: str) -> StoredFile | None:
        try:
            return self.tree.get(resolve(root, path, self.root))
        except PathRefused:
            return None  # the reader that read the path warned about it

    def __call__(self, att: Attachment) -> tuple[Attachment, Link | None]:
        if att.path is not None:
            for root in self.roots:
                stored = self._at(root, att.path)
                if stored is None or stored.sha256 is None:
                    continue
                if att.sha256 is not None and att.sha256 != stored.sha256:
                    continue  # the parser read other bytes: not this file
                note = None if att.note == MISSING else att.note
                return _with_digests(att, stored, True, note), Link(stored.id, "path")
        for digest in (att.sha256, att.platform_sha256):
            stored = None if digest is None else self.tree.with_sha256(digest)
            if stored is not None:
                note = att.note if att.present else f"{att.note}; same bytes at {stored.path}"
                return _with_digests(att, stored, att.present, note), Link(stored.id, "digest")
        return att, None


def _with_digests(
    att: Attachment, stored: StoredFile, present: bool, note: str | None
) -> Attachment:
    """The attachment with the stored file's size and digests (the bytes the pipeline read)."""
    return replace(
        att,
        present=present,
        size=stored.size,
        md5=stored.md5,
        sha1=stored.sha1,
        sha256=stored.sha256,
        note=note,
    )
