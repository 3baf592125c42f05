"""Which files are chat sources, by name: the one copy of these rules.

Ingest's chat-source stage flags each file with them, and ingest picks the chat sources
among a job's stored files with them (:func:`phunt.ingest.chat_sources.find_candidates`).

A WhatsApp ``msgstore*.db`` or iOS ``ChatStorage.sqlite``, Telegram for Android's
``cache4.db`` (their ``-wal`` and ``-shm`` journal files belong to them), a
WhatsApp text export (``WhatsApp Chat with ....txt`` or ``.zip``, iOS ``_chat.txt``), a
Telegram export folder (``result.json``, or the HTML pages ``messages.html``,
``messages2.html`` ...). The name only makes a candidate: the chat parsers' content probe
confirms it before anything is imported.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Literal

App = Literal["whatsapp", "telegram"]
Form = Literal[
    "msgstore", "chatstorage", "cache4", "journal", "text-export", "json-export", "html-export"
]

_HTML_PAGE = re.compile(r"messages[0-9]*\.html")
_DATABASES: dict[str, tuple[App, Form]] = {
    "chatstorage.sqlite": ("whatsapp", "chatstorage"),
    "cache4.db": ("telegram", "cache4"),
}
"""Databases known by one exact name (lower case), each with its ``-wal``/``-shm``."""


@dataclass(frozen=True)
class ChatCandidate:
    """A file that looks like (part of) a chat source.

    ``root`` is what a parser opens: the file itself, the database a journal belongs to,
    or the folder of an export.
    """

    app: App
    form: Form
    root: str

    @property
    def importable(self) -> bool:
        """Whether ``root`` is imported for this file (a journal goes with its database)."""
        return self.form != "journal"


def chat_candidate(path: str) -> ChatCandidate | None:
    """The chat source ``path`` is part of, judged by its name; None when it is not one."""
    name = posixpath.basename(path).lower()
    if name.startswith("msgstore"):
        if name.endswith(".db"):
            return ChatCandidate("whatsapp", "msgstore", path)
        for journal in ("-wal", "-shm"):
            if name.endswith(".db" + journal):
                return ChatCandidate("whatsapp", "journal", path[: -len(journal)])
        return None
    for main, (app, form) in _DATABASES.items():
        if name.startswith(main):
            if name == main:
                return ChatCandidate(app, form, path)
            for journal in ("-wal", "-shm"):
                if name == main + journal:
                    return ChatCandidate(app, "journal", path[: -len(journal)])
            return None
    if name == "_chat.txt" or (
        name.startswith("whatsapp chat") and name.endswith((".txt", ".zip"))
    ):
        return ChatCandidate("whatsapp", "text-export", path)
    if name == "result.json":
        return ChatCandidate("telegram", "json-export", posixpath.dirname(path) or ".")
    if _HTML_PAGE.fullmatch(name):
        return ChatCandidate("telegram", "html-export", posixpath.dirname(path) or ".")
    return None
