"""Attachments found among an export's companion files: hashed where they are, never copied.

Every format hashes the media it finds the same way (MD5, SHA-1 and SHA-256 in one pass,
through :mod:`phunt.hashing.crypto`), so a picture in a chat matches the hash lists and
the same picture found elsewhere on the device. Every path a reader takes from evidence is
looked up through :class:`MediaFinder`, the one place that keeps it inside the evidence
(:mod:`phunt.chats.paths`) and says which media root held the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from phunt.chats.model import Attachment, ChatExport
from phunt.chats.paths import MediaRoot, PathRefused, on_device
from phunt.chats.source import ChatSource
from phunt.hashing.crypto import Digests, digest_stream

HERE = (MediaRoot("", "beside the main file"),)
"""The one root of exports that keep their media under their own folder."""


def hash_companion(source: ChatSource, name: str) -> Digests | None:
    """Size and digests of the companion ``name``; None when absent or unreadable."""
    try:
        stream = source.open(name)
        if stream is None:
            return None
        with stream:
            return digest_stream(stream)
    except (OSError, EOFError):
        return None


class Found(NamedTuple):
    """An attachment's file: its name for the source, its digests, and the root it is under."""

    name: str
    digest: Digests
    root: MediaRoot

    @property
    def note(self) -> str | None:
        """Where a full extraction's file was found (kept on the attachment), else None."""
        return f"read from {self.root.layout}" if self.root.device else None


class MediaFinder:
    """Finds an attachment's file under a reader's media roots, tried in their order.

    A path that leaves the evidence from every root is refused, never read, and a warning
    names the chat and message. Which root held the file is in :class:`Found`; readers put
    a device root's layout in the attachment's note.
    """

    def __init__(
        self, source: ChatSource, export: ChatExport, roots: Sequence[MediaRoot] = HERE
    ) -> None:
        self.source, self.export = source, export
        self.roots = [root for root in roots if self._usable(root)]

    def _usable(self, root: MediaRoot) -> bool:
        """Our own roots are trusted, but one above the evidence root is no root at all."""
        if not root.prefix:
            return True
        try:
            self.source.resolve(root.prefix + ".")
        except PathRefused:
            return False
        return True

    def find(self, path: str, where: str) -> Found | None:
        """The first file found (named ``root + path``); None when absent or refused
        (``where`` names the chat and message in the warning)."""
        refusal: PathRefused | None = None
        inside = False
        roots = self.roots
        phone = on_device(self.source.here, path)  # an absolute path on the phone's storage
        if phone is not None:
            path, roots = phone
        for root in roots:
            name = root.prefix + path
            try:
                self.source.resolve(name)
            except PathRefused as exc:
                refusal = exc
                continue
            inside = True
            digest = hash_companion(self.source, name)
            if digest is not None:
                return Found(name, digest, root)
        if refusal is not None and not inside:
            self.export.warn(where, f"attachment path refused, not read: {refusal}")
        return None


def present(
    message_id: str,
    file_name: str | None,
    path: str,
    mime: str | None,
    digest: Digests,
    platform_sha256: str | None = None,
    note: str | None = None,
) -> Attachment:
    """An attachment whose bytes were found and hashed (``note``: where, if worth saying)."""
    return Attachment(
        message_id,
        file_name,
        path,
        True,
        present=True,
        size=digest.size,
        mime=mime,
        md5=digest.md5,
        sha1=digest.sha1,
        sha256=digest.sha256,
        platform_sha256=platform_sha256,
        note=note,
    )
