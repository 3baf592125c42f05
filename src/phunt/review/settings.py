"""How review pictures look for each user, and the unit's floor under it.

Each examiner chooses a default blur level and greyscale; an admin sets the unit's
minimum blur level (``Action.SET_REVIEW_MINIMUM``) and may require greyscale for all,
and a user's setting is never below either: :func:`settings` raises it, and
:func:`save_settings` refuses a lower one. The unit's own labels (beside the VICS 2.0
categories) are kept here too, one per keyboard key. Every change is audited with the
old and the new value. The unit-wide values are rows of ``review_setting``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt.accounts.access import Action, Viewer
from phunt.audit import store as audit
from phunt.errors import NotFoundError, NotPermitted, UsageError
from phunt.review.decisions import LABEL_MAX
from phunt.review.thumbs import DEFAULT_BLUR, MAX_BLUR
from phunt.schema.accounts import User
from phunt.schema.review import ReviewSetting
from phunt.schema.review_media import ReviewUnitSetting, ReviewUserSetting
from phunt.schema.types import utcnow

UNIT_MINIMUM_DEFAULT = 1
"""The unit's minimum blur level until an admin sets one: never a sharp picture unasked."""
GREY_KEY = "require_grey"
LABEL_KEYS = tuple(range(5, 10))
"""Keyboard keys of the unit's labels: 0-4 are the VICS 2.0 codes (0: not pertinent)."""

_UNIT_ROW = 1


@dataclass(frozen=True)
class Settings:
    """A viewer's effective rendering: ``blur`` never below ``unit_minimum``, and grey
    whenever the unit requires it."""

    blur: int
    grey: bool
    unit_minimum: int
    grey_required: bool = False


def check_level(level: int) -> None:
    if not 0 <= level <= MAX_BLUR:
        raise UsageError(f"blur level {level} is not between 0 and {MAX_BLUR}")


def unit_minimum(session: Session) -> int:
    """The unit's minimum blur level (``UNIT_MINIMUM_DEFAULT`` until an admin sets one)."""
    row = session.get(ReviewUnitSetting, _UNIT_ROW)
    return UNIT_MINIMUM_DEFAULT if row is None else row.min_blur


def grey_required(session: Session) -> bool:
    """Whether the unit requires every thumbnail in grey, reveals included."""
    row = session.get(ReviewSetting, GREY_KEY)
    return row is not None and row.value == "1"


def _admin(viewer: Viewer) -> None:
    if not viewer.may(Action.SET_REVIEW_MINIMUM):
        raise NotPermitted("only an admin sets the unit's review minimum")


def set_unit_minimum(
    session: Session, viewer: Viewer, level: int, *, grey: bool | None = None
) -> None:
    """Set the unit's minimum blur level and, when given, whether grey is required
    (admins only); audited with the old and new values."""
    _admin(viewer)
    check_level(level)
    row = session.get(ReviewUnitSetting, _UNIT_ROW)
    old = UNIT_MINIMUM_DEFAULT if row is None else row.min_blur
    if row is None:
        row = ReviewUnitSetting(id=_UNIT_ROW, min_blur=level, updated_by=viewer.name)
        session.add(row)
    row.min_blur, row.updated_by, row.updated_at = level, viewer.name, utcnow()
    details: dict[str, object] = {"old": old, "new": level}
    if grey is not None:
        details |= {"grey_before": grey_required(session), "grey": grey}
        _put(session, GREY_KEY, "1" if grey else "0", viewer)
    audit.append(session, "review.unit_minimum", "review", "unit", details, actor=viewer.name)


def settings(session: Session, viewer: Viewer) -> Settings:
    """The viewer's blur level and greyscale, raised to the unit's floor when below it."""
    minimum = unit_minimum(session)
    required = grey_required(session)
    row = session.get(ReviewUserSetting, viewer.user_id)
    blur, grey = (DEFAULT_BLUR, True) if row is None else (row.blur, row.grey)
    return Settings(max(blur, minimum), grey or required, minimum, required)


def save_settings(session: Session, viewer: Viewer, blur: int, grey: bool) -> Settings:
    """Store the viewer's own defaults; a level under the unit's minimum, or colour when
    the unit requires grey, is refused."""
    check_level(blur)
    minimum = unit_minimum(session)
    if blur < minimum:
        raise UsageError(f"blur level {blur} is below the unit's minimum of {minimum}")
    required = grey_required(session)
    if required and not grey:
        raise UsageError("the unit requires greyscale thumbnails")
    if session.get(User, viewer.user_id) is None:
        raise NotFoundError(f"no user {viewer.user_id}")
    row = session.get(ReviewUserSetting, viewer.user_id)
    if row is None:
        row = ReviewUserSetting(user_id=viewer.user_id, blur=blur, grey=grey)
        session.add(row)
    row.blur, row.grey, row.updated_at = blur, grey, utcnow()
    details = {"blur": blur, "grey": grey}
    audit.append(session, "review.settings", "user", viewer.name, details, actor=viewer.name)
    return Settings(blur, grey, minimum, required)


def unit_labels(session: Session) -> dict[int, str]:
    """The unit's own labels by keyboard key (those set)."""
    keys = [f"label:{k}" for k in LABEL_KEYS]
    rows = session.scalars(select(ReviewSetting).where(ReviewSetting.key.in_(keys)))
    found = {int(row.key.removeprefix("label:")): row.value for row in rows if row.value}
    return dict(sorted(found.items()))


def set_unit_labels(session: Session, viewer: Viewer, labels: Sequence[str]) -> dict[int, str]:
    """Replace the unit's labels (at most one per key of :data:`LABEL_KEYS`, blanks
    dropped); admins only, audited."""
    _admin(viewer)
    cleaned = [text.strip() for text in labels if text.strip()]
    if len(cleaned) > len(LABEL_KEYS):
        raise UsageError(f"at most {len(LABEL_KEYS)} unit labels")
    if len(set(cleaned)) != len(cleaned):
        raise UsageError("unit labels must differ")
    for text in cleaned:
        if len(text) > LABEL_MAX:
            raise UsageError(f"a label is at most {LABEL_MAX} characters")
    before = unit_labels(session)
    for key in LABEL_KEYS:
        _put(session, f"label:{key}", "", viewer)
    new = dict(zip(LABEL_KEYS, cleaned, strict=False))
    for key, text in new.items():
        _put(session, f"label:{key}", text, viewer)
    details = {"before": list(before.values()), "labels": cleaned}
    audit.append(session, "review.labels", "review", "unit", details, actor=viewer.name)
    return new


def _put(session: Session, key: str, value: str, viewer: Viewer) -> None:
    row = session.get(ReviewSetting, key)
    if row is None:
        session.add(ReviewSetting(key=key, value=value, set_by=viewer.name))
    else:
        row.value, row.set_by, row.set_at = value, viewer.name, utcnow()
    session.flush()
