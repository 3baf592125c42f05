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
ring buffer stays in cache), from filtering 32 rows side by side so the CPU vectorises
what is a serial running sum per row (blocks move in and out of that layout with 8x8
vector shuffles, ``_transpose8``, and the sums stay in vector registers, ``_slide_lanes``;
both are LLVM IR because numba's loops did neither), from a luma loop per channel count
that vectorises, and from doing the divisions of the second row pass and the whole last
column pass at the 64 sampled columns only. The 8 dihedral variants come from sign
changes and transposes of one DCT, as in the C++ ``pdqDihedralHash256esFromFloatLuma``.
Which pixels are hashed (modes, alpha, animations, HEIF, fast mode) is decided in
``phunt.hashing.image_decode``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from phunt.errors import InputError
from phunt.hashing import image_decode
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.kinds.pdq import PdqKind

PDQ_MATCH_THRESHOLD: Final = PdqKind.threshold
"""Largest Hamming distance that counts as a match (inclusive), as in python-threatexchange.
A name for the PDQ hash kind's default (:mod:`phunt.hashing.kinds.pdq`), read at import;
code that must follow a changed default calls :func:`phunt.hashing.kinds.pdq_threshold`."""

PDQ_QUALITY_THRESHOLD: Final = PdqKind.quality_min
"""Hashes with a lower quality are too flat to match on; they are reported as low quality.
The PDQ hash kind's quality minimum, named here for the hashing code."""

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
def _centres(length: int) -> npt.NDArray[np.int64]:
    """Indices of the 64 cell centres along a dimension, as the reference's ``decimateFloat``."""
    out = np.empty(64, dtype=np.int64)
    for k in range(64):
        out[k] = int(((k + 0.5) * length) / 64)
    return out


_LANES: Final = 32
"""Rows filtered side by side. LLVM's vector loop body over the lanes is 32 floats wide
(4 AVX2 vectors); with 16 lanes most of the work fell to its scalar remainder loop."""

_VEC: Final = 8
"""Floats in one AVX2 register: ``_slide_lanes`` works on ``_LANES / _VEC`` of them."""

_TILE: Final = 8
"""Side of the tiles ``_transpose8`` moves with vector shuffles (one AVX2 register wide)."""


def _shuffle_masks(b: int) -> tuple[list[int], list[int]]:
    """Shuffle masks that swap the off-diagonal b x b blocks of rows i and i + b of a tile."""
    low = [j if not j & b else _TILE + j - b for j in range(_TILE)]
    high = [j + b if not j & b else _TILE + j for j in range(_TILE)]
    return low, high


@intrinsic
def _transpose8(typingctx: Any, src: Any, si: Any, dst: Any, di: Any) -> Any:
    """Copy the 8x8 float32 tile at flat index ``si`` of ``src`` to flat index ``di`` of ``dst``
    transposed (rows of both arrays ``shape[1]`` apart; both C-contiguous 2-D float32).

    Numba turns a transposing loop into 64 scalar loads and stores; this is 8 vector loads,
    24 shuffles (3 stages, each swapping the off-diagonal blocks of one size) and 8 stores.
    The transposes around the row passes were the largest cost of the streaming blur.
    """
    for arr in (src, dst):
        if not (
            isinstance(arr, types.Array)
            and arr.dtype == types.float32
            and arr.ndim == 2
            and arr.layout == "C"
        ):
            return None
    sig = types.void(src, types.intp, dst, types.intp)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        vec = ir.VectorType(ir.FloatType(), _TILE)
        masks = ir.VectorType(ir.IntType(32), _TILE)

        def row_pointers(arr_type: Any, arr_value: Any, start: Any) -> list[Any]:
            arr = context.make_array(arr_type)(context, builder, arr_value)
            stride = builder.extract_value(arr.shape, 1)
            out = []
            for i in range(_TILE):
                at = builder.add(start, builder.mul(stride, ir.Constant(stride.type, i)))
                out.append(builder.bitcast(builder.gep(arr.data, [at]), vec.as_pointer()))
            return out

        rows = [builder.load(p, align=4) for p in row_pointers(signature.args[0], args[0], args[1])]
        b = _TILE // 2
        while b:
            low, high = _shuffle_masks(b)
            for i in range(_TILE):
                if not i & b:
                    first, second = rows[i], rows[i + b]
                    rows[i] = builder.shuffle_vector(first, second, ir.Constant(masks, low))
                    rows[i + b] = builder.shuffle_vector(first, second, ir.Constant(masks, high))
            b //= 2
        for value, p in zip(rows, row_pointers(signature.args[2], args[2], args[3]), strict=True):
            builder.store(value, p, align=4)
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, nogil=True)
def _transpose(src: F32, sr: int, dst: F32, dr: int, n: int, m: int) -> None:
    """``dst[dr + j, i] = src[sr + i, j]`` for i < n, j < m: vector tiles, scalar edges."""
    ncols = src.shape[1]
    dcols = dst.shape[1]
    n8 = n - n % _TILE
    m8 = m - m % _TILE
    for i0 in range(0, n8, _TILE):
        for j0 in range(0, m8, _TILE):
            at = (sr + i0) * ncols + j0
            # numba supplies the typing context, so the call has one argument fewer.
            _transpose8(src, at, dst, (dr + j0) * dcols + i0)  # type: ignore[call-arg]
    for i in range(n8):
        for j in range(m8, m):
            dst[dr + j, i] = src[sr + i, j]
    for i in range(n8, n):
        for j in range(m):
            dst[dr + j, i] = src[sr + i, j]


