"""PDQ perceptual image hash (Meta's ThreatExchange), bit-identical to python-threatexchange.

Hash lists shared between agencies are PDQ hashes computed by Meta's reference code, so a
hash here must be the same bits as ``threatexchange``'s ``pdq_from_file`` on the same
bytes, not merely close. The numba kernels below reproduce the reference float32
arithmetic step by step (``../shared/reference/PDQ-NOTES.md`` describes it):

1. luma ``0.299 R + 0.587 G + 0.114 B`` in float64, stored as float32 (as ``pdqhash``);
2. two passes of a float32 running-sum box filter along rows, then along columns
   (window ``ceil(L / 128)``), with the reference's edge handling;
3. decimation at cell centres to 64x64; quality from the 64x64 gradients;
4. a 16x16 DCT summed in float32 in the reference order; bit = coefficient > lower median.

Speed comes from one streaming pass instead of four over full-size float buffers (a small
ring buffer stays in cache), from filtering 16 rows side by side so the CPU vectorises
what is a serial running sum per row, and from running the last column pass over the 64
sampled columns only. The 8 dihedral variants come from sign changes and transposes of
one DCT, as in the C++ ``pdqDihedralHash256esFromFloatLuma``. Which pixels are hashed
(modes, alpha, animations, HEIF, fast mode) is decided in ``phunt.hashing.image_decode``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from numba import njit

from phunt.errors import InputError
from phunt.hashing import image_decode

PDQ_MATCH_THRESHOLD: Final = 31
"""Largest Hamming distance that counts as a match (inclusive), as in python-threatexchange."""

PDQ_QUALITY_THRESHOLD: Final = 50
"""Hashes with a lower quality are too flat to match on; they are reported as low quality."""

MODES: Final = ("default", "fast")
"""``default`` is bit-identical to the reference; ``fast`` hashes a colour JPEG's own luma
plane, at half size when large (about 2 bits away on average, several times faster)."""

DIHEDRAL_NAMES: Final = (
    "orig",
    "rot90",
    "rot180",
    "rot270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
)
"""Variant order of the reference CLI (``pdq-photo-hasher --pdqdih``)."""

_MIN_HASHABLE_DIM: Final = 5
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]


class BadPdqHash(InputError, ValueError):
    """A PDQ hash given as text is not 64 hex digits."""


def _dct_matrix() -> F32:
    """The reference's 16x64 DCT matrix: float32 of a double product, frequency 0 dropped."""
    scale = float(np.float32(math.sqrt(2.0 / 64.0)))
    out = np.empty((16, 64), dtype=np.float32)
    for i in range(16):
        for j in range(64):
            out[i, j] = scale * math.cos((math.pi / 2.0 / 64.0) * (i + 1) * (2 * j + 1))
    return out


_DCT: Final = _dct_matrix()


# ---------------------------------------------------------------- numba kernels


@njit(cache=True, nogil=True)
def _window(length: int) -> int:
    return (length + 127) // 128


@njit(cache=True, nogil=True)
def _box_lanes(src: F32, dst: F32, w: int) -> None:
    """Running-sum box filter down axis 0, independently for every lane of axis 1.

    Each lane gets exactly the float32 operations of the reference's ``box1DFloat``
    (mean over indices k + half - w .. k + half - 1, clipped; divide by the count inside),
    while the lanes side by side let the CPU vectorise instead of waiting on one sum.
    """
    n, m = src.shape
    half = (w + 2) // 2
    sums = np.zeros(m, dtype=np.float32)
    count = 0
    ri = 0
    li = 0
    oi = 0
    for _ in range(half - 1):
        for c in range(m):
            sums[c] += src[ri, c]
        count += 1
        ri += 1
    for _ in range(w - half + 1):
        count += 1
        fc = np.float32(count)
        for c in range(m):
            sums[c] += src[ri, c]
            dst[oi, c] = sums[c] / fc
        ri += 1
        oi += 1
    fc = np.float32(count)
    for _ in range(n - w):
        for c in range(m):
            s = sums[c] + src[ri, c]
            s -= src[li, c]
            sums[c] = s
            dst[oi, c] = s / fc
        li += 1
        ri += 1
        oi += 1
    for _ in range(half - 1):
        count -= 1
        fc = np.float32(count)
        for c in range(m):
            sums[c] -= src[li, c]
            dst[oi, c] = sums[c] / fc
        li += 1
        oi += 1


