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

from phunt.chats import roles
from phunt.chats.attachments import hash_companion, present
from phunt.chats.base import ChatParser, ParseContext, guess_mime, register
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
_SYSTEM = [
    (re.compile(p), action)
    for p, action in (
        (r'^(?P<actor>[^:]+?) created group "(?P<subject>.*)"$', "create_group"),
        (r"^(?P<actor>[^:]+?) was added$", "added"),
        (r"^(?P<actor>[^:]+?) added (?P<targets>.+)$", "add_members"),
        (r"^(?P<actor>[^:]+?) removed (?P<targets>.+)$", "remove_members"),
        (r"^(?P<actor>[^:]+?) left$", "left"),
        (r"^(?P<actor>[^:]+?) joined using this group's invite link$", "join_group_by_link"),
        (
            r'^(?P<actor>[^:]+?) changed the subject (?:from ".*" )?to "(?P<subject>.*)"$',
            "edit_group_title",
        ),
        (r"^(?P<actor>[^:]+?) changed this group's settings to .+$", "settings"),
        (r"^(?P<actor>[^:]+?) changed this group's icon$", "edit_group_photo"),
        (r"^(?P<actor>[^:]+?) changed the group description$", "edit_description"),
        (r"^You're now an admin$", "admin_granted"),
        (r"^Messages and calls are end-to-end encrypted\b.*$", "encryption_notice"),
        (r"^(?P<actor>[^:]+?) changed to (?P<targets>.+)$", "number_change"),
    )
]
# Cheap pre-filter so ordinary messages skip the list of system-event patterns.
_SYSTEM_HINT = re.compile(
    r" (?:created|added|removed|left|joined|changed)\b|\bwas added$|^You're now|^Messages and"
)
# Localised markers seen in real exports (format notes, section 4); extend as met.
_ATTACHED = ("file attached", "bestand bijgevoegd", "Datei angehängt")
_OMITTED = ("<Media omitted>", "<Media weggelaten>")
_ANDROID_FILE = re.compile(
    r"^(?P<file>[^\n()]+?\.\w{1,5}) \((?:" + "|".join(map(re.escape, _ATTACHED)) + r")\)$"
)
_IOS_FILE = re.compile(r"<attached: (?P<file>[^>\n]+)>$|^(?P<old>\S+) <attached>$")
_IOS_OMITTED = re.compile(
    r"^(?:.+ )?(image|video|audio|sticker|GIF|Contact card|document) omitted$"
)
_DELETED = re.compile(r"^(?:This message was deleted|You deleted this message)\.?$")
_CURLY = str.maketrans("\u201c\u201d", '""')
_CHAT_NAME = re.compile(r"^WhatsApp Chat (?:with |- )(?P<name>.+?)(?:\.txt|\.zip)?$")
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
    return texts[0] if len(texts) == 1 else None


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
    match = _CHAT_NAME.match(name.rsplit("/", 1)[-1])
    return match["name"] if match else None


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
        with self.source.open_text() as stream:
            for number, line in _lines(stream, lambda _where, _what: None):
                match = HEADER.match(line)
                if match is None or len(match["a"]) == 4:
                    continue
                high_a, high_b = max(high_a, int(match["a"])), max(high_b, int(match["b"]))
                if high_a > 12 and high_b <= 12:
                    return True
                if high_b > 12 and high_a <= 12:
                    return False
                if high_a > 12 and high_b > 12:
                    self.export.warn(f"line {number}", "inconsistent date order in file")
                    return True
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
            if not 1 <= hour <= 12:
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
        if name.lower() == "you":
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
        ios = m["br"] is not None
        sender: Participant | None = None
        sender_name: str | None = None
        action: str | None = None
        targets: tuple[str, ...] = ()
        body = rest
        if ios and rest.startswith("\u200e"):
            action, targets, sender = self.system(
                clean(rest).translate(_CURLY), time, evidence, number
            )
        else:
            if not ios and _SYSTEM_HINT.search(rest):
                action, targets, sender = self.system(clean(rest), time, evidence, number)
            if action is None:
                author, sep, body = rest.partition(": ")
                if not sep:
                    action = "system"
                elif ios and body.startswith("\u200e") and not self.media_line(clean(body)):
                    # iOS attributes notices to the chat itself ("Group: \u200eMessages ...").
                    action, targets, sender = self.system(clean(body), time, evidence, number)
                    action = action or "system"
                else:
                    sender_name = clean(author)
                    sender = self.person(author)
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
            deleted = _DELETED.match(first) is not None
            owns = first.startswith("You deleted this message")
            if owns and sender_name and self.owner_name is None:
                self.owner_name = (sender_name, number)
        self.chat.attachments.extend(attachments)
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

    @staticmethod
    def media_line(body: str) -> bool:
        return bool(_IOS_FILE.search(body) or _IOS_OMITTED.match(body) or _DELETED.match(body))

    def media(self, mid: str, first: str, extra: list[str]) -> tuple[tuple[Attachment, ...], str]:
        """Attachments named on the message's first line, and the caption left over."""
        caption_after = "\n".join(clean(x) for x in extra)
        if first in _OMITTED:
            return (Attachment(mid, None, None, False, note=first),), caption_after
        omitted = _IOS_OMITTED.match(first)
        if omitted:
            return (Attachment(mid, None, None, False, note=first),), caption_after
        match = _ANDROID_FILE.match(first)
        if match:
            return (self.attachment(mid, match["file"]),), caption_after
        match = _IOS_FILE.search(first)
        if match:
            name = match["file"] or match["old"]
            caption = first[: match.start()].strip()
            return (self.attachment(mid, name),), "\n".join(filter(None, [caption, caption_after]))
        return (), ""

    def attachment(self, mid: str, name: str) -> Attachment:
        mime = guess_mime(name)
        # Media sit beside the text: a name with a folder in it is not one of them.
        digest = None if "/" in name else hash_companion(self.source.media, name)
        if digest is None:
            return Attachment(mid, name, name, True, mime=mime, note="file missing")
        return present(mid, name, name, mime, digest)

    def system(
        self, body: str, time: datetime, evidence: str, number: int
    ) -> tuple[str | None, tuple[str, ...], Participant | None]:
        """Apply a group event's role evidence; action None when ``body`` is not an event."""
        for pattern, action in _SYSTEM:
            m = pattern.match(body)
            if m is None:
                continue
            groups = m.groupdict()
            actor = self.person(groups["actor"]) if groups.get("actor") else None
            names = _split_names(groups.get("targets") or "")
            if action != "encryption_notice" and action != "number_change":
                self.is_group = True
            if actor is not None and action != "number_change":
                if actor.id != OWNER_ID:
                    actor.see_name(clean(groups["actor"]))
                roles.member(actor, time, evidence)
            if action == "create_group" and actor is not None:
                actor.add_role("creator", time, evidence)
            if groups.get("subject") is not None:
                self.chat.title = groups["subject"]
            if action == "add_members":
                assert actor is not None
                actor.add_role("admin", time, evidence, inferred=True)
                for name in names:
                    roles.member(self.person(name), time, evidence)
            elif action == "remove_members":
                for name in names:
                    roles.removal(actor, self.person(name), time, evidence)
            elif action == "left" and actor is not None:
                actor.add_role("left", time, evidence)
            elif action == "settings" and actor is not None:
                actor.add_role("admin", time, evidence, inferred=True)
            elif action == "admin_granted":
                self.person("You").add_role("admin", time, evidence)
            return action, names, actor
        return None, (), None

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