def _vector_pointer(builder: Any, data: Any, row: Any, q: int) -> Any:
    """Pointer to floats ``_VEC * q ..`` of row ``row`` in a C array of ``_LANES`` columns."""
    idx = row.type
    at = builder.add(builder.mul(row, ir.Constant(idx, _LANES)), ir.Constant(idx, _VEC * q))
    return builder.bitcast(
        builder.gep(data, [at]), ir.VectorType(ir.FloatType(), _VEC).as_pointer()
    )


@intrinsic
def _slide_lanes(
    typingctx: Any,
    src: Any,
    dst: Any,
    sums: Any,
    enter: Any,
    leave: Any,
    out: Any,
    steps: Any,
    fc: Any,
    store: Any,
) -> Any:
    """``steps`` full-window steps of the running sums over ``_LANES`` lanes, in registers.

    Per lane, exactly ``s = s + src[enter + t]; s = s - src[leave + t]`` in float32 (LLVM
    vector ``fadd``/``fsub``/``fdiv`` without fast-math flags are IEEE per element), and
    with ``store`` ``dst[out + t] = s / fc``. Numba's own loop cannot keep the sums in
    registers (it cannot prove they do not alias the arrays), so every step paid a store,
    a reload and runtime alias checks. All three arrays must have ``_LANES`` columns.
    """
    for arr in (src, dst, sums):
        if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and arr.layout == "C"):
            return None
    ints = (types.intp,) * 4
    sig = types.void(src, dst, sums, *ints, types.float32, types.boolean)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        data = [
            context.make_array(signature.args[i])(context, builder, args[i]).data for i in range(3)
        ]
        enter, leave, out, steps, fc, store = args[3:]
        vec = ir.VectorType(ir.FloatType(), _VEC)
        zero = ir.Constant(steps.type, 0)
        lanes = range(_LANES // _VEC)
        init = [builder.load(_vector_pointer(builder, data[2], zero, q), align=4) for q in lanes]
        first = builder.insert_element(ir.Constant(vec, None), fc, ir.Constant(ir.IntType(32), 0))
        broadcast = ir.Constant(ir.VectorType(ir.IntType(32), _VEC), [0] * _VEC)
        divisor = builder.shuffle_vector(first, first, broadcast)
        entry = builder.block
        loop = builder.append_basic_block("slide.loop")
        done = builder.append_basic_block("slide.done")
        builder.cbranch(builder.icmp_signed(">", steps, zero), loop, done)

        builder.position_at_end(loop)
        t = builder.phi(steps.type)
        running = [builder.phi(vec) for _ in lanes]
        new = []
        for q in lanes:
            entering = builder.load(
                _vector_pointer(builder, data[0], builder.add(enter, t), q), align=4
            )
            leaving = builder.load(
                _vector_pointer(builder, data[0], builder.add(leave, t), q), align=4
            )
            new.append(builder.fsub(builder.fadd(running[q], entering), leaving))
        with builder.if_then(store):
            row = builder.add(out, t)
            for q in lanes:
                mean = builder.fdiv(new[q], divisor)
                builder.store(mean, _vector_pointer(builder, data[1], row, q), align=4)
        t_next = builder.add(t, ir.Constant(steps.type, 1))
        latch = builder.block
        t.add_incoming(zero, entry)
        t.add_incoming(t_next, latch)
        for q in lanes:
            running[q].add_incoming(init[q], entry)
            running[q].add_incoming(new[q], latch)
        builder.cbranch(builder.icmp_signed("<", t_next, steps), loop, done)

        builder.position_at_end(done)
        final = [builder.phi(vec) for _ in lanes]
        for q in lanes:
            final[q].add_incoming(init[q], entry)
            final[q].add_incoming(new[q], latch)
        for q in lanes:
            builder.store(final[q], _vector_pointer(builder, data[2], zero, q), align=4)
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, nogil=True)
def _slide(
    src: F32,
    dst: F32,
    sums: F32,
    enter: int,
    leave: int,
    out: int,
    steps: int,
    fc: np.float32,
    store: bool,
) -> None:
    """Full-window steps of a running-sum box filter: vector code for ``_LANES`` lanes."""
    m = src.shape[1]
    if m == _LANES and sums.shape[0] == _LANES and dst.shape[1] == _LANES:
        _slide_lanes(src, dst, sums, enter, leave, out, steps, fc, store)  # type: ignore[call-arg]
        return
    for t in range(steps):
        for c in range(m):
            s = sums[c] + src[enter + t, c]
            s -= src[leave + t, c]
            sums[c] = s
            if store:
                dst[out + t, c] = s / fc


