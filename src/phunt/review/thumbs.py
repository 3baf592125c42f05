"""Thumbnails for review: a stored file's picture, or a strip of a video's frames,
downscaled, blurred and (by default) grey, re-encoded as JPEG or PNG.

The wellbeing defaults live here: a thumbnail is always a new, small encoding of decoded
pixels, never the original's bytes, and blur is applied before anything is encoded.
Pictures are opened through :mod:`phunt.hashing.image_decode` (its formats, its
decompression-bomb cap): a JPEG is decoded straight at a reduced scale by libjpeg, any
other picture within the cap only. EXIF orientation is not applied, as for hashing: the
thumbnail shows the picture as stored. Videos are read with PyAV, one frame near each of
a few evenly spaced times. A damaged file raises ``CorruptInput`` and a file of another
kind ``WrongFormat``, each naming the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO, Final, Literal, cast

import av
import av.container
import av.error
from PIL import Image, ImageFilter

from phunt.errors import CorruptInput, InputError, WrongFormat
from phunt.hashing.image_decode import open_image, reduce_scale
from phunt.sources import expand  # noqa: F401 - registers the container sources
from phunt.sources.locator import Locator, open_locator
from phunt.spool import seekable

Kind = Literal["picture", "video"]
Format = Literal["jpeg", "png"]

SIDE: Final = 256
"""The longest side of a picture's thumbnail, and of each frame of a video's strip."""

BLUR_RADII: Final = (0.0, 2.0, 4.0, 6.0, 9.0, 13.0)
"""Gaussian radius of each blur level, in pixels of a ``SIDE``-pixel thumbnail (scaled
with a smaller one): level 0 is sharp, the last leaves only shapes and tones."""

MAX_BLUR: Final = len(BLUR_RADII) - 1
DEFAULT_BLUR: Final = 3
"""A user's blur level until they choose one (never below the unit's minimum)."""

STRIP_FRAMES: Final = 4
"""Frames in a video's strip, taken at the middles of equal parts of its duration."""

_FRAME_SEARCH: Final = 240
"""Frames decoded at most after a seek, looking for the one at the wanted time."""

_MEDIA_TYPES: Final = {"jpeg": "image/jpeg", "png": "image/png"}
_PIL_ERRORS: Final = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    RuntimeError,
    MemoryError,
    TypeError,
)
"""What Pillow raises on damaged pictures (``TypeError``: a TIFF whose strip offsets are
rationals), as in :func:`phunt.hashing.image_decode.decode`."""


@dataclass(frozen=True)
class Spec:
    """How to render: blur level (0 to ``MAX_BLUR``), greyscale, format and side."""

    blur: int
    grey: bool = True
    format: Format = "jpeg"
    side: int = SIDE

    def __post_init__(self) -> None:
        if not 0 <= self.blur <= MAX_BLUR:
            raise ValueError(f"blur level {self.blur} is not between 0 and {MAX_BLUR}")
        if not 16 <= self.side <= 1024:
            raise ValueError(f"thumbnail side {self.side} is not between 16 and 1024")


@dataclass(frozen=True)
class Thumbnail:
    """An encoded thumbnail; ``frames`` is 1 for a picture, the strip's length for a video."""

    data: bytes
    media_type: str
    width: int
    height: int
    frames: int


def media_kind(mime: str | None, *, has_vpdq: bool = False) -> Kind | None:
    """Which thumbnail a stored file gets from its detected type: None when neither."""
    if has_vpdq or (mime or "").startswith("video/"):
        return "video"
    if (mime or "").startswith("image/"):
        return "picture"
    return None


def from_locator(locator: Locator, kind: Kind, spec: Spec) -> Thumbnail:
    """The thumbnail of the stored file at ``locator`` (its evidence, read-only).

    Evidence that cannot be opened raises ``InputError`` naming the file's path.
    """
    try:
        source = open_locator(locator)
    except OSError as exc:
        raise InputError(f"the evidence cannot be read: {exc}", path=locator.path) from exc
    with source:
        return render(source, kind, spec, name=locator.path)


def render(source: IO[bytes], kind: Kind, spec: Spec, *, name: str | None = None) -> Thumbnail:
    """The thumbnail of an open picture or video file; never the file's own bytes.

    A small sharp picture re-encoded losslessly can come out byte for byte as it went in
    (a PNG under the side, at blur 0 in colour; or a phunt thumbnail seized as evidence):
    the encoding is then changed until it differs. A stream that cannot seek (a member
    of a compressed archive) is first copied to one that can (:func:`phunt.spool.seekable`).
    """
    readable = seekable(cast(BinaryIO, source))
    try:
        if kind == "video":
            image, frames = _strip(readable, spec, name), STRIP_FRAMES
        else:
            image, frames = _picture(readable, spec, name), 1
        for attempt in range(len(_VARIANTS)):
            data = _encode(image, spec.format, attempt)
            if not _same_bytes(readable, data):
                media_type = _MEDIA_TYPES[spec.format]
                return Thumbnail(data, media_type, image.width, image.height, frames)
    except InputError as exc:
        if exc.path is None:  # a decoder that could not see the file's name
            exc.path = name
            exc.args = (str(exc),)
        raise
    finally:
        if readable is not source:
            readable.close()
    raise CorruptInput("every encoding of the thumbnail equals the original file", path=name)


