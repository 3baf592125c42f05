"""The chat-parser contract, the registry of parsers and format auto-detection.

Each export format is one :class:`ChatParser` subclass in one file, registered in
:data:`PARSERS`. A parser reads FILE OBJECTS, never paths, so it works the same on a file
on disk and on a member of a zip or disk image:

- ``probe(stream, name)`` says from content (plus the file name) whether the main file
  is this format; it reads little and may seek.
- :meth:`ChatParser.parse` is the template every format shares: it resolves the time
  zone, checks the format (:meth:`ChatParser.accepts`, else
  :class:`~phunt.errors.WrongFormat`), records the main file's SHA-256 through
  :mod:`phunt.hashing.crypto`, creates the :class:`~phunt.chats.model.ChatExport` and
  hands a :class:`ParseContext` to the format's ``_parse(stream, context)``.
- What a format needs beyond the main file (media, ``photos/``, ``-wal``) it asks of
  ``context.source``, a :class:`~phunt.chats.source.ChatSource` with names relative to
  the main file's folder: that is the only thing a container-backed caller replaces.
- ``main_file(source)`` names the main file when an examiner points at a whole folder.

``_parse`` raises :class:`~phunt.errors.CorruptInput` (with a line, message or row) for
input that is its format but cannot be read at all; damage confined to one line or
message becomes a :class:`~phunt.chats.model.ParseWarning` and parsing goes on.
The main stream must be seekable (``zipfile`` members are when the zip's file is).
"""

from __future__ import annotations

import importlib
import mimetypes
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phunt.chats.model import Chat, ChatExport, Message, Platform
from phunt.chats.source import ChatSource, FolderChatSource, NoCompanions
from phunt.errors import UsageError, WrongFormat
from phunt.hashing.crypto import sha256_stream
from phunt.registry import Registry

DEFAULT_TZ = "Asia/Kolkata"
MessageSink = Callable[[Chat, Message], None]
"""Called once per message as it is parsed; lets a caller store messages in bounded memory."""


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the template hands a format's ``_parse``: where to put results, and from where.

    ``name`` is the main file's name, ``origin`` what the examiner named (a path or a
    locator: errors cite it), ``source`` the companions, ``tz`` the zone for local times
    without an offset, ``keep`` whether messages stay in memory, ``sink`` the per-message
    callback.
    """

    export: ChatExport
    name: str
    origin: str
    source: ChatSource
    tz: ZoneInfo
    keep: bool
    sink: MessageSink | None


class ChatParser(ABC):
    """One export format. Subclasses set ``name``, ``platform`` and ``label`` and register."""

    name: ClassVar[str]
    platform: ClassVar[Platform]
    label: ClassVar[str]
    """What the format is called in "not a ..." messages."""
    main_names: ClassVar[tuple[str, ...]] = ()
    """Names of the main file in an export folder, in order of preference."""
    yields_to: ClassVar[tuple[str, ...]] = ()
    """Files whose presence in the folder marks another format's export."""

    @classmethod
    @abstractmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        """True when the file ``name`` (``stream``, at its start) looks like this format."""

    @classmethod
    def accepts(cls, stream: BinaryIO, name: str) -> bool:
        """Whether :meth:`parse` tries the file; the probe, unless damage is better reported."""
        return cls.probe(stream, name)

    @classmethod
    def main_file(cls, source: ChatSource) -> str | None:
        """The main file of an export folder, when the examiner names the folder."""
        if any(source.exists(other) for other in cls.yields_to):
            return None
        return next((n for n in cls.main_names if source.exists(n)), None)

    @abstractmethod
    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        """Read ``stream`` (the main file, at its start) into ``context.export``."""

    def parse(
        self,
        stream: BinaryIO,
        name: str,
        *,
        source: ChatSource | None = None,
        origin: str | None = None,
        tz: str = DEFAULT_TZ,
        keep_messages: bool = True,
        on_message: MessageSink | None = None,
    ) -> ChatExport:
        """Parse the main file ``name`` read from ``stream`` (binary, seekable).

        ``source`` gives the companion files (none when omitted); ``origin`` is what errors
        cite (default: how ``source`` shows ``name``). ``tz`` is the zone assumed for local
        times that carry no offset. With ``keep_messages=False`` only aggregates
        (participants, roles, counts, attachments) stay in memory; ``on_message`` still
        sees every message.
        """
        companions = source if source is not None else NoCompanions()
        shown = companions.describe(name)
        where = origin if origin is not None else shown
        tzinfo = zone(tz)
        stream.seek(0)
        if not self.accepts(stream, name):
            raise WrongFormat(f"not a {self.label}", path=where)
        stream.seek(0)
        export = ChatExport(self.platform, self.name, shown, sha256_stream(stream))
        stream.seek(0)
        context = ParseContext(export, name, where, companions, tzinfo, keep_messages, on_message)
        self._parse(stream, context)
        return export

    def parse_path(
        self,
        path: Path | str,
        *,
        tz: str = DEFAULT_TZ,
        keep_messages: bool = True,
        on_message: MessageSink | None = None,
    ) -> ChatExport:
        """:meth:`parse` for a file or export folder on disk."""
        path = Path(path)
        source, main = self.locate(path)
        stream = None if main is None else source.open(main)
        if stream is None or main is None:
            what = f"no {self.label} in folder" if path.is_dir() else f"not a {self.label}"
            raise WrongFormat(what, path=str(path))
        with stream:
            return self.parse(
                stream,
                main,
                source=source,
                origin=str(path),
                tz=tz,
                keep_messages=keep_messages,
                on_message=on_message,
            )

    @classmethod
    def locate(cls, path: Path) -> tuple[FolderChatSource, str | None]:
        """The folder source and main file name for a path (a file, or an export folder)."""
        if path.is_dir():
            source = FolderChatSource(path)
            return source, cls.main_file(source)
        return FolderChatSource(path.parent), path.name if path.is_file() else None

    @classmethod
    def probe_path(cls, path: Path) -> bool:
        """:meth:`probe` for a file or export folder on disk."""
        source, main = cls.locate(path)
        try:
            stream = None if main is None else source.open(main)
            if stream is None or main is None:
                return False
            with stream:
                return cls.probe(stream, main)
        except OSError:
            return False


