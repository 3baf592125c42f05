"""Thumbnails of stored files for a viewer, cached in the case database, and the blur
settings that decide how they look.

Every read is scoped: a file on a device outside the viewer's cases is ``NotFoundError``,
exactly as a file that does not exist, so ids of other cases are not confirmed. A viewer
sees thumbnails at their own blur level and greyscale (:func:`settings`), which is never
below the unit's minimum set by an admin. A *reveal* renders one file at a lower level
for one look; it is the one way under the minimum, and every reveal is in the audit log
with who asked and when. Settings changes are audited too.

Cached renderings go with their file (``ON DELETE CASCADE``); :func:`drop_case_thumbnails`
is the delete path for a case's thumbnails, for a case closed and purged while its files
are kept elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from phunt.accounts.access import Action, Viewer
from phunt.audit import store as audit
from phunt.errors import NotFoundError, NotPermitted, UsageError, WrongFormat
from phunt.review.thumbs import (
    DEFAULT_BLUR,
    MAX_BLUR,
    STRIP_FRAMES,
    Format,
    Spec,
    Thumbnail,
    from_locator,
    media_kind,
)
from phunt.schema.accounts import User
from phunt.schema.cases import Device
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review_media import ReviewThumbnail, ReviewUnitSetting, ReviewUserSetting
from phunt.schema.types import utcnow
from phunt.sources.locator import Locator

UNIT_MINIMUM_DEFAULT = 1
"""The unit's minimum blur level until an admin sets one: never a sharp picture unasked."""

_UNIT_ROW = 1


@dataclass(frozen=True)
class Settings:
    """A viewer's effective rendering: ``blur`` is never below ``unit_minimum``."""

    blur: int
    grey: bool
    unit_minimum: int


def unit_minimum(session: Session) -> int:
    """The unit's minimum blur level (``UNIT_MINIMUM_DEFAULT`` until an admin sets one)."""
    row = session.get(ReviewUnitSetting, _UNIT_ROW)
    return UNIT_MINIMUM_DEFAULT if row is None else row.min_blur


def set_unit_minimum(session: Session, viewer: Viewer, level: int) -> None:
    """Set the unit's minimum blur level (admins only); audited with the old and new level."""
    if not viewer.may(Action.MANAGE_USERS):
        raise NotPermitted("only an admin sets the unit's minimum blur level")
    _check_level(level)
    row = session.get(ReviewUnitSetting, _UNIT_ROW)
    old = UNIT_MINIMUM_DEFAULT if row is None else row.min_blur
    if row is None:
        row = ReviewUnitSetting(id=_UNIT_ROW, min_blur=level, updated_by=viewer.name)
        session.add(row)
    row.min_blur, row.updated_by, row.updated_at = level, viewer.name, utcnow()
    details = {"old": old, "new": level}
    audit.append(session, "review.unit_minimum", "review", "unit", details, actor=viewer.name)


def settings(session: Session, viewer: Viewer) -> Settings:
    """The viewer's blur level and greyscale, raised to the unit's minimum when below it."""
    minimum = unit_minimum(session)
    row = session.get(ReviewUserSetting, viewer.user_id)
    blur, grey = (DEFAULT_BLUR, True) if row is None else (row.blur, row.grey)
    return Settings(max(blur, minimum), grey, minimum)


def save_settings(session: Session, viewer: Viewer, blur: int, grey: bool) -> Settings:
    """Store the viewer's own defaults; a level under the unit's minimum is refused."""
    _check_level(blur)
    minimum = unit_minimum(session)
    if blur < minimum:
        raise UsageError(f"blur level {blur} is below the unit's minimum of {minimum}")
    if session.get(User, viewer.user_id) is None:
        raise NotFoundError(f"no user {viewer.user_id}")
    row = session.get(ReviewUserSetting, viewer.user_id)
    if row is None:
        row = ReviewUserSetting(user_id=viewer.user_id, blur=blur, grey=grey)
        session.add(row)
    row.blur, row.grey, row.updated_at = blur, grey, utcnow()
    details = {"blur": blur, "grey": grey}
    audit.append(session, "review.settings", "user", viewer.name, details, actor=viewer.name)
    return Settings(blur, grey, minimum)


