"""Watchlist matching: English on word boundaries, Malayalam as substrings, patterns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from phunt.chats.keywords import KeywordHit, Watchlist, normalise
from phunt.chats.model import Attachment, Message
from phunt.errors import UsageError


def message(text: str, *files: str) -> Message:
    return Message(
        id="1",
        chat_id="c",
        time=datetime(2026, 1, 1, tzinfo=UTC),
        utc_offset=None,
        offset_assumed=False,
        sender_id=None,
        sender_name=None,
        text=text,
        location="line 1",
        attachments=tuple(Attachment("1", f, f, True) for f in files),
    )


def test_english_terms_are_caseless_and_whole_words() -> None:
    watch = Watchlist(terms=["meeting", "payment"])
    assert [h.term for h in watch.scan("The MEETING is on Sunday; payment later")] == [
        "meeting",
        "payment",
    ]
    assert watch.scan("meetings and prepayments") == []
    assert watch.scan("ｍｅｅｔｉｎｇ") != []  # full-width letters fold under NFKC


def test_malayalam_terms_match_inflected_forms() -> None:
    watch = Watchlist(terms=["പണം", "യോഗം"])
    hits = watch.scan("ഇന്ന് യോഗം ഉണ്ട്, പണം നാളെ")
    assert [(h.term, h.matched) for h in hits] == [("പണം", "പണം"), ("യോഗം", "യോഗം")]
    # Stem inside a longer word (the agglutinated form) is still a hit.
    assert [h.term for h in Watchlist(terms=["പണ"]).scan("പണത്തിന്റെ കാര്യം")] == ["പണ"]
    # ZWJ/ZWNJ differences between keyboards do not hide a hit.
    assert Watchlist(terms=["അവന്\u200d"]).scan("അവന് വന്നു") != []


def test_patterns_and_file_names() -> None:
    watch = Watchlist(patterns=[r"\bward\s*\d+\b"], terms=["budget"])
    hits = watch.flag(message("Meeting of Ward 7", "budget.pdf"))
    # Rule order (terms, then patterns); spans index the normalised text + file names.
    assert hits == [
        KeywordHit("budget", "term", 18, 24, "budget"),
        KeywordHit(r"\bward\s*\d+\b", "pattern", 11, 17, "ward 7"),
    ]
    with pytest.raises(UsageError, match="bad watchlist pattern"):
        Watchlist(patterns=["(unclosed"])


def test_from_lines_and_file(tmp_path: Path) -> None:
    path = tmp_path / "watch.txt"
    path.write_text("# neutral examples\nmeeting\n\nre:pay(ment)?s?\nപണം\n", encoding="utf-8")
    watch = Watchlist.from_file(path)
    assert len(watch) == 3
    assert sorted(h.term for h in watch.scan("payments for the meeting, പണം")) == sorted(
        ["meeting", "pay(ment)?s?", "പണം"]
    )
    with pytest.raises(UsageError):
        Watchlist.from_file(tmp_path / "absent.txt")


def test_normalise_drops_invisible_marks() -> None:
    assert normalise("\u200eMeeting\u200f") == "meeting"