PARSERS: Registry[type[ChatParser]] = Registry("chat format")
#: The parser modules, in the order their probes are tried. They are imported on first use
#: of the registry (:func:`load_parsers`), not with the package: ingest's name rules
#: (:mod:`phunt.chats.candidate`) need none of them.
PARSER_MODULES = (
    "telegram_html",
    "telegram_json",
    "whatsapp_msgstore",
    "whatsapp_ios",
    "whatsapp_txt",
    "telegram_cache4",
)


def load_parsers() -> Registry[type[ChatParser]]:
    """:data:`PARSERS` with every parser module imported (each registers itself)."""
    for module in PARSER_MODULES:
        importlib.import_module(f"phunt.chats.{module}")
    return PARSERS


def register(cls: type[ChatParser]) -> type[ChatParser]:
    """Class decorator: add a parser to :data:`PARSERS` under its ``name``, after the
    parsers of the modules before its own in :data:`PARSER_MODULES` (loaded first if
    need be), so probes run in the same order whichever parser was imported first."""
    module = cls.__module__.rpartition(".")[2]
    if module in PARSER_MODULES:
        for earlier in PARSER_MODULES[: PARSER_MODULES.index(module)]:
            importlib.import_module(f"phunt.chats.{earlier}")
    PARSERS.register(cls.name, cls)
    return cls


def detect(path: Path) -> type[ChatParser]:
    """The registered parser whose probe accepts ``path``; WrongFormat when none does."""
    if not path.exists():
        raise WrongFormat("no such file or directory", path=str(path))
    for _name, cls in load_parsers():
        if cls.probe_path(path):
            return cls
    raise WrongFormat(
        f"not a recognised chat export (tried: {', '.join(PARSERS.names())})", path=str(path)
    )


def detect_stream(stream: BinaryIO, name: str) -> type[ChatParser]:
    """The registered parser whose probe accepts the main file ``name`` read from ``stream``."""
    for _name, cls in load_parsers():
        stream.seek(0)
        try:
            if cls.probe(stream, name):
                return cls
        except OSError:
            continue
    raise WrongFormat(
        f"not a recognised chat export (tried: {', '.join(PARSERS.names())})", path=name
    )


def parse_export(
    path: Path | str,
    *,
    format: str | None = None,
    tz: str = DEFAULT_TZ,
    keep_messages: bool = True,
    on_message: MessageSink | None = None,
) -> ChatExport:
    """Parse ``path`` with the named parser, or the auto-detected one when ``format`` is None."""
    path = Path(path)
    cls = load_parsers().get(format) if format is not None else detect(path)
    return cls().parse_path(path, tz=tz, keep_messages=keep_messages, on_message=on_message)


def zone(tz: str) -> ZoneInfo:
    """The zone named ``tz``, or a UsageError naming the bad value."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {tz!r}") from None


def guess_mime(name: str | None) -> str | None:
    """MIME type from the file name; cheap, and marked as a guess by being optional."""
    if not name:
        return None
    return mimetypes.guess_type(name, strict=False)[0]
