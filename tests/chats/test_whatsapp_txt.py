"""WhatsApp "Export chat" text: Android and iOS, folder and zip, locales, damage."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from phunt.chats.model import Chat
from phunt.chats.whatsapp_txt import HEADER, WhatsAppTextParser
from phunt.errors import CorruptInput

DATA = Path(__file__).resolve().parents[2] / "test_data" / "chats" / "whatsapp"
ANDROID_ZIP = DATA / "WhatsApp Chat with Ward 7 Residents.zip"
IOS_ZIP = DATA / "WhatsApp Chat - Market Traders.zip"


def roles_of(chat: Chat) -> dict[str, dict[str, tuple[str, bool]]]:
    return {
        pid: {name: (role.evidence, role.inferred) for name, role in p.roles.items()}
        for pid, p in chat.participants.items()
    }


ANDROID_ROLES = {
    "name:Asha Menon": {
        "member": ("line 2", False),
        "creator": ("line 2", False),
        "admin": ("line 3", True),
    },
    "name:Ravi Kumar": {"member": ("line 3", False), "admin": ("line 17", False)},
    "+919800000003": {"member": ("line 3", False), "left": ("line 13", False)},
    "name:Joseph Thomas": {"member": ("line 11", False), "removed": ("line 12", False)},
}


@pytest.mark.parametrize("source", [DATA / "android_group", ANDROID_ZIP])
def test_android_group_folder_and_zip(source: Path) -> None:
    export = WhatsAppTextParser().parse_path(source)
    [chat] = export.chats
    assert (chat.platform_id, chat.title, chat.kind, chat.message_count) == (
        "title:Ward 7 Residents",
        "Ward 7 Residents Association",
        "group",
        15,
    )
    assert roles_of(chat) == ANDROID_ROLES
    phone = chat.participants["+919800000003"]
    assert (phone.phone, phone.phone_raw) == ("+919800000003", "+91 98000 00003")
    # "You deleted this message" under Ravi's name shows who exported the chat.
    assert export.owner is chat.participants["name:Ravi Kumar"]
    assert [str(w) for w in export.warnings] == [
        "line 16: exporting account inferred to be 'Ravi Kumar' (\"You deleted this message\")"
    ]
    image = (DATA / "android_group" / "IMG-20260105-WA0001.jpg").read_bytes()
    got = [
        (a.message_id, a.file_name, a.included, a.present, a.sha256, a.note)
        for a in chat.attachments
    ]
    assert got == [
        ("5", "IMG-20260105-WA0001.jpg", True, True, hashlib.sha256(image).hexdigest(), None),
        ("7", None, False, False, None, "<Media omitted>"),
        ("18", "budget.pdf", True, False, None, "file missing"),
    ]
    by_id = {m.id: m for m in chat.messages}
    assert by_id["5"].text == "Notice board photo"  # Android caption on the next line
    assert by_id["8"].text == "Agenda:\n1. Water supply\n2. Street lights"
    assert by_id["8"].time == datetime(2026, 1, 5, 4, 34, tzinfo=UTC)
    assert by_id["8"].utc_offset == timedelta(hours=5, minutes=30) and by_id["8"].offset_assumed
    assert by_id["3"].action == "add_members"
    assert by_id["3"].action_targets == ("Ravi Kumar", "+91 98000 00003")
    assert by_id["3"].sender_id == "name:Asha Menon"
    assert by_id["15"].deleted and by_id["16"].deleted


def test_ios_zip_month_first_twelve_hour() -> None:
    export = WhatsAppTextParser().parse_path(IOS_ZIP)
    [chat] = export.chats
    assert (chat.platform_id, chat.title, chat.kind, chat.message_count) == (
        "title:Market Traders",
        "Market Traders",
        "group",
        9,
    )
    assert export.warnings == []
    assert roles_of(chat) == {
        "name:Ravi Kumar": {
            "member": ("line 2", False),
            "creator": ("line 2", False),
            "admin": ("line 3", True),
        },
        "name:Asha Menon": {"member": ("line 3", False), "removed": ("line 10", False)},
    }
    with zipfile.ZipFile(IOS_ZIP) as zf:
        photo = zf.read("00000012-PHOTO-2026-01-04-12-06-00.jpg")
    got = [(a.message_id, a.file_name, a.present, a.sha256, a.note) for a in chat.attachments]
    assert got == [
        (
            "5",
            "00000012-PHOTO-2026-01-04-12-06-00.jpg",
            True,
            hashlib.sha256(photo).hexdigest(),
            None,
        ),
        ("6", "00000013-PHOTO-2026-01-04-12-07-00.jpg", False, None, "file missing"),
        ("7", None, False, None, "video omitted"),
    ]
    by_id = {m.id: m for m in chat.messages}
    assert by_id["1"].action == "encryption_notice" and by_id["1"].sender_id is None
    assert by_id["6"].text == "Price card"  # iOS caption before the marker
    assert by_id["8"].time == datetime(2026, 1, 14, 3, 45, tzinfo=UTC)  # 1/14 = 14 January
    assert by_id["8"].text == "Market closed on Friday\nOpen again on Saturday"


def test_ios_folder_takes_title_from_subject() -> None:
    [chat] = WhatsAppTextParser().parse_path(DATA / "ios_group").chats
    assert chat.title == "Market Traders" and chat.message_count == 9


def test_private_chat_and_time_zone() -> None:
    path = DATA / "android_private" / "WhatsApp Chat with Meera Nair.txt"
    [chat] = WhatsAppTextParser().parse_path(path, tz="UTC").chats
    assert (chat.kind, chat.title) == ("private", "Meera Nair")
    assert set(chat.participants) == {"name:Meera Nair", "name:Asha Menon"}
    last = chat.messages[-1]
    assert last.time == datetime(2026, 1, 20, 13, 15, tzinfo=UTC) and last.utc_offset == timedelta(
        0
    )


def test_damaged_lines_are_warnings() -> None:
    export = WhatsAppTextParser().parse_path(
        DATA / "corrupt" / "WhatsApp Chat with Broken Dates.txt"
    )
    assert [str(w) for w in export.warnings] == [
        "line 3: header with an impossible date or time",
        "line 4: invalid UTF-8, undecodable bytes replaced",
    ]
    [chat] = export.chats
    assert [m.id for m in chat.messages] == ["1", "2", "4", "5"]
    assert chat.messages[1].text.endswith("45/01/2026, 10:02 - Asha Menon: impossible date")
    assert chat.messages[2].text == "bad byte \ufffd here"


def test_truncated_zip_is_corrupt() -> None:
    path = DATA / "corrupt" / "WhatsApp Chat - Truncated.zip"
    assert WhatsAppTextParser.probe_path(path)
    with pytest.raises(CorruptInput, match="unreadable zip"):
        WhatsAppTextParser().parse_path(path)


def test_text_without_headers() -> None:
    path = DATA / "corrupt" / "notes.txt"
    assert not WhatsAppTextParser.probe_path(path)
    with pytest.raises(CorruptInput) as caught:
        WhatsAppTextParser().parse_path(path)
    assert caught.value.location == "line 1"


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("31/12/2020, 23:59 - Asha: hi", ("31", "12", "2020", "23", "59", None, None)),
        ("12/31/20, 11:59\u202fPM - Asha: hi", ("12", "31", "20", "11", "59", None, "PM")),
        ("23-03-2022 13:31 - Asha: hi", ("23", "03", "2022", "13", "31", None, None)),
        ("23.03.22 13:33 - Asha: hi", ("23", "03", "22", "13", "33", None, None)),
        ("2019/01/01, 11:25 - Asha: hi", ("2019", "01", "01", "11", "25", None, None)),
        ("[31/12/2020, 23:59:59] Asha: hi", ("31", "12", "2020", "23", "59", "59", None)),
        ("\u200e[3/18/22, 2:56:01\u202fPM] Asha: hi", ("3", "18", "22", "2", "56", "01", "PM")),
        ("13.6.2018 klo 21.25.15 - Asha: hi", ("13", "6", "2018", "21", "25", "15", None)),
        ("13.06.18 21.25.15: Asha: hi", ("13", "06", "18", "21", "25", "15", None)),
        ("1/2/21, 9:05 p.\u00a0m. - Asha: hi", ("1", "2", "21", "9", "05", None, "p.\u00a0m.")),
    ],
)
def test_header_variants(line: str, fields: tuple[str | None, ...]) -> None:
    match = HEADER.match(line)
    assert match is not None
    assert tuple(match[g] for g in ("a", "b", "c", "H", "M", "S", "ap")) == fields
    assert match["rest"] == "Asha: hi"


def test_not_a_header() -> None:
    assert HEADER.match("1. Water supply") is None
    assert HEADER.match("Total 200") is None
    assert HEADER.match("31/12/2020 - no time here") is None


def test_zip_with_chat_in_a_folder(tmp_path: Path) -> None:
    """Media beside the text inside a zip sub-folder resolve against that folder."""
    archive = tmp_path / "WhatsApp Chat - Market Traders.zip"
    with zipfile.ZipFile(IOS_ZIP) as source, zipfile.ZipFile(archive, "w") as target:
        for name in source.namelist():
            target.writestr(f"WhatsApp Chat - Market Traders/{name}", source.read(name))
    export = WhatsAppTextParser().parse_path(archive)
    assert [a.present for a in export.chats[0].attachments] == [True, False, False]
    assert export.source_sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_folder_source_hash_is_the_text_file() -> None:
    text = DATA / "android_group" / "WhatsApp Chat with Ward 7 Residents.txt"
    export = WhatsAppTextParser().parse_path(DATA / "android_group")
    assert export.source == str(text)
    assert export.source_sha256 == hashlib.sha256(text.read_bytes()).hexdigest()


def test_parenthesis_after_a_file_name_in_text_is_not_an_attachment(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Asha.txt"
    path.write_text(
        "05/01/2026, 10:00 - Asha: report.pdf (see page 2)\n"
        "05/01/2026, 10:01 - Ravi: <Media weggelaten>\n",
        encoding="utf-8",
    )
    [chat] = WhatsAppTextParser().parse_path(path).chats
    assert chat.messages[0].attachments == ()
    assert chat.messages[0].text == "report.pdf (see page 2)"
    assert [a.note for a in chat.attachments] == ["<Media weggelaten>"]


def test_ios_damaged_line_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "_chat.txt"
    path.write_bytes(
        "[1/4/26, 12:00:00\u202fPM] Asha Menon: Prices list tomorrow\r\n"
        "[1/4/26, 13:61:00\u202fPM] Ravi Kumar: broken time\r\n"
        "[1/14/26, 9:15:00\u202fAM] Ravi Kumar: Market closed on Friday\r\n".encode()
    )
    export = WhatsAppTextParser().parse_path(path)
    assert [str(w) for w in export.warnings] == ["line 2: header with an impossible date or time"]
    assert [m.id for m in export.chats[0].messages] == ["1", "3"]
    assert export.chats[0].messages[0].text.endswith("broken time")


def test_probe_rejects_a_large_binary_without_newlines(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00" * 5_000_000)
    assert not WhatsAppTextParser.probe_path(blob)


def test_export_zip_read_as_a_member_of_another_zip(tmp_path: Path) -> None:
    """WhatsApp's own zip inside an extraction zip: parsed from the member, media included."""
    outer = tmp_path / "extraction.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(ANDROID_ZIP, f"Download/{ANDROID_ZIP.name}")
    expected = WhatsAppTextParser().parse_path(ANDROID_ZIP)
    with zipfile.ZipFile(outer) as archive, archive.open(f"Download/{ANDROID_ZIP.name}") as member:
        assert WhatsAppTextParser.probe(member, "export.zip")  # by content, not by name
        export = WhatsAppTextParser().parse(member, ANDROID_ZIP.name)
    assert export.source_sha256 == hashlib.sha256(ANDROID_ZIP.read_bytes()).hexdigest()
    assert export.chats[0].attachments == expected.chats[0].attachments
    assert export.chats[0].title == expected.chats[0].title
    assert [str(w) for w in export.warnings] == [str(w) for w in expected.warnings]


