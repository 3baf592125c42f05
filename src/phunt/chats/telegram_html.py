"""Telegram Desktop HTML export: recognised only to tell the examiner to export JSON.

The HTML export (``messages.html``, ``messages2.html`` … with ``css/`` and ``js/``) is
meant for reading, not parsing: ids and typed sender ids are missing and layout changes
between versions. Guessing from it would produce evidence that cannot be defended, so the
parser refuses with instructions instead of a silent "unknown format".
"""

from __future__ import annotations

from typing import BinaryIO

from phunt.chats.base import ChatParser, ParseContext, register
from phunt.errors import InputError

_MARKERS = ('class="page_wrap"', "Exported Data", 'class="history"')
ADVICE = (
    "this is a Telegram Desktop HTML export, which phunt does not parse; export the chat "
    "again from Telegram Desktop (Settings > Advanced > Export Telegram data, or the chat's "
    "menu > Export chat history) with Format: 'Machine-readable JSON'"
)


@register
class TelegramHtmlParser(ChatParser):
    """Detects a Telegram HTML export and raises an InputError that says what to do."""

    name = "telegram-html"
    platform = "telegram"
    label = "Telegram HTML export"
    main_names = ("messages.html", "export_results.html")
    yields_to = ("result.json",)  # a JSON export that also has pages: the JSON parser's

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        if not name.lower().endswith((".html", ".htm")):
            return False
        head = stream.read(8192).decode("utf-8", errors="replace")
        return any(marker in head for marker in _MARKERS)

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        raise InputError(ADVICE, path=context.origin)