def thumbnail(session: Session, viewer: Viewer, file_id: int, *, fmt: Format = "jpeg") -> Thumbnail:
    """File ``file_id`` at the viewer's own settings, from the cache or made and cached."""
    mine = settings(session, viewer)
    return _get_or_make(session, viewer, file_id, Spec(mine.blur, mine.grey, fmt))


def reveal(
    session: Session,
    viewer: Viewer,
    file_id: int,
    *,
    blur: int = 0,
    grey: bool | None = None,
    fmt: Format = "jpeg",
) -> Thumbnail:
    """File ``file_id`` at a lower blur level than the viewer's, for one look; audited.

    ``grey`` defaults to the viewer's setting, so colour is a choice of its own. A level
    not below the viewer's own is refused: that is not a reveal, just :func:`thumbnail`.
    """
    mine = settings(session, viewer)
    _check_level(blur)
    if blur >= mine.blur:
        raise UsageError(f"a reveal lowers the blur: {blur} is not below {mine.blur}")
    spec = Spec(blur, mine.grey if grey is None else grey, fmt)
    made = _get_or_make(session, viewer, file_id, spec)
    details = {"blur": blur, "grey": spec.grey, "default_blur": mine.blur}
    audit.append(session, "review.reveal", "file", file_id, details, actor=viewer.name)
    return made


def drop_case_thumbnails(session: Session, case_id: int) -> int:
    """Delete every cached thumbnail of files on the devices of ``case_id``; how many."""
    files = select(EvidenceFile.id).join(Device).where(Device.case_id == case_id)
    result = session.execute(delete(ReviewThumbnail).where(ReviewThumbnail.file_id.in_(files)))
    return int(getattr(result, "rowcount", 0) or 0)


def _check_level(level: int) -> None:
    if not 0 <= level <= MAX_BLUR:
        raise UsageError(f"blur level {level} is not between 0 and {MAX_BLUR}")


def _get_or_make(session: Session, viewer: Viewer, file_id: int, spec: Spec) -> Thumbnail:
    query = (
        select(EvidenceFile.path, EvidenceFile.locator, EvidenceFile.mime, EvidenceFile.vpdq)
        .add_columns(Device.case_id)
        .join(Device, Device.id == EvidenceFile.device_id)
        .where(EvidenceFile.id == file_id)
    )
    row = session.execute(query).one_or_none()
    if row is None or not viewer.sees_case(row.case_id):
        raise NotFoundError(f"no stored file {file_id}")
    kind = media_kind(row.mime, has_vpdq=row.vpdq is not None)
    if kind is None:
        raise WrongFormat("not a picture or a video: no thumbnail", path=row.path)
    media_type = "image/jpeg" if spec.format == "jpeg" else "image/png"
    cached = session.scalars(
        select(ReviewThumbnail).where(
            ReviewThumbnail.file_id == file_id,
            ReviewThumbnail.blur == spec.blur,
            ReviewThumbnail.grey == spec.grey,
            ReviewThumbnail.side == spec.side,
            ReviewThumbnail.media_type == media_type,
        )
    ).one_or_none()
    if cached is not None:
        frames = 1 if kind == "picture" else STRIP_FRAMES
        return Thumbnail(cached.data, media_type, cached.width, cached.height, frames)
    locator = Locator(row.path) if row.locator is None else Locator.from_json(row.locator)
    made = from_locator(locator, kind, spec)
    _cache(session, file_id, spec, made)
    return made


def _cache(session: Session, file_id: int, spec: Spec, made: Thumbnail) -> None:
    """Keep a rendering; another request that cached the same one first wins, quietly."""
    row = ReviewThumbnail(
        file_id=file_id,
        blur=spec.blur,
        grey=spec.grey,
        side=spec.side,
        media_type=made.media_type,
        width=made.width,
        height=made.height,
        data=made.data,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # the same rendering, cached by a concurrent request