def test_text_from_a_stream_with_missing_media() -> None:
    """A lone text (no companion source): named media are "file missing", the rest parses."""
    text = DATA / "android_group" / "WhatsApp Chat with Ward 7 Residents.txt"
    with text.open("rb") as stream:
        export = WhatsAppTextParser().parse(stream, text.name)
    [chat] = export.chats
    assert chat.title == "Ward 7 Residents Association" and chat.message_count == 15
    assert [(a.message_id, a.present, a.note) for a in chat.attachments] == [
        ("5", False, "file missing"),
        ("7", False, "<Media omitted>"),
        ("18", False, "file missing"),
    ]


def test_you_labels_the_exporting_account_and_is_never_its_name(tmp_path: Path) -> None:
    """Merged across devices, an owner named "You" would carry that word as a name."""
    path = tmp_path / "WhatsApp Chat with Ward 7.txt"
    path.write_text(
        "05/01/2026, 10:00 - You: I will bring the chairs\n05/01/2026, 10:01 - Asha: Thank you\n",
        encoding="utf-8",
    )
    [chat] = WhatsAppTextParser().parse_path(path).chats
    owner = chat.participants["owner"]
    assert owner.names == [] and owner.message_count == 1
    assert [p.names for p in chat.participants.values() if p.id != "owner"] == [["Asha"]]
