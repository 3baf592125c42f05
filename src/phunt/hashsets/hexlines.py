"""Text lists read in bulk: line-aligned chunks, and lines of hex digests parsed as arrays.

A list of ten million digests is ten million lines; making a Python string, a regex match
and an entry of each costs ~10 us a line. Here a chunk of lines is one ``bytes``: a line
that starts with hex digits of a digest's length, followed by its ending or by a space or
tab and a name, is found and decoded by numpy (``bytes.fromhex`` over the whole chunk when
every line is the same bare digest); every other line (blank, comment, damage) is left to
the reader's own line-by-line code, so both ways of reading a list obey one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, cast

import numpy as np
import numpy.typing as npt

from phunt.hashing.kinds import KIND_BY_HEX_LENGTH, KINDS, HexKind, hex_kinds

CHUNK = 16 * 1024 * 1024
"""Bytes read at a time: bounds the memory of a bulk read (about 10 times this at peak)."""

_NIBBLES = bytes(
    int(chr(byte), 16) if chr(byte) in "0123456789abcdefABCDEF" else 255 for byte in range(256)
)
_LF, _CR, _SPACE, _TAB = 10, 13, 32, 9


def line_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """``stream`` in pieces of whole lines, each ending with LF (one is added after a last
    line that has none, which reads the same). A line longer than ``size`` is held whole,
    as reading it line by line would. A read that fails (a UTF-16 list whose bytes stop
    being UTF-16) fails after the whole lines before it, as it does line by line."""
    read = getattr(stream, "read1", stream.read)  # one raw read: nothing read is lost
    carry = b""
    while True:
        pieces, total, failure = [carry], len(carry), None
        want = len(carry) + size
        while total < want:
            try:
                block = read(want - total)
            except Exception as error:  # raised below, after the lines before it
                failure = error
                break
            if not block:
                break
            pieces.append(block)
            total += len(block)
        data = b"".join(pieces)
        if failure is None and total < want:  # the end
            if data:
                yield data if data.endswith(b"\n") else data + b"\n"
            return
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        if failure is not None:
            raise failure
        carry = data[cut:]


def digest_lengths() -> frozenset[int]:
    """Lengths in hex digits of the fixed-width kinds (the lines worth decoding in bulk)."""
    return frozenset(
        kind.hex_length
        for kind in hex_kinds()
        if kind.hex_length is not None and kind.hex_length % 2 == 0
    )


def plain_hex_kind(length: int, requested: str | None) -> str | None:
    """The kind a bare hex value of ``length`` digits is, as ``requested_kind`` decides it,
    when its normalising is a plain hex check; None when only the line-by-line rules can say
    (a text kind asked for, a width that must be refused)."""
    if requested is None:
        guess = KIND_BY_HEX_LENGTH.get(length)
        return guess if guess is not None and _plain_hex(guess) else None
    if requested not in KINDS or not _plain_hex(requested):
        return None
    width = KINDS.get(requested).hex_length
    if length == width:
        return requested
    shared = sum(1 for kind in hex_kinds() if kind.hex_length == width) > 1
    return plain_hex_kind(length, None) if shared else None


def _plain_hex(kind: str) -> bool:
    return type(KINDS.get(kind)).normalise is HexKind.normalise


def uniform_digests(chunk: bytes, lengths: frozenset[int]) -> npt.NDArray[np.uint8] | None:
    """The digests of a chunk whose lines are all hex of one length with the same ending
    (LF or CRLF), ``(lines, length / 2)``; None for any other chunk. The common case
    (a list as tools write it) costs one ``bytes.fromhex`` and no per-line arrays."""
    step = chunk.find(b"\n") + 1
    lines, rest = divmod(len(chunk), step)
    if rest or step < 2:
        return None
    data = np.frombuffer(chunk, dtype=np.uint8)
    if not (data[step - 1 :: step] == _LF).all():
        return None
    size = step - 1
    if (data[size - 1 :: step] == _CR).all():
        size -= 1
    if size not in lengths:
        return None
    try:
        raw = bytes.fromhex(chunk.decode("latin-1"))
    except ValueError:
        return None
    # fromhex skips whitespace: the length proves every other byte was a hex digit.
    if len(raw) != lines * size // 2:
        return None
    return np.frombuffer(raw, dtype=np.uint8).reshape(lines, size // 2)


@dataclass(frozen=True)
class HexLines:
    """A chunk's lines: where each starts and ends, its length without LF / CRLF, how many
    hex digits it starts with, and whether it is a digest of one of the digest lengths,
    bare or followed by a space or tab and a name (``regular``)."""

    chunk: bytes
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    """Offset of each line's LF."""
    sizes: npt.NDArray[np.int64]
    digits: npt.NDArray[np.int64]
    regular: npt.NDArray[np.bool_]
    values: npt.NDArray[np.uint8]
    """Bytes of the regular lines' digests, end to end in line order."""
    offsets: npt.NDArray[np.int64]
    """Per line: where its digest starts in ``values`` (meaningful for regular lines)."""

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def raw(self, first: int, last: int) -> bytes:
        """Lines ``first`` to ``last - 1`` as read, endings included."""
        return self.chunk[int(self.starts[first]) : int(self.ends[last - 1]) + 1]

    def rest(self, line: int) -> bytes:
        """What follows the digest of regular line ``line`` (its ending left out)."""
        start = int(self.starts[line])
        return self.chunk[start + int(self.digits[line]) : start + int(self.sizes[line])]

    def take(self, lines: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.uint8]:
        """The digests of ``lines`` (regular, all ``size`` digits), ``(len(lines), size/2)``."""
        width = size // 2
        at = self.offsets[lines]
        if lines.shape[0] and int(at[-1] - at[0]) == width * (lines.shape[0] - 1):
            flat = self.values[int(at[0]) : int(at[0]) + width * lines.shape[0]]
            return flat.reshape(-1, width)  # consecutive: a view, no copy
        return np.asarray(self.values[at[:, None] + np.arange(width)], dtype=np.uint8)


