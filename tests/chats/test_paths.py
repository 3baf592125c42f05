"""Paths from evidence kept inside the evidence; the evidence root and media roots of layouts."""

from __future__ import annotations

import re

import pytest

from phunt.chats.paths import PathRefused, device_media, evidence_root, on_device, resolve

DB = "phone.zip!/data/data/com.whatsapp/databases"


@pytest.mark.parametrize(
    ("folder", "name", "root", "outcome"),
    [
        ("ext", "photos/a.jpg", "ext", "ext/photos/a.jpg"),
        ("ext", "photos/../a.jpg", "ext", "ext/a.jpg"),
        ("WhatsApp/Databases", "../Media/a.jpg", "WhatsApp", "WhatsApp/Media/a.jpg"),
        ("/ev/x/Databases", "../Media/a.jpg", "/ev/x", "/ev/x/Media/a.jpg"),
        ("chat", "a.jpg", "", "chat/a.jpg"),
        ("", "a.jpg", "", "a.jpg"),
        ("ext", "photos/../../x.jpg", "ext", "refused: leaves the evidence (ext)"),
        ("/ev/ext", "../../../etc/passwd", "/ev/ext", "refused: leaves the evidence (/ev/ext)"),
        ("WhatsApp/Databases", "../../x.jpg", "WhatsApp", "refused: leaves the evidence"),
        ("chat", "../../x.jpg", "", "refused: leaves the evidence (its top)"),
        ("ext", "/etc/passwd", "ext", "refused: is absolute"),
        ("ext", "C:/Windows/win.ini", "ext", "refused: is absolute"),
        ("ext", "a\\..\\..\\b", "ext", "refused: not a relative path"),
        ("ext", "a\0b", "ext", "refused: not a relative path"),
        ("ext", "", "ext", "refused: not a relative path"),
        ("ext", "photos/..", "ext", "refused: names no file"),
    ],
)
def test_paths_resolve_inside_the_evidence_or_are_refused_with_the_reason(
    folder: str, name: str, root: str, outcome: str
) -> None:
    if not outcome.startswith("refused: "):
        assert resolve(folder, name, root) == outcome
        return
    with pytest.raises(PathRefused, match=re.escape(outcome.removeprefix("refused: "))):
        resolve(folder, name, root)


def test_a_sibling_folder_with_the_roots_name_as_prefix_is_outside() -> None:
    with pytest.raises(PathRefused):
        resolve("/ev/x", "../x-other/a.jpg", "/ev/x")


@pytest.mark.parametrize(
    ("folder", "root"),
    [
        (DB, "phone.zip!"),
        ("Dump/data/user/0/com.whatsapp.w4b/databases", "Dump"),
        ("data/data/org.telegram.messenger/files", ""),
        ("/mnt/phone/data/data/com.whatsapp/databases", "/mnt/phone"),
        ("/data/data/com.whatsapp/databases", "/"),
        ("phone.zip!/WhatsApp/Databases", "phone.zip!/WhatsApp"),
        ("phone/org.telegram.messenger/files", "phone/org.telegram.messenger"),
        ("/ev/Telegram Desktop/ChatExport", "/ev/Telegram Desktop/ChatExport"),
    ],
)
def test_evidence_root_follows_the_layout(folder: str, root: str) -> None:
    assert evidence_root(folder) == root


def test_whatsapp_media_roots_newest_android_first_then_older_then_other_mounts() -> None:
    roots = device_media(DB)
    up = "../../../.."
    assert [r.prefix for r in roots[:4]] == [
        f"{up}/data/media/0/Android/media/com.whatsapp/WhatsApp/",
        f"{up}/data/media/0/WhatsApp/",
        f"{up}/sdcard/Android/media/com.whatsapp/WhatsApp/",
        f"{up}/sdcard/WhatsApp/",
    ]
    assert len(roots) == 6 and all(r.device for r in roots)
    assert (
        roots[0].layout == "data/media/0/Android/media/com.whatsapp/WhatsApp, Android 11 and later"
    )
    for root in roots:  # every root stays inside the device
        resolve(DB, root.prefix + "Media/a.jpg", evidence_root(DB))


def test_business_and_telegram_media_roots() -> None:
    business = device_media("data/user/0/com.whatsapp.w4b/databases")
    assert business[0].prefix.endswith(
        "data/media/0/Android/media/com.whatsapp.w4b/WhatsApp Business/"
    )
    assert business[1].prefix.endswith("data/media/0/WhatsApp Business/")
    telegram = device_media("data/data/org.telegram.messenger/files")
    assert [r.prefix for r in telegram[:2]] == [
        "../../../../data/media/0/Android/data/org.telegram.messenger/files/",
        "../../../../data/media/0/",
    ]


def test_folders_of_no_known_layout_have_no_device_media() -> None:
    assert device_media("phone.zip!/WhatsApp/Databases") == []
    assert device_media("data/data/com.example/databases") == []


def test_an_absolute_phone_path_is_looked_for_under_each_storage_folder() -> None:
    found = on_device(DB, "/storage/emulated/0/WhatsApp/Media/WhatsApp Images/IMG-1.jpg")
    assert found is not None
    rest, roots = found
    assert rest == "WhatsApp/Media/WhatsApp Images/IMG-1.jpg"
    assert [r.prefix for r in roots] == [
        "../../../../data/media/0/",
        "../../../../sdcard/",
        "../../../../storage/emulated/0/",
    ]
    assert on_device(DB, "/etc/passwd") is None
    assert on_device("phone.zip!/WhatsApp/Databases", "/sdcard/WhatsApp/a.jpg") is None
