"""What makes two entries "the same entry": the identity that dedup and numbering use.

An entry is identified by every hash it carries and its category (a category change is a
new entry, so a match recorded against the old one still says what the list said then).
For a plain list (one fixed-width kind on every row, no category, no text kind) the
digest itself is the identity. Otherwise the identity is a 16-byte BLAKE2b of a canonical
encoding that names each present kind, so it does not depend on which other kinds the
list has: a row that carries only an MD5 has the same identity in a version where other
rows gained a SHA-1. Rows that share a shape (the same kinds, the same category) are
encoded as one matrix, so only the hash call itself runs per row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

WIDTH = 16
_NO_CATEGORY = -1


def identity_keys(
    digests: Mapping[str, npt.NDArray[np.uint8]],
    present: Mapping[str, npt.NDArray[np.bool_]],
    texts: Mapping[str, Sequence[str | None]],
    codes: npt.NDArray[np.int32],
    schemes: npt.NDArray[np.uint8],
    scheme_names: Sequence[str],
) -> npt.NDArray[np.uint8]:
    """(n, 16) identities of n rows given column by column.

    ``codes`` is -1 where a row has no category, ``schemes`` indexes ``scheme_names``.
    """
    n = int(codes.shape[0])
    fixed = sorted(digests)
    keys = np.zeros((n, WIDTH), dtype=np.uint8)
    if n == 0:
        return keys
    has_text = np.zeros(n, dtype=np.bool_)
    for values in texts.values():
        has_text |= np.fromiter((v is not None for v in values), dtype=np.bool_, count=n)
    # A row's shape as one integer: a bit a kind, then the scheme (+1, 0 = none), then text.
    shape = np.zeros(n, dtype=np.int64)
    for bit, kind in enumerate(fixed):
        shape |= present[kind].astype(np.int64) << bit
    shape |= np.where(codes >= 0, schemes.astype(np.int64) + 1, 0) << len(fixed)
    shape |= has_text.astype(np.int64) << (len(fixed) + 9)
    patterns, group = np.unique(shape, return_inverse=True)
    for index, pattern in enumerate(patterns.tolist()):
        rows = np.nonzero(group == index)[0]
        kinds = [kind for bit, kind in enumerate(fixed) if pattern >> bit & 1]
        scheme_index = (pattern >> len(fixed) & 0x1FF) - 1
        scheme = None if scheme_index < 0 else scheme_names[scheme_index]
        if pattern >> (len(fixed) + 9):
            keys[rows] = _text_rows(rows, kinds, digests, texts, codes, scheme)
        else:
            keys[rows] = _fixed_rows(rows, kinds, digests, codes, scheme)
    return keys


def _fixed_rows(
    rows: npt.NDArray[np.intp],
    kinds: list[str],
    digests: Mapping[str, npt.NDArray[np.uint8]],
    codes: npt.NDArray[np.int32],
    scheme: str | None,
) -> npt.NDArray[np.uint8]:
    """Identities of rows of one shape with no text kind: one matrix, one hash call a row."""
    parts: list[npt.NDArray[np.uint8]] = []
    count = rows.shape[0]
    for kind in kinds:
        parts.append(_constant(_label(kind), count))
        parts.append(digests[kind][rows])
    parts.append(_constant(_category_label(scheme), count))
    if scheme is not None:
        parts.append(codes[rows].astype("<i8").view(np.uint8).reshape(count, 8))
    return hash_rows(np.ascontiguousarray(np.concatenate(parts, axis=1)))


def _text_rows(
    rows: npt.NDArray[np.intp],
    kinds: list[str],
    digests: Mapping[str, npt.NDArray[np.uint8]],
    texts: Mapping[str, Sequence[str | None]],
    codes: npt.NDArray[np.int32],
    scheme: str | None,
) -> npt.NDArray[np.uint8]:
    """Identities of rows that carry a text kind (few: vPDQ lists), one row at a time."""
    out = bytearray()
    for row in rows.tolist():
        values = {kind: bytes(digests[kind][row]) for kind in kinds}
        for kind, column in texts.items():
            text = column[row]
            if text is not None:
                raw = text.encode("utf-8")
                values[kind] = len(raw).to_bytes(8, "little") + raw
        encoded = b"".join(_label(kind) + values[kind] for kind in sorted(values))
        encoded += _category_label(scheme)
        if scheme is not None:
            encoded += int(codes[row]).to_bytes(8, "little", signed=True)
        out += hashlib.blake2b(encoded, digest_size=WIDTH).digest()
    return np.frombuffer(bytes(out), dtype=np.uint8).reshape(-1, WIDTH)


def _label(kind: str) -> bytes:
    raw = kind.encode("utf-8")
    return len(raw).to_bytes(2, "little") + raw


def _category_label(scheme: str | None) -> bytes:
    if scheme is None:
        return b"\x00"
    raw = scheme.encode("utf-8")
    return b"\x01" + len(raw).to_bytes(2, "little") + raw


def _constant(raw: bytes, count: int) -> npt.NDArray[np.uint8]:
    return np.broadcast_to(np.frombuffer(raw, dtype=np.uint8), (count, len(raw)))


def hash_rows(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """BLAKE2b-128 of each row of a contiguous (n, w) byte matrix."""
    n, width = matrix.shape
    view = np.ascontiguousarray(matrix).reshape(-1).data
    blake2b = hashlib.blake2b
    joined = b"".join(
        [
            blake2b(view[at : at + width], digest_size=WIDTH).digest()
            for at in range(0, n * width, width)
        ]
    )
    return np.frombuffer(joined, dtype=np.uint8).reshape(n, WIDTH).copy()
