"""PDQ and other signal lists in the shapes python-threatexchange and HMA produce.

Dialects, chosen from the first data line and stated in ``metadata()["dialect"]``:

- ``typed``: ``<signal type> <signal>`` per line, split at the first space, as the
  ``local_file`` exchange reads and ``threatexchange hash photo`` prints (``pdq <hex>``).
  Lines starting with ``#`` are taken as comments (upstream would read a type ``#``).
- ``dataset-csv``: ``threatexchange dataset --csv``, a header naming ``signal_type`` and
  ``signal_str`` in any order (``signal_type,signal_str,collab,category,tags`` today,
  ``collab,signal_type,signal_str,category,tags`` in older releases); the opinion category
  is kept in ``extra`` (it is not a VICS/DHS code).
- ``hma-csv``: HMA 1.x sample data, no header: ``<hash>,<indicator id>,[<n>,]<time>,<tags>``
  (64 digits are PDQ, 32 are video MD5); the id, time and space-separated tags go to
  ``extra``, never into a quality.
- ``pdq-hasher``: the C++ ``pdq-photo-hasher`` output ``<hash>,<quality>[,<file>]`` or its
  ``--details`` form ``hash=<hex>,quality=<n>,...,filename=<path>``; a quality outside
  0-100 is damage.

(A bare hash per line is a plain list, read by :mod:`phunt.hashsets.plain`.) Signal types
map to phunt kinds (``video_md5`` -> ``md5`` ...); other types (``url``, ``raw_text`` ...)
are kept as opaque kinds of the same name and never matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, csv_row, is_whole_number, normalise_hash

SIGNAL_KINDS = {
    "pdq": "pdq",
    "vpdq": "vpdq",
    "video_md5": "md5",
    "video_sha256": "sha256",
    "photodna": "photodna",
}
"""python-threatexchange signal type -> phunt hash kind, where they are the same thing."""
KNOWN_SIGNAL_TYPES = frozenset({*SIGNAL_KINDS, "url", "url_md5", "raw_text", "trend_query"})
DATASET_HEADER = ["signal_type", "signal_str", "collab", "category", "tags"]
HMA_KINDS = {64: "pdq", 32: "md5"}

_TYPED = re.compile(r"([a-z][a-z0-9_]*) (\S.*)")
_HASHER = re.compile(r"([0-9a-fA-F]{64}),(-?[0-9]{1,18})(?:,(.*))?")
_DETAILS = re.compile(r"hash=([0-9a-fA-F]{64}),(.*)")
_HMA = re.compile(
    r"(?P<hash>[0-9a-fA-F]{64}|[0-9a-fA-F]{32}),(?P<id>[0-9]+),(?:(?P<extra>[0-9]+),)?"
    r"(?P<time>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+(?:[+-][0-9]{4}|Z)?),(?P<tags>.*)"
)


def _dialect(line: str) -> str | None:
    if set(DATASET_HEADER[:2]) <= set(csv_row(line) or []):
        return "dataset-csv"
    if _HMA.fullmatch(line):
        return "hma-csv"
    typed = _TYPED.fullmatch(line)
    if typed is not None and typed[1] in KNOWN_SIGNAL_TYPES:
        return "typed"
    if _HASHER.fullmatch(line) or _DETAILS.fullmatch(line):
        return "pdq-hasher"
    return None


class ThreatExchangeReader(HashListReader):
    """python-threatexchange / HMA / pdq-photo-hasher signal lists."""

    name = "threatexchange"
    default_kind = "known-bad"

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        first = next((x.strip() for x in lines if x.strip() and x[0] != "#"), None)
        return first is not None and _dialect(first) is not None

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        text = self.text_lines(stream)
        lines = ((n, x.strip()) for n, x in text if x.strip() and x[0] != "#")
        first = next(lines, None)
        if first is None:
            return
        dialect = _dialect(first[1])
        if dialect is None:
            raise self.corrupt(f"not a signal list line: {first[1][:80]!r}", f"line {first[0]}")
        self._metadata["dialect"] = dialect
        if dialect == "dataset-csv":
            yield from self._dataset(first, lines)
            return
        yield self._line(first[1], first[0], dialect)
        for number, line in lines:
            yield self._line(line, number, dialect)

    def _line(self, line: str, number: int, dialect: str) -> HashEntry:
        where = f"line {number}"
        extra: dict[str, Any] = {}
        name = None
        if dialect == "typed":
            signal_type, _, signal = line.partition(" ")
            if not signal.strip():
                raise self.corrupt(f"not '<signal type> <signal>': {line[:80]!r}", where)
            kind = SIGNAL_KINDS.get(signal_type, signal_type)
            extra["signal_type"] = signal_type
        elif dialect == "hma-csv":
            hma = _HMA.fullmatch(line)
            if hma is None:
                raise self.corrupt(f"not '<hash>,<id>,<time>,<tags>': {line[:80]!r}", where)
            signal, kind = hma["hash"], HMA_KINDS[len(hma["hash"])]
            extra.update(indicator_id=hma["id"], time=hma["time"], tags=hma["tags"].split())
            if hma["extra"] is not None:
                extra["field_3"] = hma["extra"]
        else:
            kind = "pdq"
            match = _HASHER.fullmatch(line)
            details = _DETAILS.fullmatch(line)
            if match is not None:
                signal, extra["quality"], name = match[1], int(match[2]), match[3]
                if not 0 <= extra["quality"] <= 100:
                    raise self.corrupt(f"PDQ quality {match[2]} is not within 0-100", where)
            elif details is not None:
                signal = details[1]
                extra.update(_key_values(details[2]))
                name = extra.pop("filename", None)
                quality = extra.get("quality")
                if not isinstance(quality, int) or not 0 <= quality <= 100:
                    raise self.corrupt(f"PDQ quality {quality!r} is not within 0-100", where)
            else:
                raise self.corrupt(f"not '<pdq hex>,<quality>[,<file>]': {line[:80]!r}", where)
        return HashEntry({kind: self._hash(kind, signal, where)}, None, number, name, extra)

    def _dataset(
        self, header: tuple[int, str], lines: Iterator[tuple[int, str]]
    ) -> Iterator[HashEntry]:
        columns = csv_row(header[1]) or []
        for number, line in lines:
            where = f"line {number}"
            row = csv_row(line)
            if row is None:
                raise self.corrupt("not a CSV row", where)
            if len(row) != len(columns):
                raise self.corrupt(f"row has {len(row)} fields, header has {len(columns)}", where)
            fields = dict(zip(columns, row, strict=True))
            signal_type = fields.pop("signal_type")
            kind = SIGNAL_KINDS.get(signal_type, signal_type)
            fields["signal_type"] = signal_type
            signal = fields.pop("signal_str")
            yield HashEntry({kind: self._hash(kind, signal, where)}, None, number, None, fields)

    def _hash(self, kind: str, value: str, where: str) -> str:
        try:
            return normalise_hash(kind, value)
        except ValueError as error:
            raise self.corrupt(str(error), where) from None


def _key_values(text: str) -> dict[str, Any]:
    """``quality=90,...,filename=x`` -> dict; the file name is last and may hold commas."""
    out: dict[str, Any] = {}
    rest = text
    while rest:
        if rest.startswith("filename="):
            out["filename"] = rest[len("filename=") :]
            break
        item, _, rest = rest.partition(",")
        key, _, value = item.partition("=")
        out[key] = int(value) if is_whole_number(value.removeprefix("-")) else value
    return out
