"""Chat exports (Telegram, WhatsApp) parsed into one model of chats, people, roles, messages.

Importing this package registers every parser; :func:`parse_export` auto-detects the format.
"""

from phunt.chats import telegram_html, telegram_json, whatsapp_msgstore, whatsapp_txt
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
    "telegram_html",
    "telegram_json",
    "whatsapp_msgstore",
    "whatsapp_txt",
]
