"""Telegram HTML exports are recognised and refused with instructions to export JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from phunt.chats.telegram_html import TelegramHtmlParser
from phunt.errors import CorruptInput, InputError, WrongFormat

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "telegram"


def test_html_export_gets_json_advice() -> None:
    assert TelegramHtmlParser.probe_path(DATA / "html_export")
    assert TelegramHtmlParser.probe_path(DATA / "html_export" / "messages.html")
    with pytest.raises(InputError) as caught:
        TelegramHtmlParser().parse_path(DATA / "html_export")
    assert not isinstance(caught.value, (WrongFormat, CorruptInput))
    assert "Machine-readable JSON" in str(caught.value)
    assert caught.value.path == str(DATA / "html_export")


def test_json_export_and_other_html_are_not_claimed(tmp_path: Path) -> None:
    assert not TelegramHtmlParser.probe_path(DATA / "single_chat")
    page = tmp_path / "page.html"
    page.write_text("<html><body>Hello</body></html>", encoding="utf-8")
    assert not TelegramHtmlParser.probe_path(page)
    with pytest.raises(WrongFormat):
        TelegramHtmlParser().parse_path(page)
