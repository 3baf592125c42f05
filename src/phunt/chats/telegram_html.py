"""Telegram Desktop HTML export: recognised only to tell the examiner to export JSON.

The HTML export (``messages.html``, ``messages2.html`` … with ``css/`` and ``js/``) is
meant for reading, not parsing: ids and typed sender ids are missing and layout changes
between versions. Guessing from it would produce evidence that cannot be defended, so the
parser refuses with instructions instead of a silent "unknown format".
"""

from __future__ import annotations

from pathlib import Path

from phunt.chats.base import DEFAULT_TZ, ChatParser, MessageSink, register
from phunt.chats.model import ChatExport
from phunt.errors import InputError, WrongFormat

_MARKERS = ('class="page_wrap"', "Exported Data", 'class="history"')
ADVICE = (
    "this is a Telegram Desktop HTML export, which phunt does not parse; export the chat "
    "again from Telegram Desktop (Settings > Advanced > Export Telegram data, or the chat's "
    "menu > Export chat history) with Format: 'Machine-readable JSON'"
)


def _page(path: Path) -> Path | None:
    if path.is_dir():
        if (path / "result.json").exists():
            return None
        candidate = path / "messages.html"
        if candidate.is_file():
            return candidate
        candidate = path / "export_results.html"
        return candidate if candidate.is_file() else None
    return path if path.suffix.lower() in (".html", ".htm") else None


@register
class TelegramHtmlParser(ChatParser):
    """Detects a Telegram HTML export and raises an InputError that says what to do."""

    name = "telegram-html"
    platform = "telegram"

    @classmethod
    def probe(cls, path: Path) -> bool:
        page = _page(path)
        if page is None:
            return False
        try:
            with page.open("r", encoding="utf-8", errors="replace") as fh:
                head = fh.read(8192)
        except OSError:
            return False
        return any(marker in head for marker in _MARKERS)

    def parse(
        self,
        path: Path,
        *,
        tz: str = DEFAULT_TZ,
        keep_messages: bool = True,
        on_message: MessageSink | None = None,
    ) -> ChatExport:
        if not self.probe(path):
            raise WrongFormat("not a Telegram HTML export", path=str(path))
        raise InputError(ADVICE, path=str(path))
