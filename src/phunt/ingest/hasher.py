"""The hashing stages alone, for one entry: what ``phunt hash`` learns about a file.

Kept free of any database or terminal code so the same work runs in a local process pool,
on a Dask worker, and under ``phunt hash`` on a laptop at a raid. The stages themselves
live in :mod:`phunt.ingest.stages`; this is their hashing part as one call.
"""

from __future__ import annotations

from phunt.ingest.stages import (
    PDQ_MIME_TYPES,
    VIDEO_MIME_TYPES,
    WHOLE_READ,
    FileResult,
    hashing_stages,
    read_up_to,
)
from phunt.ingest.stages.base import run_stages
from phunt.sources.base import Entry

__all__ = [
    "PDQ_MIME_TYPES",
    "VIDEO_MIME_TYPES",
    "WHOLE_READ",
    "FileResult",
    "hash_entry",
    "read_up_to",
]


def hash_entry(entry: Entry, *, pdq_mode: str | None = "default") -> FileResult:
    """Hash one entry; problems become the result's ``error``, never an exception.

    ``pdq_mode`` is "default" (bit-identical to the reference), "fast", or None to skip
    perceptual hashing (PDQ of pictures, vPDQ of videos).
    """
    return run_stages(entry, hashing_stages(pdq_mode)).result
