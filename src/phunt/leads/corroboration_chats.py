"""A lead's phone numbers and accounts seen in seized chats, and the other way round.

A tipline report names an account or a phone; when that account or phone is a member of
a chat found on any seized device, the lead and the chat's person show each other. Phones
are compared in E.164 (:func:`phunt.phones.to_e164`), accounts without a leading ``@`` and
case-folded, against a participant's username and platform id.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic.dataclasses import dataclass
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from phunt.phones import to_e164
from phunt.schema.cases import Case, Device
from phunt.schema.chats import ChatParticipant, ChatRecord
from phunt.schema.scope import Scope, in_scope


@dataclass(frozen=True)
class Sighting:
    """A lead's phone or account as a member of a seized chat."""

    by: str  # "phone" or "account"
    value: str
    chat_id: int
    chat_title: str | None
    platform: str
    device_id: int
    evidence_number: str
    case_id: int | None
    case_number: str | None
    names: list[str]
    person: str
    """The person's id on the people pages (``phone:+91...``, ``username:...``)."""


def phone_key(raw: str | None) -> str | None:
    """The E.164 form of a reported phone, ``None`` when it is not a phone number."""
    if raw is None or not raw.strip():
        return None
    return to_e164(raw)


def account_key(raw: str | None) -> str | None:
    """A reported account or handle as chats store it: no ``@``, case-folded."""
    if raw is None:
        return None
    value = raw.strip().removeprefix("@").casefold()
    return value or None


def sightings(
    session: Session, phones: Iterable[str], accounts: Iterable[str], scope: Scope
) -> list[Sighting]:
    """Members of chats on devices of the cases in ``scope`` whose phone is one of
    ``phones`` (E.164) or whose username or platform id is one of ``accounts``
    (see :func:`account_key`), in chat then member order."""
    wanted_phones = sorted({p for p in phones if p})
    wanted_accounts = sorted({a for a in accounts if a})
    if not wanted_phones and not wanted_accounts:
        return []
    matches = []
    if wanted_phones:
        matches.append(ChatParticipant.phone.in_(wanted_phones))
    if wanted_accounts:
        matches.append(func.lower(ChatParticipant.username).in_(wanted_accounts))
        matches.append(func.lower(ChatParticipant.platform_user_id).in_(wanted_accounts))
    query = (
        select(ChatParticipant, ChatRecord, Device.evidence_number, Device.case_id, Case.number)
        .join(ChatRecord, ChatRecord.id == ChatParticipant.chat_id)
        .join(Device, Device.id == ChatParticipant.device_id)
        .outerjoin(Case, Case.id == Device.case_id)
        .where(or_(*matches), in_scope(Device.case_id, scope))
        .order_by(ChatRecord.id, ChatParticipant.id)
    )
    found = []
    for p, chat, evidence_number, case_id, case_number in session.execute(query):
        by, value = _why(p, set(wanted_phones))
        found.append(
            Sighting(
                by=by,
                value=value,
                chat_id=chat.id,
                chat_title=chat.title,
                platform=chat.platform,
                device_id=p.device_id,
                evidence_number=evidence_number,
                case_id=case_id,
                case_number=case_number,
                names=list(p.names),
                person=_person_id(p),
            )
        )
    return found


def _why(p: ChatParticipant, phones: set[str]) -> tuple[str, str]:
    if p.phone is not None and p.phone in phones:
        return "phone", p.phone
    return "account", p.username or p.platform_user_id or ""


def _person_id(p: ChatParticipant) -> str:
    """The people pages' id of a participant: phone first, then platform id, username."""
    if p.phone:
        return f"phone:{p.phone}"
    if p.platform_user_id:
        return f"id:{p.platform_user_id}"
    return f"username:{(p.username or p.key).casefold()}"
