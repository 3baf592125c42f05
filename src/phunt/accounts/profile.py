"""An expert's particulars (``phunt user profile``), read by the section 63 certificate.

Only what the user states is stored; a field left empty is printed blank on the
certificate, for the expert to complete by hand, never filled with a guess. Every change
is audited with the fields changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.audit import store as audit
from phunt.audit.store import current_actor
from phunt.errors import NotFoundError, UsageError
from phunt.schema.accounts import User
from phunt.schema.profiles import UserProfile
from phunt.schema.types import utcnow

#: Longest value of each field (the columns' lengths; the address is free text).
LIMITS = {
    "full_name": 200,
    "relative": 200,
    "designation": 200,
    "organisation": 200,
    "address": 1000,
    "phone": 40,
    "email": 200,
    "place": 200,
}


@dataclass(frozen=True)
class Profile:
    """A user's particulars; '' for a field not given."""

    user: str
    full_name: str = ""
    relative: str = ""
    designation: str = ""
    organisation: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    place: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


FIELDS = tuple(f.name for f in fields(Profile) if f.name != "user")


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user {name!r}")
    return user


def get_profile(session: Session, name: str) -> Profile:
    """The user's particulars (all blank when never set); NotFoundError for no such user."""
    user = _user(session, name)
    row = session.get(UserProfile, user.id)
    if row is None:
        return Profile(user.name)
    return Profile(user.name, **{f: getattr(row, f) for f in FIELDS})


def set_profile(session: Session, name: str, changes: dict[str, str]) -> Profile:
    """Set the given fields ('' clears one), audited with the fields and their new values."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise UsageError(f"no profile field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    for field, value in changes.items():
        if len(value) > LIMITS[field]:
            raise UsageError(f"{field} is longer than {LIMITS[field]} characters")
        if any(ord(c) < 32 and c != "\n" for c in value):
            raise UsageError(f"{field} holds a control character")
    user = _user(session, name)
    row = session.get(UserProfile, user.id)
    if row is None:
        row = UserProfile(user_id=user.id, **{f: "" for f in FIELDS})
        session.add(row)
    for field, value in changes.items():
        setattr(row, field, value.strip())
    row.updated_by = current_actor()
    row.updated_at = utcnow()
    session.flush()
    audit.append(session, "user.profile", "user", name, {"fields": dict(sorted(changes.items()))})
    return get_profile(session, name)
