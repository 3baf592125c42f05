"""msgstore's media rows as attachments: the file found beside the database, or why not.

The database states the SHA-256 of the decrypted file (Base64); it is kept as the
platform's hash beside the one phunt computes from the file found.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from phunt.chats.attachments import MediaFinder, present
from phunt.chats.base import guess_mime
from phunt.chats.model import Attachment, Chat


def hex_sha256(value: Any) -> str | None:
    """msgstore keeps Base64 of the SHA-256 of the decrypted file; return it as hex."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else bytes(value)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def media_row(
    media: MediaFinder,
    chat: Chat,
    mid: str,
    path: str | None,
    size: Any,
    mime: str | None,
    name: str | None,
    fhash: Any,
) -> Attachment:
    """One message's media row (either schema) as an attachment."""
    file_name = name or (path.rsplit("/", 1)[-1] if path else None)
    stated_size = size if isinstance(size, int) else None
    mime = mime or guess_mime(file_name)
    platform_sha256 = hex_sha256(fhash)
    if not path:
        return Attachment(
            mid,
            file_name,
            None,
            False,
            size=stated_size,
            mime=mime,
            platform_sha256=platform_sha256,
            note="no file path in database (not downloaded, deleted, or legacy schema)",
        )
    found = media.find(path, f"chat {chat.platform_id}, message row {mid}")
    if found is not None:
        return present(mid, file_name, path, mime, found.digest, platform_sha256, found.note)
    return Attachment(
        mid,
        file_name,
        path,
        True,
        size=stated_size,
        mime=mime,
        platform_sha256=platform_sha256,
        note="file missing",
    )
