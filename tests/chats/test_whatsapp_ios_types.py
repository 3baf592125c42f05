"""ChatStorage.sqlite with wrongly typed columns (a damaged or altered database: SQLite
keeps whatever type a row was given): the parse finishes, each bad value is a warning
naming its table and row, and the other rows are read as before."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from phunt.chats import whatsapp_ios
from phunt.chats.model import ChatExport
from phunt.chats.whatsapp_ios import WhatsAppIosParser
from phunt.chats.whatsapp_jids import chat_kind
from test_lib import TEST_DATA

CLEAN = [
    ("1", ""),
    ("2", "Good morning, everyone"),
    ("3", "Morning! The meeting is at ten"),
    ("4", "Here is the agenda"),
    ("5", ""),
    ("6", "A picture that was not downloaded"),
]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_phones", TEST_DATA / "chats" / "make_phones.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    """The generator's database, its chat JID column left untyped (so a number stays a
    number), with an integer JID chat, BLOB text, chat title, push names and media title."""
    make = _generator()
    schema = str(getattr(make, "IOS_SCHEMA"))  # noqa: B009 (a module loaded from a path)
    setattr(make, "IOS_SCHEMA", schema.replace("ZCONTACTJID VARCHAR", "ZCONTACTJID"))  # noqa: B010
    path = tmp_path / "ChatStorage.sqlite"
    make.chat_storage(path, 1000)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID) VALUES (3, 919800000005)")
        db.execute("UPDATE ZWACHATSESSION SET ZPARTNERNAME = x'4173' WHERE Z_PK = 2")
        db.execute("UPDATE ZWAMESSAGE SET ZTEXT = x'486920616761696e' WHERE Z_PK = 8")
        db.execute("UPDATE ZWAMESSAGE SET ZPUSHNAME = x'52' WHERE Z_PK = 3")
        db.execute("UPDATE ZWAMEDIAITEM SET ZTITLE = x'00ff' WHERE Z_PK = 2")
        db.execute("UPDATE ZWAPROFILEPUSHNAME SET ZPUSHNAME = x'4d53' WHERE ZJID LIKE '%04@%'")
    db.close()
    return path


def _parse(path: Path) -> ChatExport:
    return WhatsAppIosParser().parse_path(path.parent)


def test_wrong_types_are_warnings_naming_table_and_row(storage: Path) -> None:
    export = _parse(storage)
    assert [str(w) for w in export.warnings] == [
        "row 2 of ZWACHATSESSION: ZPARTNERNAME is a BLOB, not text; read as text",
        "row 3 of ZWACHATSESSION: ZCONTACTJID is int, not text; left out",
        "row 3 of ZWACHATSESSION: chat without a JID; skipped",
        "row 3 of ZWAMESSAGE: ZPUSHNAME is a BLOB, not text; read as text",
        "row 2 of ZWAMEDIAITEM: ZTITLE is a BLOB, not text; read as text",
        "row 8 of ZWAMESSAGE: ZTEXT is a BLOB, not text; read as text",
        "row 2 of ZWAPROFILEPUSHNAME: ZPUSHNAME is a BLOB, not text; read as text",
    ]
    group, private = export.chats
    assert [(m.id, m.text) for m in group.messages] == CLEAN
    assert [(m.id, m.text) for m in private.messages] == [
        ("7", "See you at the library"),
        ("8", "Hi again"),
        ("9", ""),
    ]
    assert all(isinstance(m.text, str) for m in group.messages + private.messages)
    assert private.title == "As"
    assert group.attachments[1].file_name == "\x00\xff"
    assert group.participants["+919800000003"].names == ["Ravi K", "R"]
    assert group.participants["+919800000004"].names == ["Meera", "MS"]


def test_a_row_the_code_cannot_use_is_skipped_and_named(
    storage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    def fails_on_asha(jid: str) -> str:
        if jid.startswith("919800000002"):
            raise ValueError("not a kind")
        return chat_kind(jid)

    monkeypatch.setattr(whatsapp_ios, "chat_kind", fails_on_asha)
    export = _parse(storage)
    warnings = [str(w) for w in export.warnings]
    assert (
        warnings[1] == "row 2 of ZWACHATSESSION: unreadable row (ValueError: not a kind); skipped"
    )
    assert warnings[6:9] == [
        "row 7 of ZWAMESSAGE: chat 2 is not in ZWACHATSESSION",
        "row 8 of ZWAMESSAGE: chat 2 is not in ZWACHATSESSION",
        "row 9 of ZWAMESSAGE: chat 2 is not in ZWACHATSESSION",
    ]
    (group,) = export.chats
    assert [(m.id, m.text) for m in group.messages] == CLEAN