def scan_lines(chunk: bytes, lengths: frozenset[int]) -> HexLines:
    """Find the lines of ``chunk`` (which ends with LF) and decode the digests of the
    regular ones."""
    data = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(data == _LF).astype(np.int64)
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    crlf = np.zeros(ends.shape[0], dtype=np.bool_)
    filled = ends > starts
    crlf[filled] = data[ends[filled] - 1] == _CR
    sizes = ends - starts - crlf
    nibbles = np.frombuffer(chunk.translate(_NIBBLES), dtype=np.uint8)
    # The hex digits a line starts with end at its first other byte (its LF at the latest).
    others = np.flatnonzero(nibbles == 255)
    digits = others[np.searchsorted(others, starts)] - starts
    after = data[starts + digits]
    named = (digits < sizes) & ((after == _SPACE) | (after == _TAB))
    regular = ((digits == sizes) | named) & np.isin(digits, sorted(lengths))
    # Keep the digits of regular lines only, in order, and pair them into bytes.
    spans = np.empty(2 * ends.shape[0], dtype=np.int64)
    spans[0::2] = digits
    spans[1::2] = ends + 1 - starts - digits
    keep = np.zeros(2 * ends.shape[0], dtype=np.bool_)
    keep[0::2] = regular
    pairs = nibbles[np.repeat(keep, spans)]
    values = ((pairs[0::2] << 4) | pairs[1::2]).astype(np.uint8, copy=False)
    widths = np.where(regular, digits // 2, 0)
    offsets = np.cumsum(widths) - widths
    return HexLines(chunk, starts, ends, sizes, digits, regular, values, offsets)


def hex_column(
    values: Sequence[object], width: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]] | None:
    """A column of hex digests of ``width`` bytes as ``(digests, present)``, empty text and
    None being absent; None when any value is anything else (not text, another length, not
    hex), which the caller's own checks then name."""
    count = len(values)
    if None in values:
        values = ["" if value is None else value for value in values]
    try:
        text = "".join(cast(Sequence[str], values))
        sizes = np.fromiter(map(len, cast(Sequence[str], values)), dtype=np.int64, count=count)
        raw = bytes.fromhex(text)
    except (TypeError, ValueError):
        return None
    present = sizes != 0
    filled = int(present.sum())
    # fromhex skips whitespace: the length proves every character was a hex digit.
    if not ((sizes == 0) | (sizes == 2 * width)).all() or len(raw) != filled * width:
        return None
    digests = np.frombuffer(raw, dtype=np.uint8).reshape(filled, width)
    if filled == count:
        return digests, present
    out = np.zeros((count, width), dtype=np.uint8)
    out[present] = digests
    return out, present


def spaced_hex(text: str, count: int, width: int) -> npt.NDArray[np.uint8] | None:
    """``count`` digests of ``width`` bytes written as hex with one space between them
    (SQLite's ``group_concat(column, ' ')``), ``(count, width)``; None if the text is
    anything else (a value of another length, an empty or NULL one, not hex)."""
    step = 2 * width + 1
    if count < 1 or len(text) != count * step - 1 or text[step - 1 :: step] != " " * (count - 1):
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    # With the spaces where they belong, the length proves every other character hex.
    if len(raw) != count * width:
        return None
    return np.frombuffer(raw, dtype=np.uint8).reshape(count, width)
