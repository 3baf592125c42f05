"""The demo's chat writers: a plan's groups as the files the apps leave on a device.

Each writer is pure (no database, no clock): it takes groups, the device owner, everyone
by phone (:class:`~phunt.demo.plan.Person`) and the media bytes by
:attr:`~phunt.demo.plan.MediaFile.key`, and returns ``{path: bytes}`` with paths relative
to the device's root, where the real apps put them, ready for the container writers
(``phunt.demo.containers``). phunt's ingest finds and imports every one of them, in a folder
or inside a container:

- :func:`telegram_export` (a laptop or PC): Telegram Desktop's full-account JSON export,
  ``Users/<name>/Downloads/Telegram Desktop/DataExport_<date>/result.json`` + media;
- :func:`whatsapp_txt` (a phone): WhatsApp's Android "Export chat" of one group,
  ``Download/WhatsApp Chat with <title>/`` (or ``.zip``);
- :func:`msgstore` (an Android phone): ``data/data/com.whatsapp/databases/msgstore.db`` and
  ``wa.db``, the media under ``data/media/0/Android/media/com.whatsapp/WhatsApp/Media/``;
- :func:`chatstorage` (an iPhone): ``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/``
  with ``ChatStorage.sqlite``, ``Message/Media/...`` and the owner's preferences plist.
"""

from __future__ import annotations

from phunt.demo.chats_ios import chatstorage
from phunt.demo.chats_msgstore import msgstore
from phunt.demo.chats_telegram import telegram_export
from phunt.demo.chats_whatsapp import whatsapp_txt

__all__ = ["chatstorage", "msgstore", "telegram_export", "whatsapp_txt"]
