"""Writes VICS 2.0 JSON, as a hash set (``#Media``) or a case (``#Cases``), streaming.

Every field an entry carries in ``extra`` is written back verbatim, so a VICS file read by
:class:`~phunt.hashsets.vics.VicsReader` and written here parses to the same records (the
envelope becomes 2.0). Hashes are written upper-case, as distributed sets are; a hash that
came from ``AlternativeHashes`` stays only there; kinds VICS has no field for (PDQ ...) are
added to ``AlternativeHashes``. Categories are converted explicitly to the scheme of the
output profile and stop with a UsageError when no mapping exists.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TextIO

from phunt.errors import UsageError
from phunt.hashsets.base import HashEntry
from phunt.hashsets.categories import convert, scheme_for_vics_profile
from phunt.hashsets.vics import CASE_KEY, CONTEXT_KEYS, HASH_FIELDS, alternative_kind
from phunt.hashsets.writers import HashListWriter, register_writer

CONTEXT_URL = (
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{profile}/$metadata#{form}"
)
_FIELD_OF_KIND = {kind: field for field, kind in HASH_FIELDS.items()}
_UPPER = {"md5", "sha1", "sha256"}


@register_writer
class VicsWriter(HashListWriter):
    """VICS 2.0 JSON, as a hash set (``form="hashset"``) or a case (``form="case"``)."""

    name = "vics"
    suffix = ".json"
    forms = ("hashset", "case")

    def _write(
        self, entries: Iterable[HashEntry], out: TextIO, form: str, meta: Mapping[str, Any]
    ) -> int:
        return write_vics(entries, out, form="case" if form == "case" else "hashset", metadata=meta)


def write_vics(
    entries: Iterable[HashEntry],
    out: TextIO,
    *,
    form: Literal["hashset", "case"] = "hashset",
    metadata: Mapping[str, Any] | None = None,
    renumber: bool = False,
) -> int:
    """Write ``entries`` to ``out`` as VICS 2.0 and return how many were written.

    ``metadata`` is what a reader's ``metadata()`` returned (or the same keys from the
    database): ``profile`` (default ``Default``), ``category_scheme`` (needed only for
    profiles that do not imply one), ``envelope`` (extra top-level fields, kept) and, for
    the case form, ``cases`` (each case's fields; entries name theirs by ``extra[CASE_KEY]``,
    default 1, and must come grouped in case order). A reader's live ``metadata()`` may be
    passed while its ``entries()`` are being written. ``MediaID`` is kept from ``extra``
    unless ``renumber`` (needed when entries of several lists are merged: the id is only
    unique within a file); entries without one are numbered. Open ``out`` as UTF-8 text.
    """
    # Take the first entry before reading ``metadata``: a streaming reader knows its
    # envelope (profile, context) only once it has reached its first record.
    items = iter(entries)
    first = next(items, None)
    meta = metadata if metadata is not None else {}
    profile = str(meta.get("profile") or "Default")
    scheme = scheme_for_vics_profile(profile) or meta.get("category_scheme")
    context = CONTEXT_URL.format(profile=profile, form="Media" if form == "hashset" else "Cases")
    envelope = meta.get("envelope") or {}
    written = {*CONTEXT_KEYS, "value", "Cases"}
    out.write(json.dumps({"@odata.context": context}, ensure_ascii=False)[:-1])
    _write_fields(out, envelope, written)
    out.write(', "value": [')
    stream = items if first is None else itertools.chain([first], items)
    if form == "hashset":
        count = 0
        for count, entry in enumerate(stream, 1):
            media = _dumps(entry, count, scheme, renumber)
            out.write(("," if count > 1 else "") + "\n" + media)
    else:
        # Not copied: a reader fills its metadata's cases while its entries are consumed.
        cases = meta.get("cases")
        count = _write_cases(stream, out, [] if cases is None else cases, scheme, renumber)
    out.write("\n]")
    _write_fields(out, meta.get("envelope") or {}, written)  # fields found after the list
    out.write("}\n")
    return count


def _write_fields(out: TextIO, fields: Mapping[str, Any], skip: set[str]) -> None:
    """Write ``, "key": value`` for each field not in ``skip``, and add it there."""
    for key, value in fields.items():
        if key not in skip:
            skip.add(key)
            out.write(f", {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")


def _write_cases(
    entries: Iterable[HashEntry],
    out: TextIO,
    cases: list[dict[str, Any]],
    scheme: str | None,
    renumber: bool,
) -> int:
    current = 0
    count = 0
    first_in_case = True

    def close(case: int) -> None:
        out.write("]")
        _write_fields(out, cases[case - 1] if case <= len(cases) else {}, {"Media"})
        out.write("}")

    def open_(case: int) -> None:
        out.write(("," if case > 1 else "") + '\n{"Media": [')

    for entry in entries:
        case = int(entry.extra.get(CASE_KEY, 1))
        if case < max(current, 1):
            raise UsageError(f"record {entry.record}: case-form entries must be grouped by case")
        if case != current:
            if current:
                close(current)
            for empty in range(current + 1, case):
                open_(empty)
                close(empty)
            open_(case)
            current, first_in_case = case, True
        count += 1
        media = _dumps(entry, count, scheme, renumber)
        out.write(("" if first_in_case else ",") + "\n" + media)
        first_in_case = False
    if current:
        close(current)
    for empty in range(current + 1, len(cases) + 1):
        open_(empty)
        close(empty)
    return count


def _dumps(entry: HashEntry, number: int, scheme: str | None, renumber: bool) -> str:
    media: dict[str, Any] = {"MediaID": number}
    media.update((k, v) for k, v in entry.extra.items() if k != CASE_KEY)
    if renumber:
        media["MediaID"] = number
    alternatives = media.get("AlternativeHashes")
    listed = {
        alternative_kind(item["HashName"])
        for item in alternatives or []
        if isinstance(item, dict) and isinstance(item.get("HashName"), str)
    }
    added: list[dict[str, str]] = []
    for kind, value in entry.hashes.items():
        if kind in listed:
            continue
        text = value.upper() if kind in _UPPER else value
        field = _FIELD_OF_KIND.get(kind)
        if field is not None:
            media[field] = text
        else:
            added.append({"HashName": kind.upper(), "HashValue": text})
    if added:
        media["AlternativeHashes"] = [*(alternatives or []), *added]
    if entry.category is not None:
        if scheme is None:
            raise UsageError(
                "the VICS profile does not imply a category scheme; give one in metadata"
            )
        category = convert(entry.category, scheme)
        if category is not None:
            media["Category"] = category.code
    return json.dumps(media, ensure_ascii=False)
