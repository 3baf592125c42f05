"""Reopen a file stored by ingest, from its locator, without walking its source again.

Chat import, thumbnails for review, reports and re-verification read members of images
and archives this way: the stored locator names the evidence path and the containers to
go through, and the per-process container cache keeps them open between reads.
"""

from __future__ import annotations

from typing import BinaryIO

from phunt.errors import NotFoundError
from phunt.ingest import store
from phunt.ingest.chat_sources import StoredFile
from phunt.schema.db import Database, Session
from phunt.sources.locator import Locator, open_locator


def stored_locator(session: Session, file_id: int) -> Locator:
    """The locator stored with file ``file_id``; ``NotFoundError`` when there is none."""
    text = store.stored_locator(session, file_id)
    if text is None:
        raise NotFoundError(f"stored file {file_id} has no content to reopen")
    return Locator.from_json(text)


def open_stored_file(where: Session | Database, file_id: int) -> BinaryIO:
    """Open stored file ``file_id`` read-only; ``OSError`` when the evidence cannot be read."""
    if isinstance(where, Database):
        with where.session() as session:
            locator = stored_locator(session, file_id)
    else:
        locator = stored_locator(where, file_id)
    return open_locator(locator)


def open_stored(file: StoredFile) -> BinaryIO:
    """A stored file's bytes, from its locator (its path, for rows older than locators)."""
    if file.locator is None:
        return open(file.path, "rb")
    return open_locator(Locator.from_json(file.locator))
