"""The contract every hash-list reader keeps, and where list values meet the hash kinds.

A hash list enters phunt here, so its values are validated here: a reader turns each
record into a :class:`HashEntry` whose hashes are already normalised, and a damaged record
becomes a :class:`~phunt.errors.CorruptInput` naming the line or record.
"""

from __future__ import annotations

import csv
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from phunt.errors import CorruptInput, UsageError
from phunt.hashing.crypto import sha256_stream
from phunt.hashing.kinds import (
    HASH_KINDS,
    KIND_BY_HEX_LENGTH,
    KINDS,
    HashKind,
    either,
    hex_kinds,
    hex_titles,
    is_hex,
)
from phunt.hashing.kinds.base import shorten
from phunt.hashsets.categories import Category, ListKind, check_scheme, code_problem
from phunt.hashsets.entry import HashEntry
from phunt.hashsets.unicode_text import utf8_stream

if TYPE_CHECKING:
    from phunt.hashsets.columns import EntryBatch

__all__ = [
    "HASH_KINDS",
    "HEAD_SIZE",
    "KIND_BY_HEX_LENGTH",
    "Category",
    "HashEntry",
    "HashKind",
    "HashListReader",
    "ListKind",
    "PatternLineReader",
    "check_scheme",
    "csv_row",
    "head_lines",
    "is_whole_number",
    "kind_of_hex",
    "normalise_hash",
    "requested_kind",
]

HEAD_SIZE = 64 * 1024
"""How many leading bytes format detection reads."""

_KIND_NAME = re.compile(r"[a-z][a-z0-9_]*")


