"""The chats workspace's read models: the rows and pages its queries answer with.

Each is immutable and serves as the JSON API's response model as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

ADMIN_ROLES = ("creator", "admin")
ROLE_ORDER = ("creator", "admin", "member", "left", "removed")
CHAT_SORTS = ("title", "kind", "members", "messages", "flagged", "device", "last")
MEMBER_SORTS = ("role", "phone", "messages", "flagged")
MESSAGE_SORTS = ("time",)

T = TypeVar("T")
R = TypeVar("R", bound="Row")


class PageRequest(Protocol):
    """Which page of a list, sorted how (the web's paging dependency gives one)."""

    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...
    @property
    def sort(self) -> str: ...
    @property
    def desc(self) -> bool: ...


class Row(BaseModel):
    """A read model: immutable, and the JSON API's response model as it is."""

    model_config = ConfigDict(frozen=True)


def copy_row(model: type[R], row: object, **values: Any) -> R:
    """``model`` from ``values`` and, for its other fields, the row's same-named attributes."""
    same = {name: getattr(row, name) for name in model.model_fields if name not in values}
    return model(**same, **values)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the size of the whole list."""

    items: list[T]
    total: int


class ChatRow(Row):
    id: int
    device_id: int
    device: str
    case_id: int | None
    platform: str
    platform_id: str
    title: str | None
    kind: str
    members: int
    messages: int
    flagged_media: int
    known_bad: bool
    last_time: datetime | None


class ChatDetail(Row):
    """A chat with where it came from: device, case, and the export it was read from."""

    chat: ChatRow
    raw_kind: str | None
    first_time: datetime | None
    case_number: str | None
    import_id: int
    source_path: str
    source_sha256: str | None
    format: str
    app: str | None
    """The app that wrote the source (``whatsapp-business``); None for imports before 0019."""
    imported_at: datetime
    imported_by: str


class ProvingMessage(Row):
    id: int
    time: datetime
    sender: str | None
    text: str
    action: str | None


class RoleRow(Row):
    role: str
    first_seen: datetime | None
    last_seen: datetime | None
    evidence: str
    inferred: bool
    message: ProvingMessage | None
    """The stored message the evidence names; None when it names another record."""


class MemberRow(Row):
    id: int
    key: str
    name: str | None
    names: list[str]
    contact_name: str | None
    """What the owner's address book calls them (WhatsApp wa.db), apart from their names."""
    phone: str | None
    username: str | None
    owner: bool
    messages: int
    known_bad_sent: int
    roles: list[RoleRow]


class MatchRow(Row):
    hash_set: str
    version: int | None
    entry: int
    kind: str
    source: str
    distance: int
    category_code: int | None
    category_scheme: str | None


class AttachmentRow(Row):
    id: int
    file_name: str | None
    path: str | None
    mime: str | None
    size: int | None
    included: bool
    present: bool
    sha256: str | None
    platform_sha256: str | None
    known_bad: bool
    file_id: int | None
    """The stored file of the device holding the bytes (a link to /files/ID)."""
    file_link: str | None
    matches: list[MatchRow]


class MessageRow(Row):
    id: int
    platform_message_id: str
    time: datetime
    sender_key: str | None
    sender_name: str | None
    text: str
    action: str | None
    action_targets: list[str]
    reply_to: str | None
    forwarded: bool
    forwarded_from: str | None
    deleted: bool
    known_bad: bool
    keyword_flagged: bool
    keywords: list[str]
    location: str
    attachments: list[AttachmentRow]


class InviteLink(Row):
    """A group invite link named in the chat, with the message that first named it (None
    when the evidence names a record that is not a stored message)."""

    link: str
    evidence: str
    message: ProvingMessage | None
