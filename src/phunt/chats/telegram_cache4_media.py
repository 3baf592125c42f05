"""Where a ``cache4.db`` message's photo or document is on the phone, and its bytes.

The database keeps no hash of a file and, for most rows, no path: the Android client
downloads a document into a ``Telegram/`` folder under the name ``<dc>_<document id>``
plus its extension, and appends a local path after some messages (its own uploads). So
the file is looked for, beside the database, under the appended path, that name and the
file name the document states; the first found is hashed, and an attachment whose file
is not found says so.
"""

from __future__ import annotations

import posixpath

from phunt.chats.attachments import HERE, MediaFinder, present
from phunt.chats.base import guess_mime
from phunt.chats.model import Attachment, ChatExport
from phunt.chats.paths import device_media
from phunt.chats.source import ChatSource
from phunt.chats.tl import Decoder, TLError, TLObject

MEDIA_FOLDERS = (
    "Telegram/Telegram Images/",
    "Telegram/Telegram Video/",
    "Telegram/Telegram Documents/",
    "Telegram/Telegram Audio/",
    "",
)
"""Where the app's downloaded media are looked for, relative to the database's folder."""


def media_finder(source: ChatSource, export: ChatExport) -> MediaFinder:
    """The finder for one database: its own folder first, then the phone's storage."""
    return MediaFinder(source, export, [*HERE, *device_media(source.here)])


def find_attachment(
    finder: MediaFinder, where: str, mid: str, media: TLObject | None, tail: bytes
) -> Attachment | None:
    """The photo or document a message carries, hashed where its file is found
    (``where`` names the chat and row in a refusal's warning)."""
    if media is None or media["_"] not in ("messageMediaPhoto", "messageMediaDocument"):
        return None
    names = [_local_path(tail)]
    file_name, mime, size = None, None, None
    document = media.get("document")
    if document is not None and document["_"] == "document":
        mime, size = document.get("mime_type"), document.get("size")
        for attribute in document.get("attributes") or []:
            file_name = _plain_name(attribute.get("file_name")) or file_name
        ext = posixpath.splitext(file_name or "")[1] or _EXT.get(mime or "", "")
        names += [f"{document['dc_id']}_{document['id']}{ext}", file_name]
    candidates = [n for n in names if n]
    for name in candidates:
        for folder in MEDIA_FOLDERS if "/" not in name else ("",):
            found = finder.find(folder + name, where)
            if found is not None:
                shown = file_name or posixpath.basename(found.name)
                guessed = mime or guess_mime(shown)
                return present(mid, shown, found.name, guessed, found.digest, note=found.note)
    path = candidates[0] if candidates else None
    label = file_name or (posixpath.basename(path) if path else None)
    note = "file missing" if path else "no local file named in cache4.db"
    mime = mime or guess_mime(label)
    return Attachment(mid, label, path, True, size=size, mime=mime, note=note)


_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "video/mp4": ".mp4"}


def _local_path(tail: bytes) -> str | None:
    """The local path the Android client appended after a message, relative to the
    database's folder from its ``Telegram/`` folder on; None when the tail holds none."""
    if len(tail) < 4:
        return None
    try:
        path = Decoder(tail).string().strip()
    except TLError:
        return None
    if "/" not in path:
        return None
    at = path.find("/Telegram/")
    if at < 0:
        return _plain_name(posixpath.basename(path))
    relative = path[at + 1 :]
    return None if ".." in relative.split("/") else relative


def _plain_name(name: str | None) -> str | None:
    """A file name the sender chose, only if it is a plain name: it must never lead the
    search out of the phone's folders (``..``, a path, a NUL)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return None
    return name