def is_whole_number(text: str) -> bool:
    """ASCII digits only, at most 18 of them (``str.isdigit`` also accepts "²", which
    ``int`` refuses; a longer number fits no 64-bit column and ``int`` refuses 4,300)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def normalise_hash(kind: str, value: str) -> str:
    """Validate ``value`` as a hash of ``kind`` and return its canonical text.

    A registered kind validates its own values (:mod:`phunt.hashing.kinds`): hex kinds are
    lower-cased, PhotoDNA in its 288-digit hex form becomes Base64 so both spellings of one
    value compare equal; other kinds are kept as given (stripped) and never matched.
    Raises ``ValueError`` saying what is wrong; readers add the line or record number.
    """
    text = value.strip()
    if not text:
        raise ValueError(f"empty {kind} value")
    if kind in KINDS:
        return KINDS.get(kind).normalise(text)
    if not _KIND_NAME.fullmatch(kind):
        raise ValueError(f"hash kind {kind!r} is not a lower-case name")
    return text


def requested_kind(value: str, requested: str | None) -> str:
    """The kind a user asked for (``--hash-kind``), which says what an ambiguous width is.

    A kind whose width another kind shares (PDQ and SHA-256 are both 64 digits) names the
    values of that width only: ``pdq`` asked of a column that mixes PDQ and MD5 leaves the
    32-digit values MD5. Any other kind holds every value to its width.
    """
    if requested is None or requested not in KINDS:
        return requested or kind_of_hex(value)
    width = KINDS.get(requested).hex_length
    shared = sum(1 for k in hex_kinds() if k.hex_length == width) > 1
    if shared and len(value.strip()) != width:
        return kind_of_hex(value)
    return requested


def kind_of_hex(value: str, *, wide: str = "sha256") -> str:
    """Guess the kind of a bare hex digest from its length; ``wide`` names the 64-digit kind."""
    text = value.strip()
    kind = KIND_BY_HEX_LENGTH.get(len(text))
    if kind is None:
        lengths = sorted({k.hex_length for k in hex_kinds() if k.hex_length is not None})
        raise ValueError(
            f"not an {hex_titles()} hash ({either([str(n) for n in lengths])} hex digits): "
            f"{shorten(text)!r} ({len(text)} characters)"
        )
    kind = wide if kind == "sha256" else kind
    if not is_hex(text):
        raise ValueError(f"{kind} is not hexadecimal: {shorten(text)!r}")
    return kind


class HashListReader(ABC):
    """Streams the entries of one hash list, read from a file or a binary file object.

    The template: :meth:`entries` opens the source (a path is opened anew on every call,
    a stream is rewound) and hands the binary stream to the format's ``_entries``, which
    yields lazily with bounded memory and raises ``CorruptInput`` (naming the line or
    record) on damage, or ``UsageError`` when categories need a scheme nobody gave.
    A list with a UTF-16/32 byte-order mark reaches ``_entries`` and ``probe`` as UTF-8.
    :meth:`probe` recognises the format from the first :data:`HEAD_SIZE` bytes (never by
    extension): text formats implement ``_probe_lines`` on the head's complete lines,
    binary ones override ``probe``. :meth:`sha256` fingerprints the source through
    :mod:`phunt.hashing.crypto`. Subclasses are registered by ``name`` in
    :data:`phunt.hashsets.detect.READERS`.
    """

    name: ClassVar[str]
    default_kind: ClassVar[ListKind]
    accepts_kind: ClassVar[bool] = False
    """Whether the ``kind`` option (which kind an ambiguous bare hash is) applies."""
    kind_rule: ClassVar[str | None] = None
    """How the list kind follows from the file, where ``default_kind`` is not the whole story."""
    probe_lines: ClassVar[int] = 50
    """How many complete lines of the head a text format's probe judges."""

    def __init__(
        self,
        source: str | Path | BinaryIO,
        *,
        name: str | None = None,
        category_scheme: str | None = None,
        kind: str | None = None,
    ) -> None:
        if isinstance(source, (str, Path)):
            self.path: Path | None = Path(source)
            self._stream: BinaryIO | None = None
            self.display = str(self.path)
        else:
            self.path, self._stream = None, source
            self.display = name or str(getattr(source, "name", "") or "hash list")
        self.category_scheme = check_scheme(category_scheme)
        if kind is not None:
            if not self.accepts_kind:
                raise UsageError(f"the {self.name!r} format does not take a hash kind option")
            if kind not in HASH_KINDS and not _KIND_NAME.fullmatch(kind):
                raise UsageError(f"unknown hash kind {kind!r}")
        self.kind = kind
        self._metadata: dict[str, Any] = {"format": self.name, "list_kind": self.default_kind}
        self._metadata.update(self._initial_metadata())

    def _initial_metadata(self) -> dict[str, Any]:
        """Header facts a format states before reading (None until its header is read)."""
        return {}

    @classmethod
    def probe(cls, path: str | Path, head: bytes) -> bool:
        """Whether ``head`` (the first bytes of the file ``path``) looks like this format."""
        lines = head_lines(head, limit=cls.probe_lines)
        return lines is not None and cls._probe_lines(lines)

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        """A text format's probe: the head's first complete lines (BOM dropped)."""
        return False

    def entries(self) -> Iterator[HashEntry]:
        """Yield the list's entries in file order (a UTF-16/32 list read as UTF-8)."""
        with self.open() as stream:
            yield from self._entries(utf8_stream(stream, self.display))

    def batches(self) -> Iterator[EntryBatch]:
        """The entries column by column; readers of large plain formats override this to
        fill the arrays without an object per entry."""
        from phunt.hashsets.columns import batches_from_entries

        return batches_from_entries(self.entries())

    @abstractmethod
    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        """The format's reading of ``stream`` (binary, at its start)."""

    def open(self) -> AbstractContextManager[BinaryIO]:
        """The source as a binary stream at its start; a caller's stream is not closed."""
        if self._stream is not None:
            self._stream.seek(0)
            return nullcontext(self._stream)
        assert self.path is not None
        return self.path.open("rb")

    def sha256(self) -> str:
        """SHA-256 of the whole source: the fingerprint an import records."""
        with self.open() as stream:
            return sha256_stream(stream)

    def metadata(self) -> dict[str, Any]:
        """Header facts (version, profile, scheme ...); complete once iteration has ended.

        Always has ``format`` and ``list_kind`` (``default_kind`` unless the header says
        otherwise, as a VICS 1.2 ``#Media`` NIST CAID known-file set does). JSON-ready.
        """
        return self._metadata

    def text_lines(
        self, stream: BinaryIO, encoding: str = "utf-8", *, keep_ends: bool = False
    ) -> Iterator[tuple[int, str]]:
        """``(line number, line)`` pairs (ending stripped unless ``keep_ends``), decoded per line.

        Decoding per line keeps the number of a badly encoded line exact; a BOM on the first
        line is dropped. ``encoding="latin-1"`` never fails (for lists of vendor names).
        """
        for number, raw in enumerate(stream, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise self.corrupt(
                    f"not {encoding} text (byte {error.start + 1} of the line)",
                    f"line {number}",
                ) from None
            body = line.rstrip("\r\n")
            if "\r" in body:
                raise self.corrupt(
                    "a carriage return inside the line: the file ends its lines with CR "
                    "alone (classic Mac OS); convert it to LF or CRLF line ends",
                    f"line {number}",
                )
            yield number, line if keep_ends else body

    def corrupt(self, message: str, location: str | None) -> CorruptInput:
        """A ``CorruptInput`` for this file at ``location`` (e.g. ``"line 12"``)."""
        return CorruptInput(message, path=self.display, location=location)

    def category(self, code: int, location: str) -> Category:
        """``code`` under the scheme of this import; stops when no scheme is known."""
        if self.category_scheme is None:
            raise UsageError(
                f"{self.display}:{location}: the list has category codes but its category"
                " scheme is not stated; give --category-scheme vics-us-2.0, dhs-legacy or uk-caid"
            )
        problem = code_problem(code, self.category_scheme)
        if problem is not None:
            raise self.corrupt(problem, location)
        return Category(code, self.category_scheme)


def csv_row(line: str, delimiter: str = ",") -> list[str] | None:
    """One line read as CSV fields; None when it is not CSV at all.

    ``csv`` refuses a line holding a bare carriage return or an over-long field with
    ``csv.Error``; a reader asking "is this my header?" takes that as no, and a reader
    already sure of its format reports it as damage with the line number.
    """
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None


class PatternLineReader(HashListReader):
    """The template of a list with one entry per line of a fixed shape: ``line_pattern``
    says the shape (``line_shape`` names it in errors, article included); blank and ``#``
    lines are skipped; ``_line_entry`` turns a matched line into an entry."""

    line_pattern: ClassVar[re.Pattern[str]]
    line_shape: ClassVar[str]

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = [line for line in lines if line.strip() and not line.startswith("#")]
        hits = sum(bool(cls.line_pattern.fullmatch(line)) for line in data)
        return bool(data) and 2 * hits >= len(data)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        count = 0
        for number, line in self.text_lines(stream):
            if not line.strip() or line.startswith("#"):
                continue
            where = f"line {number}"
            match = self.line_pattern.fullmatch(line)
            if match is None:
                raise self.corrupt(f"not {self.line_shape} line: {line[:80]!r}", where)
            count += 1
            yield self._line_entry(match, number, where)
        self._metadata["records"] = count

    @abstractmethod
    def _line_entry(self, match: re.Match[str], number: int, where: str) -> HashEntry:
        """The entry of one line that has the shape."""


def head_lines(head: bytes, *, limit: int = 50) -> list[str] | None:
    """Up to ``limit`` complete text lines of ``head`` for probing; None if it is not text.

    A trailing partial line is dropped unless ``head`` is the whole (short) file, so a
    probe never judges a line cut at the buffer edge.
    """
    if b"\0" in head:
        return None
    complete = head if len(head) < HEAD_SIZE else head[: head.rfind(b"\n") + 1]
    # A stray non-UTF-8 byte (a Latin-1 file name in NSRL) does not make a file binary.
    text = complete.decode("utf-8-sig", errors="replace")
    if text.count("\ufffd") > len(text) // 100:
        return None
    # Split as the readers do (on LF only), so a probe judges the lines a reader will read.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and not lines[-1]:
        lines.pop()
    return lines[:limit]
