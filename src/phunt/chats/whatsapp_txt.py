"""WhatsApp "Export chat" text (Android and iOS), alone, in a folder, or as the exported .zip.

The export has no ids and no time zone: a message is identified by the line its header is
on, and local times are read in the caller's ``tz`` (recorded as assumed). Date order
(day-first or month-first) is decided per file from the values seen, as
../shared/formats/whatsapp-chat-export.md recommends, in a first pass that stops as soon
as it is decisive. Media is hashed straight from the zip member or file, never extracted.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import IO, BinaryIO

from phunt.chats import notices, roles
from phunt.chats.attachments import MediaFinder, present
from phunt.chats.base import ChatParser, ParseContext, guess_mime, register
from phunt.chats.invites import note_links
from phunt.chats.model import Attachment, Chat, Message, Participant
from phunt.chats.source import ChatSource, ZipChatSource
from phunt.errors import CorruptInput, WrongFormat
from phunt.phones import clean, looks_like_phone, to_e164

HEADER = re.compile(
    r"^[\u200e\u200f\ufeff]*(?P<br>\[)?(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)"
    r"(?P<c>\d{2,4})\.?,?\s(?:klo\s)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
    r"(?:\s?(?P<ap>[AaPp]\.?\s?[Mm]\.?))?(?(br)\]\s|(?:\s-\s|:\s))(?P<rest>.*)$"
)
OWNER_ID = "owner"
UNRECOGNISED = "unrecognised-notice"
#: Notice kinds (phunt.chats.notices) as the actions messages carry (Telegram's names where
#: Telegram has the same event).
_ACTIONS = {
    "created": "create_group",
    "added": "add_members",
    "was_added": "added",
    "removed": "remove_members",
    "was_removed": "removed",
    "left": "left",
    "joined_link": "join_group_by_link",
    "admin_granted": "admin_granted",
    "admin_revoked": "admin_revoked",
    "subject_changed": "edit_group_title",
    "icon_changed": "edit_group_photo",
    "description_changed": "edit_description",
    "settings_changed": "settings",
    "security_code_changed": "security_code_changed",
    "number_changed": "number_change",
    "encryption": "encryption_notice",
}
_NOT_GROUP = ("encryption", "number_changed", "security_code_changed")
_CHAT_NOTICE = notices.chat_notice_prefixes()
_PROBE_LINES = 20
_PROBE_LINE_BYTES = 4096


@dataclass
class _Text:
    """The chat text (the main file, or a member of the zip that is) and where media live."""

    name: str
    title: str | None
    media: ChatSource
    stream: BinaryIO
    archive: zipfile.ZipFile | None = None

    def open_text(self) -> AbstractContextManager[IO[bytes]]:
        if self.archive is not None:
            return self.archive.open(self.name)
        self.stream.seek(0)
        return nullcontext(self.stream)  # read twice (date order, then records); not closed


def _text_member(names: list[str]) -> str | None:
    for name in names:
        base = name.rsplit("/", 1)[-1]
        if base == "_chat.txt" or (base.startswith("WhatsApp Chat") and base.endswith(".txt")):
            return name
    texts = [n for n in names if n.endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    zips = [n for n in names if n.lower().endswith(".zip") and "/" not in n]
    return zips[0] if not texts and len(zips) == 1 else None  # a folder holding the export zip


def _first_lines_match(stream: IO[bytes]) -> bool:
    for _ in range(_PROBE_LINES):
        raw = stream.readline(_PROBE_LINE_BYTES)  # bounded: probes also see large binaries
        if not raw:
            return False
        line = raw.decode("utf-8", "replace").strip()
        if line:
            return HEADER.match(line) is not None
    return False


def _title(name: str) -> str | None:
    return notices.export_title(name.rsplit("/", 1)[-1])


@register
class WhatsAppTextParser(ChatParser):
    """WhatsApp's "Export chat" .txt (Android ``-`` style or iOS ``[...]`` style), or its zip."""

    name = "whatsapp-txt"
    platform = "whatsapp"
    label = "WhatsApp chat text export"

    @classmethod
    def main_file(cls, source: ChatSource) -> str | None:
        return _text_member(source.list())

    @classmethod
    def probe(cls, stream: BinaryIO, name: str) -> bool:
        if name.lower().endswith(".zip") and _title(name):
            return True  # named like WhatsApp's own export: a damaged one is still ours
        try:
            if zipfile.is_zipfile(stream):
                stream.seek(0)
                with zipfile.ZipFile(stream) as archive:
                    member = _text_member(archive.namelist())
                    if member is None:
                        return False
                    with archive.open(member) as text:
                        return _first_lines_match(text)
        except (OSError, EOFError, zipfile.BadZipFile):
            return False
        stream.seek(0)
        return _first_lines_match(stream)

    @classmethod
    def accepts(cls, stream: BinaryIO, name: str) -> bool:
        """Any file: a text without one message header is damage (CorruptInput), not WrongFormat."""
        return True

    def _parse(self, stream: BinaryIO, context: ParseContext) -> None:
        if not (name := context.name).lower().endswith(".zip") and not zipfile.is_zipfile(stream):
            title = _title(name) or _title(PurePath(context.origin).name)
            self._read(_Text(name, title, context.source, stream), context)
            return
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
            names = archive.namelist()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CorruptInput(f"unreadable zip: {exc}", path=context.origin) from None
        with archive:
            member = _text_member(names)
            if member is None:
                raise WrongFormat("zip holds no WhatsApp chat text", path=context.origin)
            media = ZipChatSource(archive, member.rpartition("/")[0], context.export.source)
            text = _Text(member, _title(name) or _title(member), media, stream, archive)
            self._read(text, context)

    @staticmethod
    def _read(text: _Text, context: ParseContext) -> None:
        try:
            _Run(text, context).parse()
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise CorruptInput(f"cannot read chat text: {exc}", path=context.origin) from None


