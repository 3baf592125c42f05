"""The demo's chat writers: a plan's groups as the files the apps leave on a device.

Each writer is pure (no database, no clock): it takes groups, the device owner, everyone
by phone (:class:`~phunt.demo.plan.Person`) and the media bytes by
:attr:`~phunt.demo.plan.MediaFile.key`, and returns ``{path: bytes}`` with paths relative
to the device's root, where the real apps put them, ready for the container writers
(``phunt.demo.containers``). phunt's ingest finds and imports every one of them, in a folder
or inside a container:

- :func:`telegram_export` (a laptop or PC): Telegram Desktop's full-account JSON export,
  ``Users/<first name>/Downloads/Telegram Desktop/DataExport_<date>/result.json`` + media;
- :func:`whatsapp_txt` (a phone): WhatsApp's Android "Export chat" of one group,
  ``Download/WhatsApp Chat with <title>/`` (or ``Download/WhatsApp Chat with <title>.zip``);
- :func:`msgstore` (an Android phone): ``data/data/com.whatsapp/databases/msgstore.db`` and
  ``wa.db``, the media under ``data/media/0/Android/media/com.whatsapp/WhatsApp/Media/``;
- :func:`chatstorage` (an iPhone): ``AppDomainGroup-group.net.whatsapp.WhatsApp.shared/``
  with ``ChatStorage.sqlite``, ``Message/Media/...`` and the owner's preferences plist.

:func:`chat_files` picks the writer for a :data:`~phunt.demo.plan.ChatForm`.
"""

from __future__ import annotations

import random
from typing import Literal

from phunt.demo.chats_ios import chatstorage
from phunt.demo.chats_msgstore import msgstore
from phunt.demo.chats_telegram import telegram_export
from phunt.demo.chats_whatsapp import whatsapp_txt
from phunt.demo.plan import ChatForm, Group, Person
from phunt.errors import UsageError

__all__ = ["chat_files", "chatstorage", "msgstore", "telegram_export", "whatsapp_txt"]


def chat_files(
    form: ChatForm,
    groups: list[Group],
    owner: Person,
    people: dict[str, Person],
    media: dict[str, bytes],
    rng: random.Random,
) -> dict[str, bytes]:
    """Every file of ``groups``' chats in ``form`` on the owner's device.

    WhatsApp text exports are one per group, each a folder or a zip as ``rng`` decides;
    ``cache4`` is written by ``phunt.demo.cache4``, not here.
    """
    if form == "telegram-json":
        return telegram_export(groups, owner, people, media, rng)
    if form == "msgstore":
        return msgstore(groups, owner, people, media)
    if form == "chatstorage":
        return chatstorage(groups, owner, people, media)
    if form == "whatsapp-txt":
        files: dict[str, bytes] = {}
        for group in groups:
            shape: Literal["zip", "folder"] = "zip" if rng.random() < 0.5 else "folder"
            files.update(whatsapp_txt(group, owner, people, media, form=shape))
        return files
    raise UsageError(f"chat form {form!r} is not written by phunt.demo.chats")
