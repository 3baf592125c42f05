"""Where a WhatsApp text export's chat text is: the file itself, or the zip member that is.

WhatsApp names the text ``_chat.txt`` (iOS) or ``WhatsApp Chat with <title>.txt``
(Android); the title in that name is the chat's, since the text itself never states it.
"""

from __future__ import annotations

import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import IO, BinaryIO

from phunt.chats import notices
from phunt.chats.source import ChatSource


@dataclass
class ExportText:
    """The chat text (the main file, or a member of the zip that is) and where media live."""

    name: str
    title: str | None
    media: ChatSource
    stream: BinaryIO
    archive: zipfile.ZipFile | None = None

    def open_text(self) -> AbstractContextManager[IO[bytes]]:
        if self.archive is not None:
            return self.archive.open(self.name)
        self.stream.seek(0)
        return nullcontext(self.stream)  # read twice (date order, then records); not closed


def text_member(names: list[str]) -> str | None:
    """The chat text among an export's names (or the export zip a folder holds), if any."""
    for name in names:
        base = name.rsplit("/", 1)[-1]
        if base == "_chat.txt" or (base.startswith("WhatsApp Chat") and base.endswith(".txt")):
            return name
    texts = [n for n in names if n.endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    zips = [n for n in names if n.lower().endswith(".zip") and "/" not in n]
    return zips[0] if not texts and len(zips) == 1 else None  # a folder holding the export zip


def chat_title(name: str) -> str | None:
    """The chat's title from the export's file name, when WhatsApp put it there."""
    return notices.export_title(name.rsplit("/", 1)[-1])
