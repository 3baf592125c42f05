"""Auto-detection over every fixture, the registry, and the shared helpers."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from phunt.chats import PARSERS, detect, detect_stream, parse_export
from phunt.chats.base import guess_mime, zone
from phunt.chats.source import ZipChatSource
from phunt.chats.telegram_json import TelegramJsonParser
from phunt.chats.whatsapp_txt import WhatsAppTextParser
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


def test_the_name_rules_load_no_parser_and_the_registry_loads_every_one() -> None:
    """Ingest's name rules run for every file of a scan: importing them (and the package)
    runs no parser module and loads no phone-number library; the registry, from the
    package or from ``base``, comes with every parser, in probe order whichever parser
    module was imported first."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from phunt.chats.candidate import chat_candidate\n"
        "import phunt.chats\n"
        "heavy = ('phunt.chats.', 'phonenumbers')\n"
        "before = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "import phunt.chats.whatsapp_msgstore\n"  # a parser first: ingest does so
        "from phunt.chats.base import detect\n"
        f"found = detect(__import__('pathlib').Path({str(DATA / 'msgstore/msgstore.db')!r}))\n"
        "print(json.dumps([before, found.name, phunt.chats.PARSERS.names()]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, found, names = json.loads(out.stdout)
    assert before == ["phunt.chats.candidate"]
    assert found == "whatsapp-msgstore"
    assert names == [
        "telegram-html",
        "telegram-json",
        "whatsapp-msgstore",
        "whatsapp-ios",
        "whatsapp-txt",
        "telegram-cache4",
    ]


def test_registry_names() -> None:
    assert PARSERS.names() == [
        "telegram-html",
        "telegram-json",
        "whatsapp-msgstore",
        "whatsapp-ios",
        "whatsapp-txt",
        "telegram-cache4",
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
    path = DATA / "telegram/single_chat/result.json"
    export = parse_export(path.parent, keep_messages=False)
    assert export.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert guess_mime("a.jpg") == "image/jpeg" and guess_mime(None) is None
    assert zone("Asia/Kolkata").key == "Asia/Kolkata"
    with pytest.raises(UsageError, match="unknown time zone"):
        zone("Mars/Olympus")


def test_parse_a_zip_member_without_extracting(tmp_path: Path) -> None:
    """A Telegram export inside a zip: the main file and its photos are read as members."""
    folder = DATA / "telegram/single_chat"
    archive_path = tmp_path / "phone.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, f"Telegram/{file.relative_to(folder).as_posix()}")
    expected = parse_export(folder)
    with zipfile.ZipFile(archive_path) as archive, archive.open("Telegram/result.json") as member:
        assert detect_stream(member, "result.json") is TelegramJsonParser
        source = ZipChatSource(archive, "Telegram", str(archive_path))
        export = TelegramJsonParser().parse(member, "result.json", source=source)
    assert export.source == f"{archive_path}!/Telegram/result.json"
    assert export.source_sha256 == expected.source_sha256
    assert [c.attachments for c in export.chats] == [c.attachments for c in expected.chats]
    assert any(a.present for c in export.chats for a in c.attachments)
    assert not list(tmp_path.glob("**/*.jpg"))  # nothing was extracted


def test_missing_companion_is_reported_not_fatal() -> None:
    """Without a source, or with one lacking a photo, the attachment says "file missing"."""
    folder = DATA / "telegram/single_chat"
    with (folder / "result.json").open("rb") as stream:
        export = TelegramJsonParser().parse(stream, "result.json")
    attachments = [a for c in export.chats for a in c.attachments if a.included]
    assert attachments and all(not a.present and a.note == "file missing" for a in attachments)
    assert export.source == "result.json"


def test_template_checks_format_and_zone_before_parsing(tmp_path: Path) -> None:
    stream = io.BytesIO(b"not json at all")
    with pytest.raises(WrongFormat, match="not a Telegram JSON export") as caught:
        TelegramJsonParser().parse(stream, "result.json", origin="phone.zip!/result.json")
    assert caught.value.path == "phone.zip!/result.json"
    with pytest.raises(UsageError, match="unknown time zone"):
        TelegramJsonParser().parse(stream, "result.json", tz="Mars/Olympus")
    with pytest.raises(WrongFormat, match="not a recognised chat export"):
        detect_stream(io.BytesIO(b"\x00" * 100), "blob.bin")
    with pytest.raises(WrongFormat, match="no WhatsApp chat text export in folder"):
        WhatsAppTextParser().parse_path(tmp_path)


def test_every_parser_states_the_template_hooks() -> None:
    for _name, cls in PARSERS:
        assert cls.label and cls.platform in ("telegram", "whatsapp")
        assert "_parse" in vars(cls) and "parse" not in vars(cls)
