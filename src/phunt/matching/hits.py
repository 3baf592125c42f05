"""What a match says: which entry of which list, at which version, how close, and why.

A :class:`Listed` names an entry by its list, the list's version and its entry number (the
number it keeps in every version of a governed set, or its record number in a list file),
so a court can find it in that version's set file; a :class:`Hit` adds the kind, the
listed hash, the distance and, for near matches, the threshold it was within.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phunt.hashsets.categories import Category, is_known_bad

if TYPE_CHECKING:
    from phunt.matching.vpdq_match import VideoMatch


@dataclass(frozen=True)
class Listed:
    """An entry of a list in use: where it comes from and what it says."""

    list_name: str
    list_kind: str
    version: int | None
    entry: int
    category: Category | None

    @property
    def reportable(self) -> bool:
        return is_known_bad(
            self.category, "known-good" if self.list_kind == "known-good" else "known-bad"
        )


@dataclass(frozen=True)
class Hit:
    """One entry a query matched, with the distance (0 for cryptographic hashes)."""

    listed: Listed
    kind: str
    hash: str
    distance: int
    variant: str | None = None
    video: VideoMatch | None = None
    threshold: int | None = None
    """The distance a near match had to be within (None for an exact match)."""

    def stored_columns(self) -> dict[str, Any]:
        """The columns a stored match row takes from the hit, named as both tables of
        matches name them (``file_match`` for files, ``chat_media_match`` for chat media)."""
        cat = self.listed.category
        return {
            "hash_set": self.listed.list_name,
            "version": self.listed.version,
            "entry": self.listed.entry,
            "kind": self.kind,
            "distance": self.distance,
            "category_code": None if cat is None else cat.code,
            "category_scheme": None if cat is None else cat.scheme,
        }

    def video_detail(self) -> dict[str, Any]:
        """For a video match: both shares and the matched time ranges of the seized video."""
        if self.video is None:
            return {}
        return {
            "query_pct": round(self.video.query_pct, 2),
            "index_pct": round(self.video.index_pct, 2),
            "ranges": self.video.ranges_text,
        }

    def as_json(self) -> dict[str, Any]:
        cat = self.listed.category
        out: dict[str, Any] = {
            "hash": self.hash,
            "kind": self.kind,
            "distance": self.distance,
            "hashset": self.listed.list_name,
            "version": self.listed.version,
            "entry": self.listed.entry,
            "category": None if cat is None else cat.code,
        }
        if cat is not None:
            out["category_scheme"] = cat.scheme
        if self.variant is not None:
            out["variant"] = self.variant
        out.update(self.video_detail())
        return out
