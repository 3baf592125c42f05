"""Type a file by its content (libmagic on the head), and flag a misleading extension."""

from __future__ import annotations

from typing import ClassVar

from phunt.content.mime import extension_mismatch, mime_from_head
from phunt.ingest.stages.base import Stage, Work


class TypeStage(Stage):
    """MIME type from the first bytes; whether the name's extension says otherwise."""

    name: ClassVar[str] = "type"

    def run(self, work: Work) -> None:
        if not work.read:
            return
        work.result.mime = mime_from_head(work.head)
        work.result.extension_mismatch = extension_mismatch(work.entry.path, work.result.mime)
