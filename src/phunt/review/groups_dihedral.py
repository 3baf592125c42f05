"""The PDQ of a picture turned or mirrored, worked out from a stored hash's bits, so that
re-screening and propagation find rotated and flipped copies without reading evidence.

Ingest hashes each picture's 8 dihedral variants from its DCT (``phunt.hashing.pdq``) but
stores only the original, and a list gives one hash per picture. Turning or mirroring a
picture transposes its DCT or changes the sign of every other row or column of it
(``_dihedral_dcts``); a bit is "coefficient above the median", so a transpose moves the
bits exactly and a sign change inverts them, exactly when the median is 0 and otherwise
but for the coefficients between the two medians. On generated pictures the variants made
here are 0 to 12 bits from those the DCT gives (transposes: 0), which the PDQ threshold
absorbs for a plain copy; a recorded distance is to the variant made here.

Names are ``phunt.hashing.pdq.DIHEDRAL_NAMES``: ``rot90`` is the picture turned 90 degrees
anticlockwise (Pillow's ``ROTATE_90``), ``flipy`` mirrored left to right, ``flipx``
upside down, ``flipplus1`` and ``flipminus1`` mirrored on a diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from phunt.hashing.pdq import DIHEDRAL_NAMES
from phunt.matching.pdq_index import PdqIndex, hex_to_array

_EVEN = np.arange(16) % 2 == 0
_EVEN_ROWS = np.broadcast_to(_EVEN[:, None], (16, 16))
_EVEN_COLS = np.broadcast_to(_EVEN[None, :], (16, 16))
_CHECKER = _EVEN_ROWS ^ _EVEN_COLS

#: The transform that undoes each one (the rotations by 90 degrees undo each other).
INVERSE = dict(zip(DIHEDRAL_NAMES, DIHEDRAL_NAMES, strict=True)) | {
    "rot90": "rot270",
    "rot270": "rot90",
}

WORDS = {
    "orig": "as listed",
    "rot90": "rotated 90 degrees anticlockwise",
    "rot180": "rotated 180 degrees",
    "rot270": "rotated 90 degrees clockwise",
    "flipx": "flipped upside down",
    "flipy": "mirrored left to right",
    "flipplus1": "mirrored on its diagonal",
    "flipminus1": "mirrored on its other diagonal",
}


def _bits(hashes: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """``(n, 16, 16)``: bit ``16 i + j`` of each hash (the DCT's row i, column j)."""
    little = hashes[:, ::-1]  # the hex is most significant byte first
    return np.unpackbits(little, axis=1, bitorder="little").astype(bool).reshape(-1, 16, 16)


def _hashes(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint8]:
    packed = np.packbits(bits.reshape(-1, 256), axis=1, bitorder="little")
    return np.ascontiguousarray(packed[:, ::-1])


def variants(hexes: Sequence[str]) -> npt.NDArray[np.uint8]:
    """``(8 n, 32)`` hashes: each picture's 8 variants in ``DIHEDRAL_NAMES`` order (row
    ``8 k + v`` is variant ``v`` of picture ``k``; variant 0 is the hash itself)."""
    m = _bits(hex_to_array(list(hexes)))
    t = (0, 2, 1)  # transpose each picture's bits
    out = np.stack(
        [
            m,
            (m ^ _EVEN_COLS).transpose(t),
            m ^ _CHECKER,
            (m ^ _EVEN_ROWS).transpose(t),
            m ^ _EVEN_ROWS,
            m ^ _EVEN_COLS,
            m.transpose(t),
            (m ^ _CHECKER).transpose(t),
        ],
        axis=1,
    )
    return _hashes(out)


def search(
    index: PdqIndex, hexes: Sequence[str], threshold: int
) -> dict[tuple[int, int], tuple[int, str]]:
    """``{(k, indexed id): (distance, transform)}``: what ``index`` holds within
    ``threshold`` of picture ``hexes[k]`` as it is, or else of its closest variant turned
    or mirrored (a near copy of a symmetric picture is not called a mirrored one)."""
    rows = np.arange(8 * len(hexes))
    groups = 2 * (rows // 8) + (rows % 8 != 0)
    found = index.query(variants(hexes), threshold, groups=groups)
    out: dict[tuple[int, int], tuple[int, str]] = {}
    for group, row, indexed, distance in found.rows():
        key = (group // 2, indexed)
        if group % 2 == 0 or key not in out:
            out[key] = (distance, DIHEDRAL_NAMES[row % 8])
    return out