@njit(cache=True, nogil=True)
def _prime(src: F32, sums: F32, rows: int) -> None:
    """The reference's first phase: add the first ``rows`` values, nothing written yet."""
    for r in range(rows):
        for c in range(src.shape[1]):
            sums[c] += src[r, c]


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
    li = 0
    oi = 0
    _prime(src, sums, half - 1)
    count = ri = half - 1
    for _ in range(w - half + 1):
        count += 1
        fc = np.float32(count)
        for c in range(m):
            sums[c] += src[ri, c]
            dst[oi, c] = sums[c] / fc
        ri += 1
        oi += 1
    _slide(src, dst, sums, ri, li, oi, n - w, np.float32(count), True)
    li += n - w
    oi += n - w
    for _ in range(half - 1):
        count -= 1
        fc = np.float32(count)
        for c in range(m):
            sums[c] -= src[li, c]
            dst[oi, c] = sums[c] / fc
        li += 1
        oi += 1


@njit(cache=True, nogil=True)
def _luma_rows(pixels: U8, r0: int, lanes: int, out: F32) -> None:
    """Luma of pixel rows r0 .. r0 + lanes - 1 into ``out``.

    One loop per channel count, so that LLVM sees a constant stride and vectorises; the
    float64 expression is the reference's, in its order, then stored as float32.
    """
    cols = out.shape[1]
    chans = pixels.shape[2]
    for k in range(lanes):
        row = pixels[r0 + k].reshape(cols * chans)
        dst = out[k]
        if chans == 1:
            for c in range(cols):
                grey = np.float64(row[c])
                dst[c] = np.float32(grey * 0.299 + grey * 0.587 + grey * 0.114)
        elif chans == 3:
            for c in range(cols):
                i = 3 * c
                dst[c] = np.float32(row[i] * 0.299 + row[i + 1] * 0.587 + row[i + 2] * 0.114)
        else:
            # One 32-bit load per pixel (little-endian RGBX) vectorises better than 3 bytes.
            words = row.view(np.int32)
            for c in range(cols):
                v = words[c]
                red = np.float64(np.int32(v & 255))
                green = np.float64(np.int32((v >> 8) & 255))
                blue = np.float64(np.int32((v >> 16) & 255))
                dst[c] = np.float32(red * 0.299 + green * 0.587 + blue * 0.114)


@njit(cache=True, nogil=True)
def _emit_kept(
    sums: F32, count: int, oi: int, keep: npt.NDArray[np.int64], j: int, dst: F32, d0: int
) -> int:
    """Store ``sums / count`` to ``dst[d0 + k, j]`` for each ``keep[j] == oi``; the next j."""
    lanes = dst.shape[0] - d0 if dst.shape[0] - d0 < sums.shape[0] else sums.shape[0]
    fc = np.float32(count)
    while j < keep.shape[0] and keep[j] == oi:
        for k in range(lanes):
            dst[d0 + k, j] = sums[k] / fc
        j += 1
    return j


@njit(cache=True, nogil=True)
def _box_keep(src: F32, dst: F32, d0: int, w: int, keep: npt.NDArray[np.int64]) -> None:
    """``_box_lanes`` that outputs only at the indices ``keep`` (ascending, may repeat).

    The running sums still see every add and subtract, in order, so the values kept are
    bit-identical; only the divisions and stores in between are skipped.
    ``dst[d0 + k, j]`` receives lane k at index ``keep[j]`` (lanes past its end dropped).
    """
    n, m = src.shape
    half = (w + 2) // 2
    sums = np.zeros(m, dtype=np.float32)
    li = 0
    oi = 0
    j = 0
    _prime(src, sums, half - 1)
    count = ri = half - 1
    for _ in range(w - half + 1):
        for c in range(m):
            sums[c] += src[ri, c]
        count += 1
        ri += 1
        j = _emit_kept(sums, count, oi, keep, j, dst, d0)
        oi += 1
    end = oi + n - w
    while oi < end:
        stop = min(keep[j] + 1, end) if j < keep.shape[0] else end
        steps = stop - oi
        _slide(src, src, sums, ri, li, oi, steps, np.float32(count), False)
        ri += steps
        li += steps
        oi += steps
        j = _emit_kept(sums, count, oi - 1, keep, j, dst, d0)
    for _ in range(half - 1):
        for c in range(m):
            sums[c] -= src[li, c]
        count -= 1
        li += 1
        j = _emit_kept(sums, count, oi, keep, j, dst, d0)
        oi += 1


