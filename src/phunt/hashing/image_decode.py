"""Decode an image file into the 8-bit pixels PDQ hashes, the way python-threatexchange does.

A perceptual hash depends on the decoder, so this module decides exactly which pixels are
hashed, and keeps those decisions in one place:

* every format Pillow reads, plus HEIC/HEIF through pillow-heif (registered once, lazily);
* the first frame of an animation (GIF, WebP, APNG...), which is what Pillow loads first;
* EXIF orientation is **not** applied: hash lists are made without it, and the dihedral
  variants match rotated copies;
* modes as python-threatexchange's ``pdq_from_file``: RGB as is; RGBA keeps its colour
  channels and drops alpha without compositing (``pdqhash`` reads the first 3 channels);
  grey (L) is used as R = G = B; LA and I;16 are converted to RGB by Pillow. Modes that
  threatexchange would hash wrongly or reject are converted to RGB by Pillow first: palette
  images (it would hash the palette *indices*), CMYK (it would read C, M, Y as R, G, B),
  32-bit and float modes;
* Pillow errors become ``WrongFormat`` (not an image) or ``CorruptInput`` (an image, but
  damaged or truncated);
* memory is capped by phunt, not by Pillow's bomb check (which refused real 108 MP phone
  photos): no picture is decoded to more than ``MAX_DECODE_PIXELS``. A larger JPEG is
  decoded at 1/2, 1/4 or 1/8 scale by libjpeg's scaled IDCT (PDQ blurs far more than that
  anyway); any other picture whose header claims more is ``PictureTooLarge``.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from typing import IO, Any, Final

import numpy as np
import numpy.typing as npt
import simplejpeg
from numba import njit
from PIL import Image, UnidentifiedImageError

from phunt.content.exif import exif_from_image
from phunt.errors import CorruptInput, WrongFormat

Source = str | os.PathLike[str] | IO[bytes]

FAST_MIN_SIDE: Final = 256
"""In fast mode a JPEG whose short side is at least twice this is decoded at half size
(libjpeg's scaled IDCT). Half size only: at a quarter, the mean distance to the reference
grows from about 2 to about 6 bits on the benchmark corpus."""

TURBO_MAX_BYTES: Final = 64 << 20
"""JPEG files up to this size are read whole and decoded by simplejpeg; larger ones by
Pillow, which reads them in pieces."""

MAX_DECODE_PIXELS: Final = 89_478_485
"""The most pixels phunt decodes for one picture: Pillow's own default bomb limit, so every
picture that hashed before hashes the same. At Pillow's 4 bytes a pixel that is 341 MiB
(plus a copy for modes that need converting); a JPEG over it is decoded at reduced scale,
anything else over it is refused unread."""

_JPEG_SCALES: Final = (2, 4, 8)
_KEEP_AS_IS: Final = frozenset({"RGB", "RGBA", "L"})
_init_lock = threading.Lock()
_initialised = False

U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class DecodedImage:
    """Pixels ready for hashing, with what a report needs to say about them.

    ``pixels`` is C-contiguous uint8 (rows, cols, channels) with 1 (grey), 3 (RGB) or
    4 channels (RGBA, or Pillow's own RGBX viewed without a copy): a 4th channel is
    always ignored. ``width``/``height`` are the stored image's size;
    ``fast_path`` is True when fast mode changed what was decoded (a JPEG's own Y plane
    instead of RGB, or half size: not bit-identical to the reference); ``scale`` is 2 when
    the JPEG was decoded at half size, else 1. ``exif`` holds the EXIF facts when they
    were asked for (read from the header already open), else None.
    """

    pixels: U8
    width: int
    height: int
    format: str
    source_mode: str
    scale: int
    fast_path: bool
    exif: dict[str, Any] | None = None


class PictureTooLarge(CorruptInput):
    """A picture whose header claims more pixels than phunt decodes (``MAX_DECODE_PIXELS``)."""


def _initialise() -> None:
    """Register HEIF and hand the decompression-bomb check to phunt, once per process.

    Pillow's check runs on ``Image.open``, before phunt knows whether a JPEG can be decoded
    at reduced scale, and its warning zone starts at 89.5 MP, below real phone cameras;
    ``check_size`` applies phunt's cap instead, on what is actually decoded.
    """
    global _initialised
    with _init_lock:
        if _initialised:
            return
        import pillow_heif

        pillow_heif.register_heif_opener()
        Image.MAX_IMAGE_PIXELS = None
        _initialised = True


def reduce_scale(width: int, height: int, fmt: str, *, path: str | None = None) -> int:
    """The scale (1, 2, 4 or 8) a picture must be decoded at to stay within the cap.

    Raises ``PictureTooLarge`` when no scale will do: any format but JPEG over the cap,
    or a JPEG over it even at 1/8.
    """
    pixels = width * height
    if pixels <= MAX_DECODE_PIXELS:
        return 1
    if fmt == "JPEG":
        for scale in _JPEG_SCALES:
            if -(-width // scale) * -(-height // scale) <= MAX_DECODE_PIXELS:
                return scale
    raise PictureTooLarge(
        f"refused as a decompression bomb: the {fmt} header claims {width} x {height}"
        f" ({pixels / 1e6:.1f} MP), over phunt's cap of {MAX_DECODE_PIXELS / 1e6:.1f} MP"
        f" ({MAX_DECODE_PIXELS * 4 >> 20} MiB of pixels)",
        path=path,
    )


def _name(source: Source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def open_image(source: Source) -> Image.Image:
    """Open (but do not decode) an image; ``WrongFormat`` if no reader knows it."""
    _initialise()
    path = _name(source)
    try:
        return Image.open(source)
    except UnidentifiedImageError as exc:
        raise WrongFormat("not an image Pillow or pillow-heif can read", path=path) from exc
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise CorruptInput(f"damaged image header: {exc}", path=path) from exc


class _ArrowArray(ctypes.Structure):
    """The Arrow C data interface's ArrowArray (arrow.apache.org/docs/format/CDataInterface)."""


_ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))),
    ("dictionary", ctypes.c_void_p),
    ("release", ctypes.c_void_p),
    ("private_data", ctypes.c_void_p),
]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _rgbx_view(image: Image.Image) -> U8 | None:
    """A read-only (rows, cols, 4) view of an RGB image's own memory, or None.

    Pillow keeps RGB as 4 bytes a pixel and exports it without a copy through the Arrow C
    data interface; copying it out with ``tobytes`` cost as much as decoding the JPEG.
    The capsule is kept alive by the view's base, so Pillow's memory outlives the image
    object. Images Pillow holds in several blocks cannot be exported and return None.
    """
    if image.mode != "RGB":
        return None
    try:
        schema, array = image.__arrow_c_array__()
    except (AttributeError, ValueError, TypeError, OSError):
        return None
    struct = _ArrowArray.from_address(_capsule_pointer(array, b"arrow_array"))
    width, height = image.size
    if struct.n_children != 1 or struct.length != width * height or struct.offset != 0:
        return None
    child = struct.children[0].contents
    if child.n_buffers != 2 or child.offset != 0 or not child.buffers[1]:
        return None
    size = width * height * 4
    buffer = (ctypes.c_uint8 * size).from_address(child.buffers[1])
    buffer._phunt_capsules = (schema, array)  # type: ignore[attr-defined]  # the view's base
    view = np.frombuffer(memoryview(buffer), dtype=np.uint8, count=size).reshape(height, width, 4)
    view.flags.writeable = False
    return view


