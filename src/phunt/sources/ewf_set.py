"""Is an E01 set complete? A missing segment must be one clear error naming it.

libewf opens a set with a segment missing (``pyewf.glob`` stops at the first gap) and
fails only when a read reaches the missing data, deep inside dfvfs or pytsk3, as a
traceback that names an offset. Each EWF1 segment instead says where it stands: its
header carries its number, and its chain of sections ends with ``next`` (more segments
follow) or ``done`` (the last one). Walking those few section headers tells, before any
media is read, which segment is missing.
"""

from __future__ import annotations

import os
import struct

from phunt.sources.locator import open_read_only
from phunt.sources.signatures import EWF_SIGNATURE

#: Segment file header: signature, one byte, segment number (little-endian), two bytes.
_HEADER = struct.Struct("<8sBHH")
#: Section descriptor: type, offset of the next section, size (then padding, checksum).
_SECTION = struct.Struct("<16sQQ")
#: How the error of a set with a segment missing starts.
INCOMPLETE = "EWF set incomplete"
#: A corrupt chain must not send the walk round for ever.
_MAX_SECTIONS = 1 << 16


def segment_name(first: str, number: int) -> str:
    """File name of segment ``number`` of the set whose first segment is ``first``:
    ``.E01``..``.E99``, then ``.EAA``..``.EZZ``, ``.FAA``... in the first one's case."""
    stem, ext = os.path.splitext(os.path.basename(first))
    if number < 100:
        suffix = f"E{number:02d}"
    else:
        rest = number - 100
        letters = (rest // 676, rest // 26 % 26, rest % 26)
        suffix = "".join(chr(base + n) for base, n in zip((ord("E"), 65, 65), letters, strict=True))
    return f"{stem}.{suffix.lower() if ext[1:2].islower() else suffix}"


def _segment_number(path: str) -> int | None:
    with open_read_only(path) as handle:
        data = handle.read(_HEADER.size)
    if len(data) < _HEADER.size:
        return None
    signature, _, number, _ = _HEADER.unpack(data)
    return int(number) if signature == EWF_SIGNATURE else None


def _last_section(path: str) -> bytes | None:
    """Type of the section that ends ``path``'s chain (``b"next"``, ``b"done"``); ``None``
    when the chain cannot be followed (not EWF1, or damaged)."""
    with open_read_only(path) as handle:
        size = handle.seek(0, os.SEEK_END)
        offset = _HEADER.size
        for _ in range(_MAX_SECTIONS):
            handle.seek(offset)
            data = handle.read(_SECTION.size)
            if len(data) < _SECTION.size:
                return None
            raw_type, following, _ = _SECTION.unpack(data)
            kind = bytes(raw_type).rstrip(b"\0")
            if kind in (b"next", b"done"):
                return kind
            if following <= offset or following >= size:
                return None
            offset = int(following)
    return None


def missing_segment(segments: list[str], shown: str | None = None) -> str | None:
    """Name of the first segment missing from ``segments`` (as ``pyewf.glob`` lists them,
    first one first), or ``None`` when the set looks complete or cannot be judged. Names
    follow ``shown``, the first segment as the examiner knows it (a member of an archive
    is read from a scratch copy), else the first segment's own name."""
    if not segments:
        return None
    try:
        for expected, segment in enumerate(segments, start=1):
            if _segment_number(segment) != expected:
                return None  # not numbered as EWF1 is: leave the judgement to libewf
        last = _last_section(segments[-1])
    except OSError:
        return None
    if last == b"next":
        return segment_name(shown or segments[0], len(segments) + 1)
    return None


def incomplete_message(segments: list[str], shown: str | None = None) -> str | None:
    """The error line for a set with a missing segment, or ``None`` when none is missing;
    ``shown`` as in :func:`missing_segment`."""
    missing = missing_segment(segments, shown)
    if missing is None:
        return None
    if shown is None:
        found = [os.path.basename(s) for s in segments]
    else:
        found = [os.path.basename(shown)]
        found += [segment_name(shown, n) for n in range(2, len(segments) + 1)]
    return f"{INCOMPLETE}: segment {missing} is missing (found {', '.join(found)})"