@njit(cache=True, nogil=True)
def _column_step(ring: F32, cap: int, oi: int, rows: int, wc: int, sums: F32, dst: F32) -> None:
    """Output row ``oi`` of the first column pass: add the entering ring row, subtract the
    leaving one, divide by the count inside (the reference's order), fused in one sweep."""
    half = (wc + 2) // 2
    enter = oi + half - 1
    leave = enter - wc
    count = np.float32(min(enter, rows - 1) - max(leave + 1, 0) + 1)
    if enter < rows and leave >= 0:
        new = ring[enter % cap]
        old = ring[leave % cap]
        for c in range(sums.shape[0]):
            s = sums[c] + new[c]
            s -= old[c]
            sums[c] = s
            dst[c] = s / count
    elif enter < rows:
        new = ring[enter % cap]
        for c in range(sums.shape[0]):
            s = sums[c] + new[c]
            sums[c] = s
            dst[c] = s / count
    else:
        old = ring[leave % cap]
        for c in range(sums.shape[0]):
            s = sums[c] - old[c]
            sums[c] = s
            dst[c] = s / count


@njit(cache=True, nogil=True)
def _downsample(pixels: U8, luma: F32, use_luma: bool, rows: int, cols: int) -> F32:
    """Jarosz tent blur (box rows, box columns, twice) sampled at the 64x64 cell centres.

    One streaming pass over the image instead of four over full-size buffers: blocks of
    ``_LANES`` rows are transposed so the row pass runs them side by side, transposed back
    into a ring buffer, and the first column pass emits each output row as soon as its
    window is in the ring, applying per column exactly the reference's sequence. Output
    rows then get the second row pass (divided and stored only at the 64 sampled columns)
    and the second column pass runs on that narrow strip.
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
    oi = 0
    pending = 0
    for r0 in range(0, rows, _LANES):
        lanes = min(_LANES, rows - r0)
        if use_luma:
            _transpose(luma, r0, tin, 0, lanes, cols)
        else:
            _luma_rows(pixels, r0, lanes, block)
            _transpose(block, 0, tin, 0, lanes, cols)
        _box_lanes(tin, tout, wr)
        _transpose(tout, 0, ring, r0 % cap, cols, lanes)
        produced = r0 + lanes
        while oi < rows and (oi + half - 1 < produced or produced == rows):
            if oi == 0:
                for r in range(half - 1):
                    src = ring[r % cap]
                    for c in range(cols):
                        sums[c] += src[c]
            _column_step(ring, cap, oi, rows, wc, sums, emitted[pending])
            pending += 1
            oi += 1
            if pending == _LANES or oi == rows:
                _transpose(emitted, 0, tin, 0, pending, cols)
                _box_keep(tin, narrow, oi - pending, wr, keep)
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
        if use_luma:
            small[:, :] = luma
        else:
            _luma_rows(pixels, 0, 64, small)
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


def check_mode(mode: str) -> None:
    """``ValueError`` unless ``mode`` is one of ``MODES``."""
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
        check_mode(self.mode)

    @property
    def hex(self) -> str:
        """64 lower-case hex digits in the reference order (DCT row 15 first)."""
        return format(self.value, "064x")

    @property
    def low_quality(self) -> bool:
        """True when the quality is known and below the PDQ kind's quality minimum."""
        return self.quality is not None and self.quality < pdq_quality_min()

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
    check_mode(mode)
    decoded = image_decode.decode(path_or_fileobj, fast=mode == "fast")
    return hash_decoded(decoded, dihedral=dihedral, trim_border=trim_border)


def hash_decoded(
    decoded: image_decode.DecodedImage, *, dihedral: bool = True, trim_border: bool = True
) -> PdqResult:
    """PDQ of pixels ``image_decode.decode`` produced (``hash_image_file`` without the decode).

    Lets a caller that also wants the picture's EXIF open the file once.
    """
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


def is_match(distance: int, threshold: int | None = None) -> bool:
    """A match is a distance at or below the threshold (the PDQ kind's by default, inclusive)."""
    return distance <= (pdq_threshold() if threshold is None else threshold)


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
