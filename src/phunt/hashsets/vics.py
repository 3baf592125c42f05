"""Project VIC "VICS" JSON: 1.x (``odata.metadata``) and 2.0 (``@odata.context``).

Both forms are read: a hash set (``#Media``: ``value`` is a flat array of Media records)
and a case (``#Cases``: ``value`` holds Case objects, each with a ``Media`` array). One
Media record becomes one :class:`HashEntry`; its hash fields (MD5, SHA1, SHA256, PhotoDNA,
and ``AlternativeHashes`` entries) are normalised into ``hashes``, its ``Category`` into
``category``, and every other field is kept verbatim in ``extra`` (booleans written as
strings stay strings) so :func:`phunt.hashsets.vics_writer.write_vics` reproduces it. In
the case form ``extra[CASE_KEY]`` is the 1-based case number and the case's own fields
are in ``metadata()["cases"]``.

Files can be gigabytes, so the envelope and arrays are walked with
:class:`~phunt.hashsets.jsonstream.JsonStream`, one record in memory at a time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, is_whole_number, normalise_hash
from phunt.hashsets.categories import scheme_for_vics_profile
from phunt.hashsets.jsonstream import JsonStream, JsonSyntaxError

CONTEXT_KEYS = ("@odata.context", "odata.metadata")
CASE_KEY = "@phunt.case"
"""Key in ``HashEntry.extra`` holding the case number of a case-form record."""

HASH_FIELDS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "PhotoDNA": "photodna"}
"""Media fields that hold hashes, and their phunt kinds."""

_CONTEXT = re.compile(r"/([0-9]+(?:\.[0-9]+)*)\.xml(?:/([^/#]+)/\$metadata)?#(\w+)\s*$")
_PROBE = re.compile(r'"(?:@odata\.context|odata\.metadata)"\s*:|"Cases"\s*:\s*\[')


def alternative_kind(hash_name: str) -> str:
    """phunt kind for an ``AlternativeHashes`` ``HashName`` (``SHA-1`` -> ``sha1``)."""
    kind = re.sub(r"[^a-z0-9]+", "", hash_name.lower())
    return kind if kind[:1].isalpha() else f"h{kind}"


class VicsReader(HashListReader):
    """Streams Media records out of a VICS hash set or case file."""

    name = "vics"
    default_kind = "known-bad"
    kind_rule = "known-bad; a VICS 1.2 #Media set (NIST's CAID) is known-good"

    @classmethod
    def probe(cls, path: str | Path, head: bytes) -> bool:
        # Not by lines: minified VICS is one line of gigabytes.
        text = head[:4096].decode("utf-8-sig", errors="replace").lstrip()
        return text.startswith("{") and _PROBE.search(text) is not None

    _form: str | None = None
    _where = "start of file"

    def _initial_metadata(self) -> dict[str, Any]:
        return {
            "envelope": {},
            "version": None,
            "profile": None,
            "form": None,
            "cases": [],
            "category_scheme": self.category_scheme,
            "category_scheme_source": "stated" if self.category_scheme else None,
        }

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        # Cleared, not replaced: a writer may hold these while entries are consumed.
        self._metadata["envelope"].clear()
        self._metadata["cases"].clear()
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            yield from self._walk(JsonStream(text))
        except JsonSyntaxError as error:
            raise self.corrupt(error.reason, f"{self._where} (line {error.line})") from None
        except UnicodeDecodeError as error:
            # Text is decoded a buffer ahead of parsing, so the record is a lower bound.
            where = f"{self._where} or later"
            raise self.corrupt(f"not UTF-8 text ({error.reason})", where) from None
        finally:
            text.detach()  # the stream belongs to the template, which closes it

    def _walk(self, stream: JsonStream) -> Iterator[HashEntry]:
        if stream.peek() != "{":
            raise stream.error("a VICS file is one JSON object")
        listed = False
        envelope: dict[str, Any] = self._metadata["envelope"]
        for key in stream.object_keys():
            if key in ("value", "Cases") and not listed and stream.peek() == "[":
                listed = True
                self._metadata["list_key"] = key
                yield from self._records(stream)
            else:
                envelope[key] = stream.value()
                if key in CONTEXT_KEYS:
                    self._context(key, envelope[key])
        self._where = "end of file"
        stream.end()
        if not listed:
            raise self.corrupt("no 'value' array of Media or Cases", None)

    def _context(self, key: str, context: Any) -> None:
        match = _CONTEXT.search(context) if isinstance(context, str) else None
        if match is None:
            raise self.corrupt(f"unrecognised {key} {context!r}", "envelope")
        version, profile, form = match.groups()
        self._metadata.update(version=version, profile=profile, form=form)
        if (version, form) == ("1.2", "Media"):
            # IPED reads this as NIST's "CAID" set of known (non-pertinent) files.
            self._metadata.update(list_kind="known-good", kind_stated=True)
        self._form = form
        implied = scheme_for_vics_profile(profile)
        if self.category_scheme is None and implied is not None:
            self.category_scheme = implied
            self._metadata.update(category_scheme=implied, category_scheme_source="header")

    def _records(self, stream: JsonStream) -> Iterator[HashEntry]:
        number = 0
        for index in stream.array_items():
            if self._form == "Media":
                number += 1
                self._where = f"record {number}"
                yield self._entry(stream.value(), number, None)
            elif self._form == "Cases":
                number = yield from self._case(stream, index + 1, number)
            else:
                # No context before the list: tell a Case from a Media record by its shape.
                self._where = f"item {index + 1}"
                item = stream.value()
                if isinstance(item, dict) and isinstance(item.get("Media"), list):
                    case = {k: v for k, v in item.items() if k != "Media"}
                    self._metadata["cases"].append(case)
                    for media in item["Media"]:
                        number += 1
                        yield self._entry(media, number, index + 1)
                else:
                    number += 1
                    yield self._entry(item, number, None)
        self._metadata["records"] = number

    def _case(self, stream: JsonStream, case: int, number: int) -> Generator[HashEntry, None, int]:
        fields: dict[str, Any] = {}
        self._metadata["cases"].append(fields)
        self._where = f"case {case}"
        if stream.peek() != "{":
            raise stream.error("a Case is not a JSON object")
        for key in stream.object_keys():
            if key == "Media" and stream.peek() == "[":
                for _ in stream.array_items():
                    number += 1
                    self._where = f"case {case}, record {number}"
                    yield self._entry(stream.value(), number, case)
                self._where = f"case {case}"
            else:
                fields[key] = stream.value()
        return number

    def _entry(self, media: Any, number: int, case: int | None) -> HashEntry:
        where = self._where
        if not isinstance(media, dict):
            raise self.corrupt("a Media record is not a JSON object", where)
        hashes: dict[str, str] = {}
        extra: dict[str, Any] = {}
        category = None
        for key, value in media.items():
            kind = HASH_FIELDS.get(key)
            if kind is not None and value not in (None, ""):
                hashes[kind] = self._hash(kind, value, key, where)
            elif key == "Category" and value is not None:
                category = self.category(self._code(value, where), where)
            else:
                extra[key] = value
        for item in media.get("AlternativeHashes") or []:
            if isinstance(item, dict) and isinstance(item.get("HashName"), str):
                kind, value = alternative_kind(item["HashName"]), item.get("HashValue")
                if kind not in hashes and value not in (None, ""):
                    hashes[kind] = self._hash(kind, value, f"AlternativeHashes {kind}", where)
        if not hashes:
            raise self.corrupt("Media record has no MD5, SHA1, SHA256 or PhotoDNA", where)
        if case is not None:
            extra[CASE_KEY] = case
        return HashEntry(hashes, category, number, _media_name(media), extra)

    def _hash(self, kind: str, value: Any, field: str, where: str) -> str:
        if not isinstance(value, str):
            raise self.corrupt(f"{field} is not a string: {value!r}", where)
        try:
            return normalise_hash(kind, value)
        except ValueError as error:
            raise self.corrupt(f"{field}: {error}", where) from None

    def _code(self, value: Any, where: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and is_whole_number(value.strip()):
            return int(value)
        raise self.corrupt(f"Category is not an integer: {value!r}", where)


def _media_name(media: dict[str, Any]) -> str | None:
    """The 1.1 ``Name`` or the first ``MediaFiles`` file name, if any."""
    if isinstance(media.get("Name"), str):
        return str(media["Name"])
    files = media.get("MediaFiles")
    if isinstance(files, list) and files and isinstance(files[0], dict):
        name = files[0].get("FileName")
        return name if isinstance(name, str) else None
    return None
