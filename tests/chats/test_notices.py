"""The notice tables: every phrase cites where it was seen and matches its own wording."""

from __future__ import annotations

import pytest

from phunt.chats import notices
from phunt.chats.notices.table import NOTICE_KINDS, Phrase

SAMPLE = {"actor": "Asha K", "targets": "Ravi M", "subject": "Ward 7", "old": " x", "file": "a.pdf"}
ALL = [
    (lang.code, group, p)
    for lang in notices.LANGUAGES
    for group in ("notices", "omitted", "attached", "deleted", "export_names")
    for p in getattr(lang, group)
]


def test_the_languages_the_issue_names_have_tables() -> None:
    codes = {lang.code for lang in notices.LANGUAGES}
    assert {"en", "pt", "es", "de", "fr", "it", "id", "ru", "hi", "ml", "ta"} <= codes


@pytest.mark.parametrize(("code", "group", "phrase"), ALL)
def test_every_phrase_says_where_it_was_seen(code: str, group: str, phrase: Phrase) -> None:
    assert len(phrase.seen) > 20, (code, phrase.text)
    if group == "notices":
        base = phrase.kind.removeprefix("you:").removesuffix(":you")
        assert base in NOTICE_KINDS


@pytest.mark.parametrize(
    ("code", "phrase"), [(code, p) for code, group, p in ALL if group == "notices"]
)
def test_every_notice_phrase_matches_its_own_wording(code: str, phrase: Phrase) -> None:
    text = phrase.text.format(**SAMPLE).replace('"', "\u201c", 1).replace('"', "\u201d", 1)
    found = notices.match_notice(text)
    assert found is not None, text
    assert found.language == code
    assert found.kind == phrase.kind.removeprefix("you:").removesuffix(":you")
    if "{actor}" in phrase.text:
        assert found.actor == "Asha K"
    if "{subject}" in phrase.text:
        assert found.subject == "Ward 7"


def test_an_ordinary_sentence_is_no_notice() -> None:
    assert notices.match_notice("Asha K pinned a message") is None
    assert notices.match_notice("See you at the market at six") is None


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("WhatsApp Chat with Ward 7.txt", "Ward 7"),
        ("WhatsApp Chat - Ward 7.zip", "Ward 7"),
        ("Conversa do WhatsApp com Feira.txt", "Feira"),
        ("Chat de WhatsApp con Club.txt", "Club"),
        ("WhatsApp Chat mit Verein.txt", "Verein"),
        ("Discussion WhatsApp avec Julie.txt", "Julie"),
        ("Chat WhatsApp con Marco.txt", "Marco"),
        ("Chat WhatsApp dengan Budi.txt", "Budi"),
        ("Чат WhatsApp с контактом Иван.txt", "Иван"),
        ("_chat.txt", None),
    ],
)
def test_export_file_names_in_each_language(name: str, title: str | None) -> None:
    assert notices.export_title(name) == title


@pytest.mark.parametrize(
    "line",
    [
        "IMG-1.jpg (file attached)",
        "IMG-1.jpg (arquivo anexado)",
        "IMG-1.jpg (archivo adjunto)",
        "IMG-1.jpg (Datei angehängt)",
        "IMG-1.jpg (fichier joint)",
        "IMG-1.jpg (file allegato)",
        "IMG-1.jpg (file terlampir)",
        "IMG-1.jpg (файл добавлен)",
        "IMG-1.jpg (फाइल संलग्न)",
        "IMG-1.jpg (ഫയൽ ചേർത്തു)",
    ],
)
def test_android_attachment_markers_in_each_language(line: str) -> None:
    found = notices.ANDROID_FILE.match(line)
    assert found is not None and found["file"] == "IMG-1.jpg"


def test_media_left_out_and_deleted_in_several_languages() -> None:
    for text in ("<Media omitted>", "<media omitted>", "<Mídia oculta>", "<Без медиафайлов>"):
        assert notices.omitted(text), text
    assert notices.omitted("Plan.pdf documento não revelado")
    assert not notices.omitted("Media omitted from the list")
    assert notices.deleted("Данное сообщение удалено") == "deleted"
    assert notices.deleted("You deleted this message.") == "you_deleted"
    assert notices.deleted("This message was edited") is None
