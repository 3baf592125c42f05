"""One model for every chat format: chats, participants with evidenced roles, messages.

Messages and attachments are immutable records. A :class:`Participant` and a :class:`Chat`
accumulate while a parser streams through an export (names seen, roles, counts), so they
are plain dataclasses that only the parser mutates; consumers treat them as read-only.
Every role carries the message id or table row that proves it, so an examiner (or a
defence expert) can go back to the exact record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

Platform = Literal["telegram", "whatsapp"]
ChatKind = Literal["private", "group", "supergroup", "channel", "broadcast"]
#: The kinds of chat with more than two people (everything but ``private``).
GROUP_KINDS: tuple[ChatKind, ...] = ("group", "supergroup", "channel", "broadcast")
RoleName = Literal["creator", "admin", "member", "left", "removed"]
ROLE_NAMES: tuple[RoleName, ...] = ("creator", "admin", "member", "left", "removed")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a message refers to.

    ``included`` says whether the export carried the file (False = "not included": the
    export left it out, e.g. ``<Media omitted>``); ``present`` whether phunt found the bytes
    at ``path``. Hashes are lowercase hex of the bytes phunt read; ``platform_sha256`` is the
    hash the app itself recorded (msgstore ``file_hash``), which survives a deleted file.
    """

    message_id: str
    file_name: str | None
    path: str | None
    included: bool
    present: bool = False
    size: int | None = None
    mime: str | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    platform_sha256: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Message:
    """One message or service event, with its time in UTC and where it sits in the source.

    Treat as immutable; not declared frozen because a frozen dataclass's ``__init__`` costs
    about twice as much, and millions are built per export (bench/chats.py).

    ``utc_offset`` is the offset of the original local time when the export states or
    implies one; ``offset_assumed`` is True when phunt supplied it (WhatsApp text exports
    carry no zone, so the caller's ``tz`` was applied).
    """

    id: str
    chat_id: str
    time: datetime
    utc_offset: timedelta | None
    offset_assumed: bool
    sender_id: str | None
    sender_name: str | None
    text: str
    location: str
    reply_to: str | None = None
    forwarded: bool = False
    forwarded_from: str | None = None
    action: str | None = None
    action_targets: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    deleted: bool = False


@dataclass(slots=True)
class Role:
    """A role held in a chat, when it was first and last evidenced, and by what.

    ``evidence`` names the proving record ("message 345", "line 12",
    "row 7 of group_participant_user"); ``inferred`` marks roles deduced from actions only
    that role can normally take (e.g. removing a member implies admin) rather than stated.
    """

    name: RoleName
    first_seen: datetime | None
    last_seen: datetime | None
    evidence: str
    inferred: bool = False


@dataclass(slots=True)
class Participant:
    """A person (or channel identity) seen in one chat.

    ``id`` is the platform's stable identifier where the export has one (Telegram
    ``user123``, WhatsApp E.164 phone or JID); otherwise ``name:<display name>``, which the
    lead's cross-device merge may resolve later.
    """

    id: str
    phone: str | None = None
    phone_raw: str | None = None
    username: str | None = None
    names: list[str] = field(default_factory=list)
    roles: dict[RoleName, Role] = field(default_factory=dict)
    message_count: int = 0
    contact_name: str | None = None
    """What the device owner's address book calls this person (WhatsApp ``wa.db``): who
    knew whom. Kept apart from ``names``, the names the person gave themselves."""

    def see_name(self, name: str | None) -> None:
        """Remember a display name, once, in the order first seen."""
        if name and name not in self.names:
            self.names.append(name)

    def add_role(
        self, name: RoleName, when: datetime | None, evidence: str, *, inferred: bool = False
    ) -> None:
        """Record ``name``; keep the earliest evidence, widen the seen-interval.

        A stated role replaces an inferred one of the same name (stated evidence wins) and
        inferred sightings do not touch a stated role. Undated evidence (an admin flag in
        a table) gives way to the first dated one.
        """
        old = self.roles.get(name)
        if old is None or (old.inferred and not inferred):
            self.roles[name] = Role(name, when, when, evidence, inferred)
            return
        if inferred and not old.inferred:
            return  # a stated role's interval comes from stated evidence only
        if when is None:
            return
        if old.first_seen is None or when < old.first_seen:
            old.first_seen, old.evidence = when, evidence
        if old.last_seen is None or when > old.last_seen:
            old.last_seen = when

    @property
    def display_name(self) -> str | None:
        """The most recently seen name (the last entry)."""
        return self.names[-1] if self.names else None


@dataclass(slots=True)
class Chat:
    """A conversation and the aggregates kept while its messages stream past.

    ``messages`` is filled only when the parser was asked to keep them; ``attachments``
    always is (the ``chats parse`` summary lists them), and ``message_count`` counts all.
    """

    platform: Platform
    platform_id: str
    title: str | None
    kind: ChatKind
    raw_kind: str | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    message_count: int = 0
    first_time: datetime | None = None
    last_time: datetime | None = None
    invite_links: dict[str, str] = field(default_factory=dict)
    """Group invite links named in the chat -> the message or line that first named them."""

    def participant(self, pid: str) -> Participant:
        """The participant with id ``pid``, created on first use."""
        found = self.participants.get(pid)
        if found is None:
            found = self.participants[pid] = Participant(pid)
        return found


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Damage or ambiguity found while parsing; the rest of the export was still read."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(slots=True)
class ChatExport:
    """What a parser returns for one export: its chats plus everything it had to warn about.

    ``source_sha256`` is the hash of the file parsed (result.json, the .txt or .zip, the
    msgstore.db), recorded because evidence must be traceable to its exact bytes.
    """

    platform: Platform
    format: str
    source: str
    source_sha256: str | None = None
    chats: list[Chat] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    owner: Participant | None = None
    app: str | None = None
    """The app that wrote the source where its path says (``whatsapp-business`` for
    ``com.whatsapp.w4b``), from :func:`phunt.sources.apps.app_for_path`."""

    def warn(self, location: str, message: str) -> None:
        """Record a warning tied to a line, message or row."""
        self.warnings.append(ParseWarning(location, message))