def _to_array(image: Image.Image) -> U8:
    """The hashed pixels of a loaded image, following python-threatexchange's mode rules."""
    if image.mode not in _KEEP_AS_IS:
        image = image.convert("RGB")
    view = _rgbx_view(image)
    if view is not None:
        return view
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[image.mode]
    width, height = image.size
    data = np.frombuffer(image.tobytes(), dtype=np.uint8)
    return data.reshape(height, width, channels)


def decode(source: Source, *, fast: bool = False, exif: bool = False) -> DecodedImage:
    """Decode the first frame of an image file into pixels for PDQ.

    With ``fast``, a JPEG is decoded as luminance only (its own Y plane: no chroma
    upsampling or colour conversion), at half size when large enough; other images decode
    as usual (``fast_path`` False, ``scale`` 1). In either mode a JPEG over
    ``MAX_DECODE_PIXELS`` is decoded at reduced scale (``fast_path`` True), and any other
    picture over it raises ``PictureTooLarge``, after its EXIF was read. With ``exif``, the
    EXIF facts are read from the header while it is open (see ``phunt.content.exif``).
    """
    path = _name(source)
    with open_image(source) as image:
        facts = exif_from_image(image) if exif else None
        width, height = image.size
        fmt = image.format or "unknown"
        source_mode = image.mode
        scale = reduce_scale(width, height, fmt, path=path)
        fast_path = scale > 1
        try:
            pixels = None
            if fmt == "JPEG" and image.mode in ("RGB", "L"):
                if fast:
                    scale = max(scale, _draft_scale(width, height))
                    fast_path = image.mode == "RGB" or scale > 1
                grey = fast or image.mode == "L"
                pixels = _turbo_jpeg(image, grey=grey, scale=scale)
                if pixels is None and fast_path:
                    image.draft("L" if grey else "RGB", (width // scale, height // scale))
                    scale = round(width / image.size[0])
            elif scale > 1:  # a CMYK or YCCK JPEG: Pillow's scaled decode, then converted
                image.draft(image.mode, (width // scale, height // scale))
                scale = round(width / image.size[0])
            if pixels is None:
                image.load()
                pixels = _to_array(image)
        except (
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            RuntimeError,
            MemoryError,
            TypeError,
        ) as exc:  # TypeError: Pillow on a TIFF whose strip offsets are rationals
            if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
                raise
            raise CorruptInput(f"damaged or truncated {fmt} image: {exc}", path=path) from exc
    return DecodedImage(pixels, width, height, fmt, source_mode, scale, fast_path, facts)


def _turbo_jpeg(image: Image.Image, *, grey: bool, scale: int) -> U8 | None:
    """A JPEG's pixels from simplejpeg (libjpeg-turbo), or None to let Pillow decode it.

    The same library with the same settings as Pillow's decoder (accurate integer DCT,
    smooth chroma upsampling) gives the same pixels, bit for bit (tested on every
    subsampling, progressive and restart-marker variant), about 2 ms sooner on a 2 MP photo:
    no 64 KiB feeding, no zero-filled image memory, no RGB to RGBX copy. ``grey`` asks
    for the Y plane, ``scale`` for libjpeg's 1/2 size. Anything simplejpeg flags, even a
    recoverable warning, returns None, so damaged files get Pillow's verdict and message.
    """
    fp: IO[bytes] | None = getattr(image, "fp", None)
    if fp is None:
        return None
    width, height = image.size
    try:
        if fp.seek(0, os.SEEK_END) > TURBO_MAX_BYTES:
            return None
        fp.seek(0)
        data = fp.read()
    except (AttributeError, OSError, ValueError):
        return None
    out_w, out_h = -(-width // scale), -(-height // scale)
    try:
        pixels: U8 = simplejpeg.decode_jpeg(
            data, colorspace="GRAY" if grey else "RGBX", min_width=out_w, min_height=out_h
        )
    except ValueError:
        return None
    if pixels.shape[:2] != (out_h, out_w):
        return None
    return pixels


def _draft_scale(width: int, height: int) -> int:
    """2 when half size keeps both sides >= FAST_MIN_SIDE, else 1."""
    return 2 if min(width, height) >= 2 * FAST_MIN_SIDE else 1


def trim_uniform_border(pixels: U8, tolerance: int = 15) -> tuple[int, int, int, int] | None:
    """The box (top, left, bottom, right) inside a uniform border, or None if there is none.

    Like python-threatexchange's unletterboxing, but for a border of any one colour, not
    only black: a row or column is border if every colour channel is within ``tolerance``
    of the corner pixel it starts from (JPEG ringing makes a black border not quite 0).
    Returns None when there is no border (under 2 pixels and under 1 % of the side on
    both axes), when the image is one flat colour, or when less than 5x5 pixels remain.
    """
    rows, cols, _ = pixels.shape
    top, left, bottom, right = _border_box(np.ascontiguousarray(pixels), tolerance)
    if top == rows:
        return None  # one flat colour: nothing inside
    cut_rows = top + rows - bottom
    cut_cols = left + cols - right
    if cut_rows < max(2, rows // 100) and cut_cols < max(2, cols // 100):
        return None  # a stray edge line, not a border: the hash would hardly change
    if bottom - top < 5 or right - left < 5:
        return None
    return top, left, bottom, right


@njit(cache=True, nogil=True)
def _near(pixels: U8, r: int, c: int, ref_r: int, ref_c: int, tolerance: int) -> bool:
    """Pixel (r, c) within ``tolerance`` of pixel (ref_r, ref_c) in every colour channel."""
    for k in range(min(pixels.shape[2], 3)):
        # Signed on purpose: numba keeps uint8 - uint8 unsigned, where 3 - 9 wraps.
        if abs(np.int32(pixels[r, c, k]) - np.int32(pixels[ref_r, ref_c, k])) > tolerance:
            return False
    return True


@njit(cache=True, nogil=True)
def _border_box(pixels: U8, tolerance: int) -> tuple[int, int, int, int]:
    """Rows from the top and bottom, then columns from the left and right, that match
    their corner pixel; the scan stops at the first pixel that does not, so a picture
    with no border costs a handful of comparisons instead of four full lines."""
    rows, cols = pixels.shape[0], pixels.shape[1]
    last_r, last_c = rows - 1, cols - 1
    tol = tolerance
    top = 0
    while top < rows and _line_near(pixels, top, 0, 0, 1, cols, 0, 0, tol):
        top += 1
    if top == rows:
        return rows, 0, rows, cols
    bottom = rows
    while bottom > top and _line_near(pixels, bottom - 1, 0, 0, 1, cols, last_r, last_c, tol):
        bottom -= 1
    span = bottom - top
    left = 0
    while left < cols and _line_near(pixels, top, left, 1, 0, span, 0, 0, tol):
        left += 1
    right = cols
    while right > left and _line_near(pixels, top, right - 1, 1, 0, span, last_r, last_c, tol):
        right -= 1
    return top, left, bottom, right


@njit(cache=True, nogil=True)
def _line_near(
    pixels: U8, r: int, c: int, dr: int, dc: int, n: int, ref_r: int, ref_c: int, tolerance: int
) -> bool:
    """The ``n`` pixels from (r, c) in steps of (dr, dc), a row or a column, all near the
    reference pixel."""
    for i in range(n):  # noqa: SIM110 - numba compiles the loop, not all() of a generator
        if not _near(pixels, r + i * dr, c + i * dc, ref_r, ref_c, tolerance):
            return False
    return True
