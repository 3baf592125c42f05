"""Chat exports (Telegram, WhatsApp) parsed into one model of chats, people, roles, messages.

:func:`parse_export` auto-detects the format. The names below load on first use (PEP 562):
importing the package, or :mod:`phunt.chats.candidate` (ingest's name rules, on every
scan's path), runs no parser module and loads no phone-number library; :data:`PARSERS`,
:func:`detect`, :func:`detect_stream` and :func:`parse_export` from here come with every
parser registered.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from phunt.chats import (
        telegram_cache4,
        telegram_html,
        telegram_json,
        whatsapp_ios,
        whatsapp_msgstore,
        whatsapp_txt,
    )
    from phunt.chats.base import (
        PARSERS,
        ChatParser,
        MessageSink,
        ParseContext,
        detect,
        detect_stream,
        parse_export,
    )
    from phunt.chats.keywords import KeywordHit, Watchlist
    from phunt.chats.model import (
        Attachment,
        Chat,
        ChatExport,
        Message,
        ParseWarning,
        Participant,
        Role,
    )
    from phunt.chats.source import ChatSource, FolderChatSource, NoCompanions, ZipChatSource
    from phunt.chats.summary import summarise

#: Where each public name lives; the registry's users get every parser registered first.
_HOMES = {
    "PARSERS": "base",
    "ChatParser": "base",
    "MessageSink": "base",
    "ParseContext": "base",
    "detect": "base",
    "detect_stream": "base",
    "parse_export": "base",
    "KeywordHit": "keywords",
    "Watchlist": "keywords",
    "Attachment": "model",
    "Chat": "model",
    "ChatExport": "model",
    "Message": "model",
    "ParseWarning": "model",
    "Participant": "model",
    "Role": "model",
    "ChatSource": "source",
    "FolderChatSource": "source",
    "NoCompanions": "source",
    "ZipChatSource": "source",
    "summarise": "summary",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        if name in __all__:  # a parser module
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{home}")
    if home == "base":
        module.load_parsers()
    return getattr(module, name)


__all__ = [
    "PARSERS",
    "Attachment",
    "Chat",
    "ChatExport",
    "ChatParser",
    "ChatSource",
    "FolderChatSource",
    "KeywordHit",
    "Message",
    "MessageSink",
    "NoCompanions",
    "ParseContext",
    "ParseWarning",
    "Participant",
    "Role",
    "Watchlist",
    "ZipChatSource",
    "detect",
    "detect_stream",
    "parse_export",
    "summarise",
    "telegram_cache4",
    "telegram_html",
    "telegram_json",
    "whatsapp_ios",
    "whatsapp_msgstore",
    "whatsapp_txt",
]
