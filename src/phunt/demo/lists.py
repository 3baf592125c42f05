"""The demo's synthetic hash lists, written by phunt's own list writers.

A VICS 2.0 hash set declares some generated files "known" by their digests (with a VICS
category: here just a number), a PDQ list declares pictures so that their near copies
match, and a vPDQ list does the same for videos. The lists are written with the writers
phunt exports with (:mod:`phunt.hashsets.vics_writer`, :mod:`phunt.hashsets.csv_writer`),
so the demo imports them exactly as an examiner would import a list from another unit.
"""

from __future__ import annotations

import hashlib
import io

from phunt.errors import UsageError
from phunt.hashsets.categories import MEANINGS, VICS_US, Category
from phunt.hashsets.csv_writer import write_csv
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.vics_writer import write_vics

#: The envelope's note, so nobody mistakes the list for a real one.
NOTE = "synthetic list: benign generated pictures and videos declared known for the demo"


def _category(number: int, code: int | None) -> Category | None:
    if code is None:
        return None
    if code not in MEANINGS[VICS_US]:
        codes = ", ".join(map(str, sorted(MEANINGS[VICS_US])))
        raise UsageError(f"file {number}: category {code} is not a VICS code ({codes})")
    return Category(code, VICS_US)


def vics_json(known: list[tuple[bytes, int]]) -> bytes:
    """A VICS 2.0 hash set (Default profile, VICS US categories 0-4): one ``Media`` record
    per file with its MD5, SHA1 and size, numbered from 1 in the given order."""
    entries = []
    for number, (data, category) in enumerate(known, 1):
        hashes = {
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "sha1": hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        }
        extra = {"MediaID": number, "MediaSize": len(data), "Comments": "generated demo file"}
        entries.append(HashEntry(hashes, _category(number, category), number, extra=extra))
    out = io.StringIO()
    write_vics(entries, out, metadata={"envelope": {"Comment": NOTE}})
    return out.getvalue().encode("utf-8")


def _csv(kind: str, hashes: list[str], prefix: str, categories: list[int] | None) -> bytes:
    if categories is not None and len(categories) != len(hashes):
        raise UsageError(f"{len(hashes)} files but {len(categories)} categories")
    codes: list[int | None] = [None] * len(hashes) if categories is None else [*categories]
    entries = [
        HashEntry({kind: value}, _category(n, code), n, f"{prefix}-{n:03d}")
        for n, (value, code) in enumerate(zip(hashes, codes, strict=True), 1)
    ]
    out = io.StringIO(newline="")
    out.write(f"# {NOTE}\n")
    write_csv(entries, out, kinds=(kind,))
    return out.getvalue().encode("utf-8")


def pdq_list(pictures: list[bytes], categories: list[int] | None = None) -> bytes:
    """A CSV list (``pdq,name,category,category_scheme``) of each picture's PDQ hash, with
    the VICS category of each when given (else none: a match is known-bad, uncategorised)."""
    from phunt.hashing.pdq import hash_image_file

    hashes = [hash_image_file(io.BytesIO(p)).hash.hex for p in pictures]
    return _csv("pdq", hashes, "picture", categories)


def vpdq_list(videos: list[bytes], categories: list[int] | None = None) -> bytes | None:
    """A CSV list of each video's vPDQ frames (one row per video, frames joined by ``;``,
    the form phunt's CSV export writes), categories as :func:`pdq_list`."""
    from phunt.hashing.vpdq import hash_video, to_text

    frames = [to_text(hash_video(io.BytesIO(v))).strip() for v in videos]
    return _csv("vpdq", frames, "video", categories)
