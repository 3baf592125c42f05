"""Paths taken from evidence, resolved inside the evidence, and where apps keep their media.

Every file name a chat reader takes from evidence (a Telegram export's ``photos/...``, a
text export's attachment name, a ``msgstore.db`` media path, a ``cache4.db`` local path)
is resolved here against the folder that holds the main file and must stay inside the
evidence root: a ``..`` that climbs out of it (``photos/../../x``) would make phunt read
and hash a file of the examiner's own machine, so it is refused and the caller records a
warning. ``../Media`` that stays inside the extraction is fine.

The evidence root of a chat source is the device root where the folder is an app's data
folder in a full-file-system extraction (``data/data/com.whatsapp/databases`` and the
media under ``data/media/0/...``), the app folder above a ``Databases`` or ``files``
folder (a ``WhatsApp/Databases`` backup beside ``WhatsApp/Media``, Telegram's ``files``
beside its ``shared_prefs``), otherwise the folder itself.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

WHATSAPP_APPS = {"com.whatsapp": "WhatsApp", "com.whatsapp.w4b": "WhatsApp Business"}
"""WhatsApp's Android packages and the folder each keeps its media in."""
TELEGRAM_APPS = ("org.telegram.messenger", "org.telegram.messenger.web")
_PACKAGE = "|".join(re.escape(p) for p in (*WHATSAPP_APPS, *TELEGRAM_APPS))
_DEVICE = re.compile(rf"^(?P<root>.*?)(?:^|/)data/(?:data|user/\d+)/(?P<pkg>{_PACKAGE})(?:/|$)")
"""An app's private folder in a full extraction: what comes before ``data/data`` is the
device root (``phone.zip!``, ``Dump``, the folder the examiner named)."""
_STORAGE = ("data/media/0", "sdcard", "storage/emulated/0")
"""Where an extraction puts the phone's shared storage, in the order they are tried."""
_MOUNTS = re.compile(r"^/(?:storage/emulated/0|sdcard|mnt/sdcard|data/media/0)/(?P<rest>.+)$")
"""How the phone itself names its shared storage in an absolute path (older msgstore.db)."""


_APP_FOLDERS = ("databases", "files")
"""An app's folders whose parent holds its other files (``../Media``, ``../shared_prefs``)."""


class PathRefused(ValueError):
    """A path from evidence that is absolute, malformed, or leaves the evidence root."""


@dataclass(frozen=True)
class MediaRoot:
    """A folder an app's relative media paths may start from, relative to the database's
    folder (``../../../media/0/...``), and the layout it belongs to (said in records)."""

    prefix: str
    layout: str
    device: bool = False
    """A shared-storage folder of a full extraction: which one held the files is recorded."""


def resolve(folder: str, name: str, root: str) -> str:
    """``name`` (a ``/`` path from evidence) joined to ``folder`` and normalised; it must
    stay inside ``root`` (``folder`` or a folder above it). ``PathRefused`` says why not."""
    if not name or "\0" in name or "\\" in name:
        raise PathRefused(f"{name!r} is not a relative path")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise PathRefused(f"{name!r} is absolute")
    joined = (
        posixpath.normpath(posixpath.join(folder, name)) if folder else posixpath.normpath(name)
    )
    if not _inside(joined, posixpath.normpath(root) if root else ""):
        raise PathRefused(f"{name!r} leaves the evidence ({root or 'its top'})")
    if joined in (".", "") or joined == posixpath.normpath(folder or "."):
        raise PathRefused(f"{name!r} names no file")
    return joined


def _inside(path: str, root: str) -> bool:
    if not root or root == ".":
        return not (path == ".." or path.startswith("../") or path.startswith("/"))
    return path == root or path.startswith(root.rstrip("/") + "/")


def evidence_root(folder: str) -> str:
    """The evidence root for a chat source in ``folder`` (see the module docstring)."""
    device = _DEVICE.match(folder)
    if device is not None:
        return _device_root(folder, device["root"])
    if posixpath.basename(folder).lower() in _APP_FOLDERS:
        return posixpath.dirname(folder)
    return folder


def _device_root(folder: str, root: str) -> str:
    return root.rstrip("/") or ("/" if folder.startswith("/") else "")


def device_media(folder: str) -> list[MediaRoot]:
    """The shared-storage folders where the app whose private folder is ``folder`` keeps
    its media, newest Android first; none when ``folder`` is not such a folder.

    WhatsApp (and WhatsApp Business): ``Android/media/<package>/WhatsApp`` since Android 11,
    ``WhatsApp`` at the storage root before. Telegram: ``Android/data/<package>/files``
    (its ``Telegram/`` folder) since Android 11, the storage root before.
    """
    device = _DEVICE.match(folder)
    if device is None:
        return []
    pkg = device["pkg"]
    up = posixpath.relpath(_device_root(folder, device["root"]) or ".", folder or ".")
    roots: list[MediaRoot] = []
    for storage in _STORAGE:
        if pkg in WHATSAPP_APPS:
            media = WHATSAPP_APPS[pkg]
            newer, older = f"{storage}/Android/media/{pkg}/{media}", f"{storage}/{media}"
        else:
            newer, older = f"{storage}/Android/data/{pkg}/files", storage
        roots.append(MediaRoot(f"{up}/{newer}/", f"{newer}, Android 11 and later", True))
        roots.append(MediaRoot(f"{up}/{older}/", f"{older}, before Android 11", True))
    return roots


def on_device(folder: str, path: str) -> tuple[str, list[MediaRoot]] | None:
    """An absolute path on the phone's shared storage (``/storage/emulated/0/...``,
    ``/sdcard/...``, as older ``msgstore.db`` rows hold) as the path below the storage and
    the storage folders of the extraction it may lie under, in :data:`_STORAGE`'s order;
    None unless ``folder`` is an app's private folder. Still resolved inside the evidence
    before anything is read."""
    device, mount = _DEVICE.match(folder), _MOUNTS.match(path)
    if device is None or mount is None:
        return None
    up = posixpath.relpath(_device_root(folder, device["root"]) or ".", folder or ".")
    roots = [MediaRoot(f"{up}/{s}/", f"{s}, named by its phone path", True) for s in _STORAGE]
    return mount["rest"], roots
