"""Auto-detection over every fixture, the registry, and the shared helpers."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from phunt.chats import PARSERS, detect, parse_export
from phunt.chats.base import FileDigest, guess_mime, sha256_file, zone
from phunt.errors import InputError, UsageError, WrongFormat

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("telegram/single_chat", "telegram-json"),
        ("telegram/full_export/result.json", "telegram-json"),
        ("telegram/html_export", "telegram-html"),
        ("whatsapp/android_group", "whatsapp-txt"),
        ("whatsapp/android_private/WhatsApp Chat with Meera Nair.txt", "whatsapp-txt"),
        ("whatsapp/WhatsApp Chat with Ward 7 Residents.zip", "whatsapp-txt"),
        ("whatsapp/WhatsApp Chat - Market Traders.zip", "whatsapp-txt"),
        ("whatsapp/ios_group", "whatsapp-txt"),
        ("msgstore/msgstore.db", "whatsapp-msgstore"),
        ("msgstore/legacy/msgstore.db", "whatsapp-msgstore"),
    ],
)
def test_detect_every_fixture(path: str, name: str) -> None:
    assert detect(DATA / path).name == name


def test_registry_names() -> None:
    assert PARSERS.names() == [
        "telegram-html",
        "telegram-json",
        "whatsapp-msgstore",
        "whatsapp-txt",
    ]
    with pytest.raises(UsageError, match="unknown chat format"):
        parse_export(DATA / "telegram/single_chat", format="signal")


def test_parse_export_detects_and_honours_format() -> None:
    export = parse_export(DATA / "telegram/single_chat", keep_messages=False)
    assert export.format == "telegram-json" and export.chats[0].messages == []
    with pytest.raises(WrongFormat):
        parse_export(DATA / "telegram/single_chat", format="whatsapp-msgstore")


def test_unrecognised_and_missing(tmp_path: Path) -> None:
    with pytest.raises(WrongFormat, match="not a recognised chat export"):
        detect(DATA / "whatsapp/corrupt/notes.txt")
    with pytest.raises(WrongFormat, match="no such file"):
        detect(tmp_path / "absent")
    with pytest.raises(InputError, match="Machine-readable JSON"):
        parse_export(DATA / "telegram/html_export")


def test_helpers() -> None:
    data = b"neutral bytes" * 100_000
    digest = FileDigest(io.BytesIO(data))
    assert (digest.size, digest.md5, digest.sha1, digest.sha256) == (
        len(data),
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )
    path = DATA / "telegram/single_chat/result.json"
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert guess_mime("a.jpg") == "image/jpeg" and guess_mime(None) is None
    assert zone("Asia/Kolkata").key == "Asia/Kolkata"
    with pytest.raises(UsageError, match="unknown time zone"):
        zone("Mars/Olympus")