def _same_bytes(source: IO[bytes], data: bytes) -> bool:
    """Whether the open file holds exactly ``data`` (compared only when the sizes agree)."""
    try:
        if source.seek(0, io.SEEK_END) != len(data):
            return False
        source.seek(0)
        return source.read(len(data) + 1) == data
    except (OSError, ValueError):
        return True  # cannot tell: try the next encoding, and refuse if none can be told


def blurred(image: Image.Image, spec: Spec) -> Image.Image:
    """``image`` (already within ``spec.side``) in grey if asked, then blurred at the
    spec's level, with the radius scaled to the image's own size."""
    if spec.grey:
        image = image.convert("L")
    radius = BLUR_RADII[spec.blur] * max(image.size) / SIDE
    if radius > 0:
        image = image.filter(ImageFilter.GaussianBlur(radius))
    return image


def _picture(source: IO[bytes], spec: Spec, name: str | None) -> Image.Image:
    """The first frame of a picture, within ``spec.side``, blurred."""
    with open_image(source) as image:
        width, height = image.size
        fmt = image.format or "unknown"
        reduce_scale(width, height, fmt, path=name)  # refuses a bomb before decoding
        try:
            if fmt == "JPEG":  # libjpeg's scaled decode: a 12 MP photo costs a 1/8 decode
                image.draft("L" if spec.grey else "RGB", (spec.side, spec.side))
            image.load()
            small = image.convert("L" if spec.grey or image.mode in ("L", "LA") else "RGB")
            small.thumbnail((spec.side, spec.side), Image.Resampling.LANCZOS)
        except _PIL_ERRORS as exc:
            if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
                raise
            raise CorruptInput(f"damaged or truncated {fmt} image: {exc}", path=name) from exc
    return blurred(small, spec)


def _strip(source: IO[bytes], spec: Spec, name: str | None) -> Image.Image:
    """Frames at evenly spaced times, each within ``spec.side``, blurred, side by side."""
    frames = list(_video_frames(source, spec, name))
    if not frames:
        raise CorruptInput("no video frame could be decoded", path=name)
    while len(frames) < STRIP_FRAMES:  # a very short video: repeat its last frame
        frames.append(frames[-1])
    width = sum(f.width for f in frames)
    height = max(f.height for f in frames)
    strip = Image.new(frames[0].mode, (width, height))
    left = 0
    for frame in frames:
        strip.paste(frame, (left, (height - frame.height) // 2))
        left += frame.width
    return strip


def _video_frames(source: IO[bytes], spec: Spec, name: str | None) -> Iterator[Image.Image]:
    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise CorruptInput(f"damaged video or not a video: {exc}", path=name) from exc
    with container:
        if not container.streams.video:
            raise WrongFormat("no video stream", path=name)
        stream = container.streams.video[0]
        duration = _duration(container, stream)
        try:
            for target in _targets(duration):
                frame = _frame_near(container, stream, target)
                if frame is not None:
                    yield blurred(_fit(frame, spec), spec)
        except (av.error.FFmpegError, ValueError, MemoryError) as exc:
            raise CorruptInput(f"damaged video stream: {exc}", path=name) from exc


def _duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return None


def _targets(duration: float | None) -> list[float | None]:
    """The times to show: middles of ``STRIP_FRAMES`` equal parts, or the first frame."""
    if not duration or duration <= 0:
        return [None]
    return [duration * (i + 0.5) / STRIP_FRAMES for i in range(STRIP_FRAMES)]


def _frame_near(
    container: av.container.InputContainer, stream: av.VideoStream, target: float | None
) -> av.VideoFrame | None:
    """The first decoded frame at or after ``target`` seconds (the key frame before it
    is sought first), or the last one decoded when the search gives up."""
    if target is not None and stream.time_base is not None:
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
    else:
        container.seek(0)
    last: av.VideoFrame | None = None
    for count, frame in enumerate(container.decode(stream)):
        last = frame
        if target is None or frame.time is None or frame.time >= target:
            return frame
        if count >= _FRAME_SEARCH:
            break
    return last


def _fit(frame: av.VideoFrame, spec: Spec) -> Image.Image:
    """A frame scaled by libswscale to fit ``spec.side``, as a Pillow image."""
    scale = spec.side / max(frame.width, frame.height, 1)
    width = max(1, round(frame.width * min(scale, 1.0)))
    height = max(1, round(frame.height * min(scale, 1.0)))
    fmt = "gray" if spec.grey else "rgb24"
    small = frame.reformat(width=width, height=height, format=fmt)
    image: Image.Image = small.to_image()  # type: ignore[no-untyped-call]
    return image


_VARIANTS: Final = ((80, 6), (79, 9), (78, 1))
"""(JPEG quality, PNG compression level) of each encoding tried, in order."""


def _encode(image: Image.Image, fmt: Format, attempt: int) -> bytes:
    quality, level = _VARIANTS[attempt]
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=quality)
    else:
        image.save(out, "PNG", compress_level=level)
    return out.getvalue()
