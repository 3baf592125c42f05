"""WhatsApp "Export chat" text (Android and iOS), alone, in a folder, or as the exported .zip.

The export has no ids and no time zone: a message is identified by the line its header is
on, and local times are read in the caller's ``tz`` (recorded as assumed). Date order
(day-first or month-first) is decided per file from the values seen, as
../shared/formats/whatsapp-chat-export.md recommends, in a first pass that stops as soon
as it is decisive. Media is hashed straight from the zip member or file, never extracted.

This module holds the parser; the line grammar is in :mod:`~phunt.chats.whatsapp_txt_lines`,
the text's discovery in ``_files``, people and notices in ``_notices``, records in ``_records``.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import BinaryIO

from phunt.chats.base import ChatParser, ParseContext, register
from phunt.chats.source import ChatSource, ZipChatSource
from phunt.chats.whatsapp_txt_files import ExportText, chat_title, text_member
from phunt.chats.whatsapp_txt_lines import first_lines_match
from phunt.chats.whatsapp_txt_records import Run
from phunt.errors import CorruptInput, WrongFormat


@register
class WhatsAppTextParser(ChatParser):
    """WhatsApp's "Export chat" .txt (Android ``-`` style or iOS ``[...]`` style), or its zip."""

    name = "whatsapp-txt"
    platform = "whatsapp"
    label = "WhatsApp chat text export"

    @classmethod
    def main_file(cls, source: ChatSource) -> str | None:
        return text_member(source.list())

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        if name.lower().endswith(".zip") and chat_title(name):
            return True  # named like WhatsApp's own export: a damaged one is still ours
        try:
            if zipfile.is_zipfile(stream):
                stream.seek(0)
                with zipfile.ZipFile(stream) as archive:
                    member = text_member(archive.namelist())
                    if member is None:
                        return False
                    with archive.open(member) as text:
                        return first_lines_match(text)
        except (OSError, EOFError, zipfile.BadZipFile):
            return False
        stream.seek(0)
        return first_lines_match(stream)

    @classmethod
    def accepts(cls, stream: BinaryIO, name: str) -> bool:
        """Any file: a text without one message header is damage (CorruptInput), not WrongFormat."""
        return True

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        if not (name := context.name).lower().endswith(".zip") and not zipfile.is_zipfile(stream):
            title = chat_title(name) or chat_title(PurePath(context.origin).name)
            self._read(ExportText(name, title, context.source, stream), context)
            return
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
            names = archive.namelist()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CorruptInput(f"unreadable zip: {exc}", path=context.origin) from None
        with archive:
            member = text_member(names)
            if member is None:
                raise WrongFormat("zip holds no WhatsApp chat text", path=context.origin)
            media = ZipChatSource(archive, member.rpartition("/")[0], context.export.source)
            text = ExportText(
                member, chat_title(name) or chat_title(member), media, stream, archive
            )
            self._read(text, context)

    @staticmethod
    def _read(text: ExportText, context: ParseContext) -> None:
        try:
            Run(text, context).parse()
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise CorruptInput(f"cannot read chat text: {exc}", path=context.origin) from None
