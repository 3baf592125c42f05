"""App tags from where a file sits on a phone."""

from __future__ import annotations

import pytest

from phunt.sources.apps import app_for_path


@pytest.mark.parametrize(
    ("path", "app"),
    [
        ("phone.zip!/WhatsApp/Media/WhatsApp Images/Sent/IMG-1.jpg", "whatsapp"),
        ("sdcard/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Video/v.mp4", "whatsapp"),
        ("x/WhatsApp Images/a.jpg", "whatsapp"),
        ("Android/media/com.whatsapp.w4b/WhatsApp Business/Media/a.jpg", "whatsapp-business"),
        ("ios/AppDomainGroup-group.net.whatsapp.WhatsApp.shared/Message/a.jpg", "whatsapp"),
        ("ios/AppDomainGroup-group.ph.telegra.Telegraph/media/a.jpg", "telegram"),
        ("x/not-group.net.whatsapp.WhatsApp.shared.bak/a.jpg", None),
        ("shared/group.net.whatsapp.WhatsApp.shared/Message/Media/a.jpg", "whatsapp"),
        ("Telegram/Telegram Images/p.jpg", "telegram"),
        ("Android/data/org.telegram.messenger/cache/p.jpg", "telegram"),
        ("Pictures/Telegram/p.jpg", "telegram"),
        ("disk.E01!/p1/DCIM/Camera/IMG_0001.jpg", "camera"),
        ("DCIM/100APPLE/IMG_0001.HEIC", "camera"),
        ("Pictures/Screenshots/s.png", "screenshots"),
        ("DCIM/Screenshots/s.png", "screenshots"),
        ("dcim\\camera\\a.jpg", "camera"),
        ("Documents/DCIM", None),  # a file named like a folder is not in it
        ("Documents/notes.txt", None),
        ("", None),
    ],
)
def test_app_for_path(path: str, app: str | None) -> None:
    assert app_for_path(path) == app
