"""MIME type by content signature (libmagic), and the extension-mismatch check.

Examiners trust the bytes, not the name: a picture renamed ``notes.txt`` must still be
treated as a picture. libmagic is the reference tool for this; it reads only the head of
the file, which the hashing pass has already read.
"""

from __future__ import annotations

import mimetypes
import os
import threading

_local = threading.local()

#: How many leading bytes the hasher keeps for content identification.
HEAD_SIZE = 8192

# Extensions libmagic's MIME names do not list in Python's table, or list differently.
_EXTRA_EXTENSIONS: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/heic": frozenset({".heic", ".heif"}),
    "image/heif": frozenset({".heic", ".heif"}),
    "image/webp": frozenset({".webp"}),
    "video/mp4": frozenset({".mp4", ".m4v", ".mov", ".3gp"}),
    "video/quicktime": frozenset({".mov", ".mp4"}),
    "video/3gpp": frozenset({".3gp", ".3gpp"}),
    "audio/ogg": frozenset({".ogg", ".opus", ".oga"}),
    "application/zip": frozenset({".zip", ".apk", ".jar", ".docx", ".xlsx", ".pptx", ".odt"}),
    "application/x-7z-compressed": frozenset({".7z"}),
    "application/gzip": frozenset({".gz", ".tgz"}),
    "application/x-tar": frozenset({".tar"}),
    "application/vnd.sqlite3": frozenset({".db", ".sqlite", ".sqlite3"}),
    "application/x-sqlite3": frozenset({".db", ".sqlite", ".sqlite3"}),
}


def _magic() -> object:
    # One libmagic handle per thread: a magic_t is not safe to share between threads.
    handle = getattr(_local, "magic", None)
    if handle is None:
        import magic  # imported lazily: loading libmagic costs start-up time

        handle = magic.Magic(mime=True)
        _local.magic = handle
    return handle


def mime_from_head(head: bytes) -> str:
    """The MIME type libmagic assigns to a file starting with ``head``."""
    if not head:
        return "application/x-empty"
    result = _magic().from_buffer(head)  # type: ignore[attr-defined]
    return str(result)


def extension_mismatch(name: str, mime: str) -> bool:
    """True when the name's extension is not one this MIME type is normally saved under.

    Files without an extension, empty files and generic types (text, octet-stream) never
    count as a mismatch: only a name that claims a specific other type does.
    """
    ext = os.path.splitext(name.rsplit("/", 1)[-1])[1].lower()
    if not ext or mime in {"application/octet-stream", "application/x-empty", "inode/x-empty"}:
        return False
    if mime.startswith("text/"):
        return False
    known = set(mimetypes.guess_all_extensions(mime)) | set(_EXTRA_EXTENSIONS.get(mime, ()))
    if not known:
        return False
    return ext not in known
