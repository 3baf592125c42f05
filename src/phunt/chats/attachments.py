"""Attachments found among an export's companion files: hashed where they are, never copied.

Every format hashes the media it finds the same way (MD5, SHA-1 and SHA-256 in one pass,
through :mod:`phunt.hashing.crypto`), so a picture in a chat matches the hash lists and
the same picture found elsewhere on the device.
"""

from __future__ import annotations

from phunt.chats.model import Attachment
from phunt.chats.source import ChatSource
from phunt.hashing.crypto import Digests, digest_stream


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


def present(
    message_id: str,
    file_name: str | None,
    path: str,
    mime: str | None,
    digest: Digests,
    platform_sha256: str | None = None,
) -> Attachment:
    """An attachment whose bytes were found and hashed."""
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
    )
