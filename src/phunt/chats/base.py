"""The chat-parser contract, the registry of parsers and format auto-detection.

Each export format is one :class:`ChatParser` subclass in one file, registered in
:data:`PARSERS`. ``probe`` looks at content (not just the file name) and must be cheap;
``parse`` raises :class:`~phunt.errors.WrongFormat` for input that is not its format and
:class:`~phunt.errors.CorruptInput` (with a line, message or row) for input that is its
format but cannot be read at all. Damage confined to one line or message becomes a
:class:`~phunt.chats.model.ParseWarning` and parsing goes on.
"""

from __future__ import annotations

import hashlib
import mimetypes
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import IO, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phunt.chats.model import Chat, ChatExport, Message, Platform
from phunt.errors import UsageError, WrongFormat
from phunt.registry import Registry

DEFAULT_TZ = "Asia/Kolkata"
MessageSink = Callable[[Chat, Message], None]
"""Called once per message as it is parsed; lets a caller store messages in bounded memory."""

_CHUNK = 1 << 20


class ChatParser(ABC):
    """One export format. Subclasses set ``name`` and ``platform`` and register themselves."""

    name: ClassVar[str]
    platform: ClassVar[Platform]

    @classmethod
    @abstractmethod
    def probe(cls, path: Path) -> bool:
        """True when ``path`` looks like this format by its content."""

    @abstractmethod
    def parse(
        self,
        path: Path,
        *,
        tz: str = DEFAULT_TZ,
        keep_messages: bool = True,
        on_message: MessageSink | None = None,
    ) -> ChatExport:
        """Parse the export at ``path``.

        ``tz`` is the zone assumed for local times that carry no offset. With
        ``keep_messages=False`` only aggregates (participants, roles, counts, attachments)
        stay in memory; ``on_message`` still sees every message.
        """


PARSERS: Registry[type[ChatParser]] = Registry("chat format")


def register(cls: type[ChatParser]) -> type[ChatParser]:
    """Class decorator: add a parser to :data:`PARSERS` under its ``name``."""
    PARSERS.register(cls.name, cls)
    return cls


def detect(path: Path) -> type[ChatParser]:
    """The registered parser whose probe accepts ``path``; WrongFormat when none does."""
    if not path.exists():
        raise WrongFormat("no such file or directory", path=str(path))
    for _name, cls in PARSERS:
        if cls.probe(path):
            return cls
    raise WrongFormat(
        f"not a recognised chat export (tried: {', '.join(PARSERS.names())})", path=str(path)
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
    cls = PARSERS.get(format) if format is not None else detect(path)
    return cls().parse(path, tz=tz, keep_messages=keep_messages, on_message=on_message)


def zone(tz: str) -> ZoneInfo:
    """The zone named ``tz``, or a UsageError naming the bad value."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {tz!r}") from None


class FileDigest:
    """Size and MD5/SHA-1/SHA-256 of a byte stream, read in chunks (bounded memory)."""

    __slots__ = ("md5", "sha1", "sha256", "size")

    def __init__(self, stream: IO[bytes]) -> None:
        md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
        size = 0
        while chunk := stream.read(_CHUNK):
            md5.update(chunk)
            sha1.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
        self.size = size
        self.md5, self.sha1, self.sha256 = md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a source file, recorded so the parse is traceable to exact bytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def guess_mime(name: str | None) -> str | None:
    """MIME type from the file name; cheap, and marked as a guess by being optional."""
    if not name:
        return None
    return mimetypes.guess_type(name, strict=False)[0]
