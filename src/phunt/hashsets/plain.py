"""Plain text hash lists: one hash per line.

Rules: ``#`` starts a comment line; blank lines, CRLF and a UTF-8 BOM are fine; a line may
be ``<hash>`` or ``<hash> <file name>`` (md5sum/sha256sum output, ``*`` marker allowed).
The kind comes from the length (32 MD5, 40 SHA-1, 64 SHA-256). Because PDQ is also 64
hex digits, a 64-digit line is SHA-256 unless told otherwise: by the ``kind`` option
(which wins), or by a comment line ``# kind: pdq`` that applies to the lines after it
(``# kind: auto`` returns to guessing by length).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

import numpy as np
import numpy.typing as npt

from phunt.errors import CorruptInput
from phunt.hashing.kinds import KIND_BY_HEX_LENGTH
from phunt.hashing.kinds.base import is_hex
from phunt.hashsets.base import HashEntry, HashListReader, normalise_hash, requested_kind
from phunt.hashsets.columns import EntryBatch, batch_of, concat_batches, plain_batch
from phunt.hashsets.hexlines import (
    CHUNK,
    HexLines,
    digest_lengths,
    line_chunks,
    plain_hex_kind,
    scan_lines,
    uniform_digests,
)
from phunt.hashsets.unicode_text import utf8_stream

_DIRECTIVE = re.compile(r"#\s*kind\s*:\s*([a-z0-9_]+)\s*$", re.IGNORECASE)
_LINE = re.compile(r"(\S+)(?:[ \t]+\*?(.*))?")


class PlainReader(HashListReader):
    """One hash per line, optionally followed by a file name."""

    name = "plain"
    default_kind = "known-bad"
    accepts_kind = True
    chunk_size: ClassVar[int] = CHUNK
    """Bytes :meth:`batches` reads at a time."""

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = [
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
        if not data and not any(line.strip() for line in lines):
            return False
        # Mostly hashes: a list with one damaged line is still this format, and the reader
        # then names the line instead of detection failing without saying why.
        return 2 * sum(_is_hash_line(line) for line in data) >= len(data)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        state = _State()
        for number, text in self.text_lines(stream):
            entry = self._line(text, number, state)
            if entry is not None:
                yield entry

    def batches(self) -> Iterator[EntryBatch]:
        """The list in chunks of whole lines, bare-hex lines decoded as arrays
        (:mod:`.hexlines`); every other line goes through :meth:`_line` as
        :meth:`entries` reads it, so both give the same entries, records and errors."""
        state = _State()
        lengths = digest_lengths()
        with self.open() as raw:
            before = 0  # lines in earlier chunks
            for chunk in line_chunks(utf8_stream(raw, self.display), self.chunk_size):
                batch, lines = self._chunk(chunk, before, lengths, state)
                if len(batch):
                    yield batch
                before += lines

    def _chunk(
        self, chunk: bytes, before: int, lengths: frozenset[int], state: _State
    ) -> tuple[EntryBatch, int]:
        digests = uniform_digests(chunk, lengths)
        if digests is not None:
            kind = plain_hex_kind(2 * digests.shape[1], self.kind or state.directive)
            if kind is not None:
                lines = digests.shape[0]
                records = np.arange(before + 1, before + lines + 1, dtype=np.int64)
                return plain_batch(kind, digests, records), lines
        scan = scan_lines(chunk, lengths)
        names = _names(scan)
        parts: list[EntryBatch] = []
        for first, last in _runs(scan.regular):
            if not scan.regular[first]:
                parts.append(self._by_line(scan.raw(first, last), before + first + 1, state))
                continue
            # Which widths decode in bulk depends on the kind in force (a `# kind:` line).
            kinds = {n: plain_hex_kind(n, self.kind or state.directive) for n in lengths}
            bulk = np.isin(scan.digits[first:last], [n for n, k in kinds.items() if k])
            for start, stop in _runs(bulk):
                a, b = first + start, first + stop
                if bulk[start]:
                    parts.append(_bulk_batch(scan, a, b, before, kinds, names))
                else:
                    parts.append(self._by_line(scan.raw(a, b), before + a + 1, state))
        parts = [part for part in parts if len(part)]
        empty = EntryBatch(records=np.zeros(0, dtype=np.int64))
        return (concat_batches(parts) if parts else empty), len(scan)

    def _by_line(self, raw: bytes, number: int, state: _State) -> EntryBatch:
        """Lines ``raw`` (the first is line ``number``) read by ``text_lines`` and
        :meth:`_line`, exactly as :meth:`entries` reads them."""
        # A line before it keeps the first line's number from text_lines' BOM rule.
        lead = b"" if number == 1 else b"\n"
        shift = number - 1 - len(lead)
        lines = self.text_lines(io.BytesIO(lead + raw))
        entries: list[HashEntry] = []
        local = len(lead)
        while True:
            try:
                local, text = next(lines)
            except StopIteration:
                break
            except CorruptInput as error:  # text_lines numbered the line from our start
                raise self.corrupt(error.message, f"line {local + 1 + shift}") from None
            if local > len(lead):
                entry = self._line(text, local + shift, state)
                if entry is not None:
                    entries.append(entry)
        return batch_of(entries) if entries else EntryBatch(np.zeros(0, dtype=np.int64))

    def _line(self, text: str, number: int, state: _State) -> HashEntry | None:
        """The entry of one decoded line, or None for a blank or comment line (a
        ``# kind:`` comment changes ``state``)."""
        line = text.strip()
        if not line:
            return None
        if line.startswith("#"):
            match = _DIRECTIVE.match(line)
            if match:
                state.directive = None if match[1].lower() == "auto" else match[1].lower()
                self._metadata.setdefault("kind_directives", []).append(
                    {"line": number, "kind": match[1].lower()}
                )
            return None
        return self._entry(line, number, self.kind or state.directive)

    def _entry(self, line: str, number: int, kind: str | None) -> HashEntry:
        match = _LINE.fullmatch(line)
        location = f"line {number}"
        if match is None:
            raise self.corrupt(f"not a hash: {line[:80]!r}", location)
        try:
            found = requested_kind(match[1], kind)
            value = normalise_hash(found, match[1])
        except ValueError as error:
            raise self.corrupt(str(error), location) from None
        name = (match[2] or "").strip() or None
        return HashEntry({found: value}, record=number, name=name)


def _is_hash_line(line: str) -> bool:
    match = _LINE.fullmatch(line)
    return match is not None and len(match[1]) in KIND_BY_HEX_LENGTH and is_hex(match[1])


@dataclass
class _State:
    """What earlier lines decided: the kind a ``# kind:`` comment put in force."""

    directive: str | None = None


def _runs(flags: npt.NDArray[np.bool_]) -> Iterator[tuple[int, int]]:
    """``(first, last)`` of each run of equal values in ``flags``."""
    cuts = [0, *(np.flatnonzero(flags[1:] != flags[:-1]) + 1).tolist(), int(flags.shape[0])]
    return itertools.pairwise(cuts)


def _names(scan: HexLines) -> list[str | None] | None:
    """The name after each regular line's digest, as :meth:`PlainReader._entry` reads it
    (``<hash> <name>``, ``<hash> *<name>``); None when no line has one. A line whose name
    is not UTF-8 or holds a CR stops being regular: read line by line, it is named."""
    named = np.flatnonzero(scan.regular & (scan.digits < scan.sizes))
    if not named.shape[0]:
        return None
    names: list[str | None] = [None] * len(scan)
    for line in named.tolist():
        try:
            text = scan.rest(line).decode("utf-8")
        except UnicodeDecodeError:
            text = "\r"
        if "\r" in text:
            scan.regular[line] = False
            continue
        names[line] = text.lstrip(" \t").removeprefix("*").strip() or None
    return names


def _bulk_batch(
    scan: HexLines,
    first: int,
    last: int,
    before: int,
    kinds: dict[int, str | None],
    names: list[str | None] | None,
) -> EntryBatch:
    """Lines ``first`` to ``last - 1`` of ``scan`` (regular, each width of a known kind)."""
    lines = np.arange(first, last, dtype=np.int64)
    records = lines + before + 1
    sizes = scan.digits[first:last]
    digests: dict[str, npt.NDArray[np.uint8]] = {}
    present: dict[str, npt.NDArray[np.bool_]] = {}
    for size, kind in kinds.items():
        mask = sizes == size
        if kind is None or not mask.any():
            continue
        if mask.all():
            digests[kind], present[kind] = scan.take(lines, size), mask
            continue
        values = np.zeros((last - first, size // 2), dtype=np.uint8)
        values[mask] = scan.take(lines[mask], size)
        digests[kind], present[kind] = values, mask
    named = None if names is None else names[first:last]
    return EntryBatch(
        records=records,
        digests=digests,
        present=present,
        names=named if named is not None and any(n is not None for n in named) else None,
    )