@njit(cache=True, nogil=True)
def _centres(length: int) -> npt.NDArray[np.int64]:
    """Indices of the 64 cell centres along a dimension, as the reference's ``decimateFloat``."""
    out = np.empty(64, dtype=np.int64)
    for k in range(64):
        out[k] = int(((k + 0.5) * length) / 64)
    return out


_LANES: Final = 16


@njit(cache=True, nogil=True)
def _load_block(src: F32, r0: int, lanes: int, tin: F32) -> None:
    """``tin[c, k] = src[r0 + k, c]``; a constant trip count for full blocks lets LLVM unroll."""
    if lanes == _LANES:
        for c in range(src.shape[1]):
            for k in range(_LANES):
                tin[c, k] = src[r0 + k, c]
    else:
        for c in range(src.shape[1]):
            for k in range(lanes):
                tin[c, k] = src[r0 + k, c]


@njit(cache=True, nogil=True)
def _store_block(tout: F32, dst: F32, r0: int, lanes: int, keep: npt.NDArray[np.int64]) -> None:
    """Write a transposed block back: ``dst[r0 + k, j] = tout[keep[j], k]`` (all if no keep)."""
    if keep.shape[0] == 0:
        if lanes == _LANES:
            for c in range(tout.shape[0]):
                for k in range(_LANES):
                    dst[r0 + k, c] = tout[c, k]
        else:
            for c in range(tout.shape[0]):
                for k in range(lanes):
                    dst[r0 + k, c] = tout[c, k]
    else:
        for j in range(keep.shape[0]):
            for k in range(lanes):
                dst[r0 + k, j] = tout[keep[j], k]


@njit(cache=True, nogil=True)
def _luma_row(row: U8, chans: int, out: F32) -> None:
    """One row of luma from interleaved bytes; flat indexing is what lets LLVM vectorise."""
    if chans == 1:
        for c in range(out.shape[0]):
            grey = np.float64(row[c])
            out[c] = np.float32(grey * 0.299 + grey * 0.587 + grey * 0.114)
    elif chans == 3:
        for c in range(out.shape[0]):
            i = 3 * c
            out[c] = np.float32(row[i] * 0.299 + row[i + 1] * 0.587 + row[i + 2] * 0.114)
    else:
        for c in range(out.shape[0]):
            i = chans * c
            out[c] = np.float32(row[i] * 0.299 + row[i + 1] * 0.587 + row[i + 2] * 0.114)


@njit(cache=True, nogil=True)
def _source_rows(pixels: U8, luma: F32, use_luma: bool, r0: int, lanes: int, out: F32) -> None:
    """Luma rows r0 .. r0 + lanes - 1 into ``out``: copied from ``luma``, or from ``pixels``."""
    cols = out.shape[1]
    for k in range(lanes):
        if use_luma:
            for c in range(cols):
                out[k, c] = luma[r0 + k, c]
        else:
            chans = pixels.shape[2]
            _luma_row(pixels[r0 + k].reshape(cols * chans), chans, out[k])


