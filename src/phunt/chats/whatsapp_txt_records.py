"""One parse of a WhatsApp text export: records (a header line and its continuation
lines) read in order into messages, attachments and the chat's people."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from phunt.chats import notices, roles
from phunt.chats.attachments import MediaFinder, present
from phunt.chats.base import ParseContext, guess_mime
from phunt.chats.invites import note_links
from phunt.chats.model import Attachment, Chat, Message, Participant
from phunt.chats.whatsapp_txt_files import ExportText
from phunt.chats.whatsapp_txt_lines import HEADER, date_order, lines, stamp
from phunt.chats.whatsapp_txt_notices import OWNER_ID, People
from phunt.errors import CorruptInput
from phunt.phones import clean

_CHAT_NOTICE = notices.chat_notice_prefixes()


class Run(People):
    """One parse: date order first, then records (header line plus continuation lines)."""

    def __init__(self, source: ExportText, context: ParseContext) -> None:
        title = source.title
        super().__init__(Chat("whatsapp", f"title:{title or source.name}", title, "private"))
        self.export, self.source, self.tz = context.export, source, context.tz
        self.keep, self.sink = context.keep, context.sink
        self.found = MediaFinder(source.media, context.export)
        self.day_first = True
        self.authors: set[str] = set()
        self.owner_name: tuple[str, int] | None = None
        self.stamps: dict[str, datetime | None] = {}

    def parse(self) -> None:
        with self.source.open_text() as stream:
            self.day_first = date_order(stream, self.export.warn)
        record: tuple[int, re.Match[str]] | None = None
        body: list[str] = []
        with self.source.open_text() as stream:
            for number, line in lines(stream, self.export.warn):
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

    def cached_stamp(self, line: str, m: re.Match[str]) -> datetime | None:
        """:meth:`stamp`, memoised on the header text (many messages share a minute)."""
        key = line[: m.start("rest")]
        try:
            return self.stamps[key]
        except KeyError:
            if len(self.stamps) > 4096:
                self.stamps.clear()
            found = self.stamps[key] = stamp(m, self.day_first, self.tz)
            return found

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
