"""Which app put a file where it is, from the folder names phones use.

A phone extraction is just a folder or an archive; the path of a file inside it
(``WhatsApp/Media/WhatsApp Images/Sent/IMG-1.jpg``) tells the examiner which app
received or sent it. The table is checked in order, first match wins, so more specific
folders come before the general ones. Matching is on whole path segments, case-blind,
anywhere in the path (an extraction can sit under any prefix, inside any container).
"""

from __future__ import annotations

import re

#: (app tag, folder-segment sequence) in the order they are tried.
APP_FOLDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("whatsapp-business", ("WhatsApp Business", "Media")),
    ("whatsapp-business", ("com.whatsapp.w4b",)),
    ("whatsapp", ("WhatsApp", "Media")),
    ("whatsapp", ("com.whatsapp",)),
    ("whatsapp-business", ("AppDomainGroup-group.net.whatsapp.WhatsAppSMB.shared",)),
    ("whatsapp", ("AppDomainGroup-group.net.whatsapp.WhatsApp.shared",)),
    ("whatsapp", ("group.net.whatsapp.WhatsApp.shared",)),
    ("whatsapp", ("WhatsApp Images",)),
    ("whatsapp", ("WhatsApp Video",)),
    ("whatsapp", ("WhatsApp Animated Gifs",)),
    ("whatsapp", ("WhatsApp Documents",)),
    ("telegram", ("org.telegram.messenger",)),
    ("telegram", ("org.telegram.messenger.web",)),
    ("telegram", ("ph.telegra.Telegraph",)),
    ("telegram", ("AppDomainGroup-group.ph.telegra.Telegraph",)),
    ("telegram", ("Telegram", "Telegram Images")),
    ("telegram", ("Telegram", "Telegram Video")),
    ("telegram", ("Telegram", "Telegram Documents")),
    ("telegram", ("Telegram", "Telegram Audio")),
    ("telegram", ("Pictures", "Telegram")),
    ("telegram", ("Movies", "Telegram")),
    ("telegram", ("Download", "Telegram")),
    ("telegram", ("Telegram Desktop",)),
    ("signal", ("org.thoughtcrime.securesms",)),
    ("signal", ("Pictures", "Signal")),
    ("instagram", ("Pictures", "Instagram")),
    ("instagram", ("Movies", "Instagram")),
    ("facebook-messenger", ("Pictures", "Messenger")),
    ("snapchat", ("com.snapchat.android",)),
    ("screenshots", ("Pictures", "Screenshots")),
    ("screenshots", ("DCIM", "Screenshots")),
    ("screenshots", ("Screenshots",)),
    ("camera", ("DCIM",)),
)

_SEPARATORS = re.compile(r"[\\/!]+")
#: Every folder name that starts some needle: a path holding none of them has no app.
_FIRST = frozenset(needle[0].casefold() for _tag, needle in APP_FOLDERS)
_NEEDLES = tuple((tag, tuple(p.casefold() for p in needle)) for tag, needle in APP_FOLDERS)


def _segments(path: str) -> list[str]:
    return [part.casefold() for part in _SEPARATORS.split(path) if part]


def _contains(haystack: list[str], wanted: tuple[str, ...]) -> bool:
    width = len(wanted)
    return any(tuple(haystack[i : i + width]) == wanted for i in range(len(haystack) - width + 1))


def app_for_path(path: str) -> str | None:
    """The app tag of the folder a file sits in (``"whatsapp"``, ``"camera"``...), or None.

    Only the folders are looked at, never the file name itself. Called for every file of
    a device, so paths with no known first folder return before the table is walked.
    """
    folders = _segments(path)[:-1]
    present = _FIRST.intersection(folders)
    if not present:
        return None
    for tag, wanted in _NEEDLES:
        if wanted[0] in present and _contains(folders, wanted):
            return tag
    return None