@njit(cache=True, nogil=True)
def _downsample(pixels: U8, luma: F32, use_luma: bool, rows: int, cols: int) -> F32:
    """Jarosz tent blur (box rows, box columns, twice) sampled at the 64x64 cell centres.

    One streaming pass over the image instead of four over full-size buffers: blocks of
    ``_LANES`` rows get the first row pass, land in a ring buffer, and the first column
    pass emits each output row as soon as its window is in the ring, applying per column
    exactly the reference's sequence (add the entering row, then subtract the leaving
    one; divide by the count inside). Output rows then get the second row pass (kept only
    at the 64 sampled columns) and the second column pass runs on that narrow strip.
    """
    wr = _window(cols)
    wc = _window(rows)
    half = (wc + 2) // 2
    cap = ((wc + 2 * _LANES) // _LANES + 1) * _LANES
    ring = np.empty((cap, cols), dtype=np.float32)
    block = np.empty((_LANES, cols), dtype=np.float32)
    emitted = np.empty((_LANES, cols), dtype=np.float32)
    tin = np.zeros((cols, _LANES), dtype=np.float32)
    tout = np.empty((cols, _LANES), dtype=np.float32)
    sums = np.zeros(cols, dtype=np.float32)
    narrow = np.empty((rows, 64), dtype=np.float32)
    keep = _centres(cols)
    every = np.empty(0, dtype=np.int64)
    produced = 0
    oi = 0
    pending = 0
    for r0 in range(0, rows, _LANES):
        lanes = min(_LANES, rows - r0)
        _source_rows(pixels, luma, use_luma, r0, lanes, block)
        _load_block(block, 0, lanes, tin)
        _box_lanes(tin, tout, wr)
        _store_block(tout, ring, r0 % cap, lanes, every)
        produced = r0 + lanes
        while oi < rows and (oi + half - 1 < produced or produced == rows):
            if oi == 0:
                for r in range(half - 1):
                    src = ring[r % cap]
                    for c in range(cols):
                        sums[c] += src[c]
            enter = oi + half - 1
            leave = enter - wc
            if enter < rows:
                src = ring[enter % cap]
                for c in range(cols):
                    sums[c] += src[c]
            if leave >= 0:
                src = ring[leave % cap]
                for c in range(cols):
                    sums[c] -= src[c]
            count = np.float32(min(enter, rows - 1) - max(leave + 1, 0) + 1)
            dst = emitted[pending]
            for c in range(cols):
                dst[c] = sums[c] / count
            pending += 1
            oi += 1
            if pending == _LANES or oi == rows:
                _load_block(emitted, 0, pending, tin)
                _box_lanes(tin, tout, wr)
                _store_block(tout, narrow, oi - pending, pending, keep)
                pending = 0
    blurred = np.empty((rows, 64), dtype=np.float32)
    _box_lanes(narrow, blurred, wc)
    row_idx = _centres(rows)
    out = np.empty((64, 64), dtype=np.float32)
    for i in range(64):
        for j in range(64):
            out[i, j] = blurred[row_idx[i], j]
    return out


@njit(cache=True, nogil=True)
def _quality(a: F32) -> int:
    """The reference's gradient-count quality, 0..100, in float32 then truncated."""
    hundred = np.float32(100.0)
    scale = np.float32(255.0)
    total = 0
    for i in range(63):
        for j in range(64):
            total += abs(int(((a[i, j] - a[i + 1, j]) * hundred) / scale))
    for i in range(64):
        for j in range(63):
            total += abs(int(((a[i, j] - a[i, j + 1]) * hundred) / scale))
    return min(total // 90, 100)


@njit(cache=True, nogil=True)
def _dct16(a: F32, d: F32) -> F32:
    """B = D A D^T with float32 sums in the reference's order."""
    t = np.empty((16, 64), dtype=np.float32)
    for i in range(16):
        for j in range(64):
            s = np.float32(0.0)
            for k in range(64):
                s += d[i, k] * a[k, j]
            t[i, j] = s
    b = np.empty((16, 16), dtype=np.float32)
    for i in range(16):
        for j in range(16):
            s = np.float32(0.0)
            for k in range(64):
                s += t[i, k] * d[j, k]
            b[i, j] = s
    return b


@njit(cache=True, nogil=True)
def _dct(pixels: U8, luma: F32, use_luma: bool, d: F32) -> tuple[F32, int]:
    """16x16 DCT and quality of ``luma`` (float32) or of ``pixels`` (8-bit grey or RGB(A)).

    The one entry point, so that numba compiles (and caches) the pipeline once. A 64x64
    input is not blurred, as in the reference (vPDQ scales frames to 64x64 itself).
    """
    rows, cols = (luma.shape[0], luma.shape[1]) if use_luma else pixels.shape[:2]
    if rows == 64 and cols == 64:
        small = np.empty((64, 64), dtype=np.float32)
        _source_rows(pixels, luma, use_luma, 0, 64, small)
    else:
        small = _downsample(pixels, luma, use_luma, rows, cols)
    return _dct16(small, d), _quality(small)


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    view = array.view()
    view.flags.writeable = False
    return view


_NO_PIXELS: Final = _readonly(np.zeros((0, 0, 1), dtype=np.uint8))
_NO_LUMA: Final = _readonly(np.zeros((0, 0), dtype=np.float32))


# ---------------------------------------------------------------- bits and variants

_ODD = np.arange(16) % 2 == 1
_SIGN_EVEN_ROWS: Final = np.where(_ODD, 1, -1).astype(np.float32)[:, None]
_SIGN_EVEN_COLS: Final = np.where(_ODD, 1, -1).astype(np.float32)[None, :]
_SIGN_CHECKER: Final = _SIGN_EVEN_ROWS * _SIGN_EVEN_COLS


def _dihedral_dcts(b: F32) -> tuple[F32, ...]:
    """The DCT of each rotated/mirrored image, from the original's (C++ ``dct16OriginalTo*``).

    Reversing an axis multiplies frequency u by (-1)^u; index i is frequency i + 1, so the
    signs change on even indices. Negation is exact in float32, so this matches the C++.
    """
    return (
        b,
        (b * _SIGN_EVEN_COLS).T,
        b * _SIGN_CHECKER,
        (b * _SIGN_EVEN_ROWS).T,
        b * _SIGN_EVEN_ROWS,
        b * _SIGN_EVEN_COLS,
        b.T,
        (b * _SIGN_CHECKER).T,
    )


def _bits_to_int(b: F32) -> int:
    """Bit 16 i + j is set when B[i, j] exceeds the lower median (Torben's, = sorted[127])."""
    median = np.sort(b, axis=None)[127]
    bits = (b > median).reshape(256)
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


# ---------------------------------------------------------------- public types


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown PDQ mode {mode!r}; expected one of {', '.join(MODES)}")


@dataclass(frozen=True)
class PdqHash:
    """A 256-bit PDQ hash; ``int(hex, 16)`` of the reference's 64-digit hex string.

    ``quality`` is 0-100, or None when not known (a hash read from a list). ``mode`` says
    how it was computed: "default" (bit-identical to the reference) or "fast".
    """

    value: int
    quality: int | None = None
    mode: str = "default"

    def __post_init__(self) -> None:
        if not 0 <= self.value < 1 << 256:
            raise ValueError("a PDQ hash is 256 bits")
        if self.quality is not None and not 0 <= self.quality <= 100:
            raise ValueError(f"PDQ quality {self.quality} is outside 0-100")
        _check_mode(self.mode)

    @property
    def hex(self) -> str:
        """64 lower-case hex digits in the reference order (DCT row 15 first)."""
        return format(self.value, "064x")

    @property
    def low_quality(self) -> bool:
        """True when the quality is known and below ``PDQ_QUALITY_THRESHOLD``."""
        return self.quality is not None and self.quality < PDQ_QUALITY_THRESHOLD

    @classmethod
    def from_hex(cls, text: str, *, quality: int | None = None, mode: str = "default") -> PdqHash:
        """Parse 64 hex digits (either case, surrounding blanks ignored); ``BadPdqHash`` if not."""
        digits = text.strip()
        if len(digits) != 64 or not _HEX_DIGITS.issuperset(digits):
            shown = digits if len(digits) <= 80 else digits[:77] + "..."
            raise BadPdqHash(f"not a PDQ hash (64 hex digits): {shown!r}")
        return cls(int(digits, 16), quality, mode)


@dataclass(frozen=True)
class PdqResult:
    """The PDQ hash of one image, its dihedral variants, and what was hashed.

    ``dihedral`` holds 8 hex hashes in ``DIHEDRAL_NAMES`` order (orig first), or is empty
    when variants were not asked for. ``width``/``height`` are the stored image's size.
    ``trimmed`` is True when this hash is of the picture inside a uniform border, whose
    box is ``crop`` (top, left, bottom, right); ``unbordered`` is that second hash, kept
    beside the plain one so that bordered copies of a listed picture still match.
    """

    hash: PdqHash
    dihedral: tuple[str, ...]
    width: int
    height: int
    trimmed: bool = False
    crop: tuple[int, int, int, int] | None = None
    unbordered: PdqResult | None = None

    @property
    def variants(self) -> dict[str, str]:
        """Variant name -> hex; just ``orig`` when dihedral variants were not computed."""
        if not self.dihedral:
            return {"orig": self.hash.hex}
        return dict(zip(DIHEDRAL_NAMES, self.dihedral, strict=True))


# ---------------------------------------------------------------- hashing


def _result(b: F32, quality: int, mode: str, width: int, height: int, dihedral: bool) -> PdqResult:
    variants: tuple[str, ...]
    if quality == 0 and min(width, height) < _MIN_HASHABLE_DIM:
        value = 0
        variants = (format(0, "064x"),) * 8 if dihedral else ()
    else:
        dcts = _dihedral_dcts(b) if dihedral else (b,)
        ints = [_bits_to_int(d) for d in dcts]
        value = ints[0]
        variants = tuple(format(v, "064x") for v in ints) if dihedral else ()
    return PdqResult(PdqHash(value, quality, mode), variants, width, height)


def _readonly_pixels(pixels: npt.NDArray[Any]) -> U8:
    """One array type for the kernels (C-contiguous, read-only uint8), so numba compiles once."""
    if pixels.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels (uint8), got {pixels.dtype}")
    out = np.ascontiguousarray(pixels)
    if out.ndim == 2:
        out = out[:, :, None]
    if out.ndim != 3:
        raise ValueError(f"expected a 2-D or 3-D pixel array, got {out.ndim}-D")
    return _readonly(out)


def _hash_pixels(pixels: U8, mode: str, dihedral: bool) -> PdqResult:
    rows, cols, chans = pixels.shape
    if chans not in (1, 3, 4):
        raise ValueError(f"expected 1, 3 or 4 channels, got {chans}")
    if rows < _MIN_HASHABLE_DIM or cols < _MIN_HASHABLE_DIM:
        return _result(np.zeros((16, 16), np.float32), 0, mode, cols, rows, dihedral)
    b, quality = _dct(pixels, _NO_LUMA, False, _DCT)
    return _result(b, quality, mode, cols, rows, dihedral)


def hash_rgb(rgb: npt.NDArray[Any], *, dihedral: bool = False) -> PdqResult:
    """PDQ of an 8-bit (rows, cols, 3) RGB array, e.g. a decoded video frame for vPDQ.

    Also takes (rows, cols, 4) (alpha ignored) and 2-D grey. A 64x64 frame is not blurred,
    as in the reference (vPDQ scales frames itself).
    """
    pixels = _readonly_pixels(rgb)
    return _hash_pixels(pixels, "default", dihedral)


def hash_luma(luma: npt.NDArray[Any], *, dihedral: bool = False) -> PdqResult:
    """PDQ of a 2-D float32 luminance array (the reference's ``pdqHash256FromFloatLuma``)."""
    if luma.ndim != 2:
        raise ValueError("luma must be a 2-D array")
    rows, cols = luma.shape
    if rows < _MIN_HASHABLE_DIM or cols < _MIN_HASHABLE_DIM:
        return _result(np.zeros((16, 16), np.float32), 0, "default", cols, rows, dihedral)
    view = _readonly(np.ascontiguousarray(luma, dtype=np.float32))
    b, quality = _dct(_NO_PIXELS, view, True, _DCT)
    return _result(b, quality, "default", cols, rows, dihedral)


def hash_image_file(
    path_or_fileobj: image_decode.Source,
    *,
    mode: str = "default",
    dihedral: bool = True,
    trim_border: bool = True,
) -> PdqResult:
    """PDQ of an image file's first frame, as python-threatexchange's ``pdq_from_file``.

    ``mode="fast"`` decodes JPEGs as luminance only, at half size when large (about
    2 bits from the reference, several times faster); the result's ``hash.mode`` says which
    mode produced it (other files decode fully and report "default"). With ``trim_border``,
    an image with a uniform border is hashed again inside it (``unbordered``).
    Raises ``WrongFormat`` for a file that is not an image and ``CorruptInput`` for a
    damaged or truncated one.
    """
    _check_mode(mode)
    decoded = image_decode.decode(path_or_fileobj, fast=mode == "fast")
    used = "fast" if decoded.fast_path else "default"
    pixels = _readonly_pixels(decoded.pixels)
    result = _hash_pixels(pixels, used, dihedral)
    result = PdqResult(result.hash, result.dihedral, decoded.width, decoded.height)
    if not trim_border:
        return result
    box = image_decode.trim_uniform_border(pixels)
    if box is None:
        return result
    top, left, bottom, right = box
    inner = _hash_pixels(_readonly_pixels(pixels[top:bottom, left:right]), used, dihedral)
    s = decoded.scale
    crop = (top * s, left * s, min(bottom * s, decoded.height), min(right * s, decoded.width))
    unbordered = PdqResult(
        inner.hash, inner.dihedral, crop[3] - crop[1], crop[2] - crop[0], True, crop
    )
    return PdqResult(
        result.hash, result.dihedral, result.width, result.height, unbordered=unbordered
    )


# ---------------------------------------------------------------- comparing


def _as_int(h: PdqHash | str | int) -> int:
    if isinstance(h, PdqHash):
        return h.value
    if isinstance(h, str):
        return PdqHash.from_hex(h).value
    return h


def hamming(a: PdqHash | str | int, b: PdqHash | str | int) -> int:
    """Number of differing bits between two PDQ hashes (hex strings, ints or PdqHash)."""
    return (_as_int(a) ^ _as_int(b)).bit_count()


def is_match(distance: int, threshold: int = PDQ_MATCH_THRESHOLD) -> bool:
    """A match is a distance at or below the threshold (31 by default, inclusive)."""
    return distance <= threshold


def best_dihedral_distance(
    query: PdqResult, candidate: PdqHash | str | int, *, dihedral: bool = True
) -> tuple[int, str]:
    """Smallest distance from any variant of ``query`` to ``candidate``, and that variant.

    Variants are the 8 dihedral hashes (only ``orig`` if ``dihedral`` is False or they were
    not computed), then the same for the border-trimmed hash, named ``trimmed-<variant>``.
    On a tie the earlier variant wins, so an exact copy reports ``orig``.
    """
    target = _as_int(candidate)
    best = (257, "orig")
    sources: list[tuple[str, PdqResult]] = [("", query)]
    if query.unbordered is not None:
        sources.append(("trimmed-", query.unbordered))
    for prefix, result in sources:
        variants = result.variants if dihedral else {"orig": result.hash.hex}
        for name, hexval in variants.items():
            distance = (int(hexval, 16) ^ target).bit_count()
            if distance < best[0]:
                best = (distance, prefix + name)
    return best