def _lines(stream: IO[bytes], warn: Callable[[str, str], None]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("utf-8", "replace")
            warn(f"line {number}", "invalid UTF-8, undecodable bytes replaced")
        yield number, line.rstrip("\r\n").lstrip("\ufeff") if number == 1 else line.rstrip("\r\n")


class _Run:
    """One parse: date order first, then records (header line plus continuation lines)."""

    def __init__(self, source: _Text, context: ParseContext) -> None:
        self.export, self.source, self.tz = context.export, source, context.tz
        self.keep, self.sink = context.keep, context.sink
        self.found = MediaFinder(source.media, context.export)
        title = source.title
        self.chat = Chat("whatsapp", f"title:{title or source.name}", title, "private")
        self.day_first = True
        self.authors: set[str] = set()
        self.is_group = False
        self.owner_name: tuple[str, int] | None = None
        self.people: dict[str, Participant] = {}
        self.stamps: dict[str, datetime | None] = {}

    def parse(self) -> None:
        self.day_first = self.date_order()
        record: tuple[int, re.Match[str]] | None = None
        body: list[str] = []
        with self.source.open_text() as stream:
            for number, line in _lines(stream, self.export.warn):
                match = HEADER.match(line)
                if match is not None and self.cached_stamp(line, match) is None:
                    self.export.warn(f"line {number}", "header with an impossible date or time")
                    match = None
                if match is None:
                    if record is None:
                        if line.strip():
                            self.export.warn(f"line {number}", "text before the first message")
                        continue
                    body.append(line)
                    continue
                if record is not None:
                    self.record(record[0], record[1], body)
                record, body = (number, match), []
        if record is None:
            inside = f"{self.source.name} " if self.source.archive is not None else ""
            raise CorruptInput(
                "no WhatsApp message header found",
                path=self.export.source,
                location=f"{inside}line 1",
            )
        self.record(record[0], record[1], body)
        self.finish()

    def date_order(self) -> bool:
        """True for day-first. Decided by the first field above 12 in either position."""
        high_a = high_b = 0
        day_month = False  # any header not year-first (those have one order: y-m-d)
        with self.source.open_text() as stream:
            for number, line in _lines(stream, lambda _where, _what: None):
                match = HEADER.match(line)
                if match is None or len(match["a"]) == 4:
                    continue
                day_month = True
                high_a, high_b = max(high_a, int(match["a"])), max(high_b, int(match["b"]))
                if high_a > 12 and high_b <= 12:
                    return True
                if high_b > 12 and high_a <= 12:
                    return False
                if high_a > 12 and high_b > 12:
                    self.export.warn(f"line {number}", "inconsistent date order in file")
                    return True
        if day_month:
            self.export.warn("line 1", "date order ambiguous (no day above 12); read as day-first")
        return True

    def cached_stamp(self, line: str, m: re.Match[str]) -> datetime | None:
        """:meth:`stamp`, memoised on the header text (many messages share a minute)."""
        key = line[: m.start("rest")]
        try:
            return self.stamps[key]
        except KeyError:
            if len(self.stamps) > 4096:
                self.stamps.clear()
            found = self.stamps[key] = self.stamp(m)
            return found

    def stamp(self, m: re.Match[str]) -> datetime | None:
        a, b, c = int(m["a"]), int(m["b"]), int(m["c"])
        if len(m["a"]) == 4:
            year, month, day = a, b, c
        else:
            day, month = (a, b) if self.day_first else (b, a)
            year = c + 2000 if c < 100 else c
        hour = int(m["H"])
        if m["ap"]:
            pm = m["ap"][0] in "Pp"
            if hour > 12:  # hour 0 with AM/PM ("00:08 a. m."): some phones write midnight so
                return None
            hour = hour % 12 + (12 if pm else 0)
        try:
            local = datetime(year, month, day, hour, int(m["M"]), int(m["S"] or 0), tzinfo=self.tz)
        except ValueError:
            return None
        return local

    def person(self, raw: str) -> Participant:
        found = self.people.get(raw)
        if found is None:
            found = self.people[raw] = self.new_person(clean(raw))
        return found

    def new_person(self, name: str) -> Participant:
        if name.casefold() in notices.YOU:  # "You", "Você", "Du", "Вы" ... (notices tables)
            return self.chat.participant(OWNER_ID)
        if looks_like_phone(name):
            phone = to_e164(name)
            person = self.chat.participant(phone or name)
            person.phone, person.phone_raw = phone, name
            return person
        return roles.by_name(self.chat, name)

    def record(self, number: int, m: re.Match[str], extra: list[str]) -> None:
        local = self.cached_stamp(m.string, m)
        assert local is not None
        time = local.astimezone(UTC)
        evidence = f"line {number}"
        rest = m["rest"]
        sender: Participant | None = None
        sender_name: str | None = None
        action: str | None = None
        targets: tuple[str, ...] = ()
        author, sep, body = rest.partition(": ")
        if not sep or rest.startswith("\u200e"):
            # no author (Android), or marked by iOS: a notice, recognised or kept as text
            action, targets, sender = self.notice(clean(rest), time, evidence)
        elif notices.may_be_notice(author):
            action, targets, sender = self.notice(clean(rest), time, evidence, strict=True)
        if action is None and body.startswith(("\u200e", *_CHAT_NOTICE)):
            action, targets, sender = self.chat_notice(author, body, time, evidence)
        if action is None:
            sender_name = clean(author)
            sender = self.person(author)
            if sender.id != OWNER_ID:  # "You" labels the exporting account; it is no name
                sender.see_name(sender_name)
            sender.message_count += 1
            roles.member(sender, time, evidence)
            self.authors.add(sender.id)
        text = "\n".join([body, *extra]) if action is None else "\n".join([rest, *extra])
        attachments: tuple[Attachment, ...] = ()
        deleted = False
        if action is None:
            first = clean(body)
            attachments, caption = self.media(str(number), first, extra)
            if attachments:
                text = caption
            gone = notices.deleted(first)
            deleted = gone is not None
            if gone == "you_deleted" and sender_name and self.owner_name is None:
                self.owner_name = (sender_name, number)
        self.chat.attachments.extend(attachments)
        note_links(self.chat, text, evidence)
        self.chat.message_count += 1
        if self.chat.first_time is None:
            self.chat.first_time = time
        self.chat.last_time = time
        message = Message(
            id=str(number),
            chat_id=self.chat.platform_id,
            time=time,
            utc_offset=local.utcoffset(),
            offset_assumed=True,
            sender_id=None if sender is None else sender.id,
            sender_name=sender_name or (None if sender is None else sender.display_name),
            text=text,
            location=evidence,
            action=action,
            action_targets=targets,
            attachments=attachments,
            deleted=deleted,
        )
        if self.keep:
            self.chat.messages.append(message)
        if self.sink is not None:
            self.sink(self.chat, message)

    def chat_notice(
        self, author: str, body: str, time: datetime, evidence: str
    ) -> tuple[str | None, tuple[str, ...], Participant | None]:
        """A notice attributed to the chat itself (``Group: \u200eMessages and calls ...``).

        It names the chat: the title when the file name did not give one. A marked body
        that is no known notice is a notice only when its author is the chat's title
        (otherwise it is a person's message, e.g. an iOS location).
        """
        text = clean(body)
        if self.media_line(text):
            return None, (), None
        name = clean(author)
        found = notices.match_notice(text)
        if found is None and name != self.chat.title:
            return None, (), None
        if self.chat.title is None:
            self.chat.title = name
        return self.notice(text, time, evidence)

    @staticmethod
    def media_line(body: str) -> bool:
        return bool(notices.IOS_FILE.search(body) or notices.omitted(body) or notices.deleted(body))

    def media(self, mid: str, first: str, extra: list[str]) -> tuple[tuple[Attachment, ...], str]:
        """Attachments named on the message's first line, and the caption left over."""
        caption_after = "\n".join(clean(x) for x in extra)
        if notices.omitted(first):
            return (Attachment(mid, None, None, False, note=first),), caption_after
        match = notices.ANDROID_FILE.match(first)
        if match:
            return (self.attachment(mid, match["file"]),), caption_after
        match = notices.IOS_FILE.search(first)
        if match:
            name = match["file"] or match["old"]
            caption = first[: match.start()].strip()
            return (self.attachment(mid, name),), "\n".join(filter(None, [caption, caption_after]))
        return (), ""

    def attachment(self, mid: str, name: str) -> Attachment:
        mime = guess_mime(name)
        # Media sit beside the text; a name that leaves the export is refused.
        found = self.found.find(name, f"chat {self.chat.platform_id}, message at line {mid}")
        if found is None:
            return Attachment(mid, name, name, True, mime=mime, note="file missing")
        return present(mid, name, name, mime, found.digest)

    def notice(
        self, body: str, time: datetime, evidence: str, *, strict: bool = False
    ) -> tuple[str | None, tuple[str, ...], Participant | None]:
        """Apply a notice's role evidence. An unknown one is kept as ``unrecognised-notice``
        (never a person's message), unless ``strict`` (the line may be a message)."""
        found = notices.match_notice(body)
        if found is None:
            return (None if strict else UNRECOGNISED), (), None
        kind = found.kind
        actor = None
        if found.by_owner:
            actor = self.person("You")
        elif found.actor:
            actor = self.person(found.actor)
        names = ("You",) if found.to_owner else _split_names(found.targets or "")
        if kind not in _NOT_GROUP:
            self.is_group = True
        if actor is not None and kind != "number_changed":
            if actor.id != OWNER_ID:
                actor.see_name(clean(found.actor or ""))
            roles.member(actor, time, evidence)
        if found.subject is not None and kind in ("created", "subject_changed"):
            self.chat.title = found.subject
        if kind == "created" and actor is not None:
            actor.add_role("creator", time, evidence)
        elif kind in ("added", "was_added"):
            if actor is not None:
                actor.add_role("admin", time, evidence, inferred=True)
            for name in names:
                roles.member(self.person(name), time, evidence)
        elif kind in ("removed", "was_removed"):
            for name in names:
                roles.removal(actor, self.person(name), time, evidence)
        elif kind == "left" and actor is not None:
            actor.add_role("left", time, evidence)
        elif kind == "settings_changed" and actor is not None:
            actor.add_role("admin", time, evidence, inferred=True)
        elif kind == "admin_granted":
            for name in names:
                self.person(name).add_role("admin", time, evidence)
        return _ACTIONS[kind], names, actor

    def finish(self) -> None:
        chat = self.chat
        if self.is_group or len(self.authors) > 2:
            chat.kind = "group"
        if self.owner_name is not None:
            name, number = self.owner_name
            target = next(
                (p.id for p in chat.participants.values() if name in p.names and p.id != OWNER_ID),
                None,
            )
            if target is not None:
                if OWNER_ID in chat.participants:
                    roles.merge_into(chat, OWNER_ID, target)
                self.export.owner = chat.participants[target]
                self.export.warn(
                    f"line {number}",
                    f'exporting account inferred to be {name!r} ("You deleted this message")',
                )
        self.export.chats.append(chat)


def _split_names(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    parts = re.split(r",\s+|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())
