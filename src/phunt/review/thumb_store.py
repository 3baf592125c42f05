"""Thumbnails of stored files for a viewer, cached in the case database, and the blur
settings that decide how they look.

The settings themselves live in :mod:`phunt.review.settings` (re-exported here). Every
read is scoped: a file on a device outside the viewer's cases is ``NotFoundError``,
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

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from phunt.accounts.access import Viewer
from phunt.audit import store as audit
from phunt.errors import NotFoundError, UsageError, WrongFormat
from phunt.review.settings import UNIT_MINIMUM_DEFAULT as UNIT_MINIMUM_DEFAULT
from phunt.review.settings import Settings as Settings
from phunt.review.settings import check_level, settings
from phunt.review.settings import save_settings as save_settings
from phunt.review.settings import set_unit_minimum as set_unit_minimum
from phunt.review.settings import unit_minimum as unit_minimum
from phunt.review.thumbs import (
    STRIP_FRAMES,
    Format,
    Spec,
    Thumbnail,
    from_locator,
    media_kind,
)
from phunt.schema.cases import Device
from phunt.schema.ingest import EvidenceFile
from phunt.schema.review_media import ReviewThumbnail
from phunt.sources.locator import Locator


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
    check_level(blur)
    if grey is False and mine.grey_required:
        raise UsageError("the unit requires greyscale thumbnails, reveals included")
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
