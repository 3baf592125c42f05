"""The demo's benign media: generated pictures and short videos, and their forwarded copies.

Pictures are smooth colour fields with a few flat shapes (no people, no text): enough
structure for a PDQ quality well above phunt's minimum, and independent random fields, so
two pictures are far apart. Videos are a colour field per second with a drifting square.
A forwarded copy is what a messaging app or a user makes of a file (smaller, re-saved,
trimmed, mirrored, re-encoded); every kind of copy stays within phunt's default PDQ or
vPDQ thresholds of its original, which the tests check with phunt's own hashers.

Everything is deterministic for a given ``random.Random``: the same seed gives the same
bytes (libjpeg and x264 with one thread are deterministic, and the MP4 carries no time).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from phunt.demo.plan import Transform
from phunt.errors import UsageError

if TYPE_CHECKING:
    from phunt.hashing.pdq import PdqResult

Kind = Literal["picture", "video"]
Pixels = npt.NDArray[np.uint8]

#: Transforms each kind of file can go through (a video is not cropped or mirrored:
#: vPDQ compares frames as they are, so such a copy would no longer match).
PICTURE_TRANSFORMS: tuple[Transform, ...] = ("resize", "recompress", "crop", "mirror", "exact")
VIDEO_TRANSFORMS: tuple[Transform, ...] = ("reencode", "resize", "exact")
#: The smallest side a picture may have: PDQ works on a 64x64 reduction, and smaller
#: pictures lose the structure that keeps their quality >= 50.
MIN_SIDE = 64
VIDEO_SIZE = (192, 144)
VIDEO_FPS = 5
#: A picture is drawn again until its PDQ quality reaches this (phunt's minimum is 50: the
#: margin keeps its forwarded copies above it too).
MIN_QUALITY = 60
#: A forwarded picture is made again (other random choices) until it lies this close to
#: its original; phunt's default threshold is 31, so every copy matches with room to spare.
MAX_COPY_DISTANCE = 24
_ATTEMPTS = 20
_JPEG_QUALITY = 88


def _field(seed: np.random.Generator, width: int, height: int) -> Pixels:
    """A smooth random colour field: noise at three scales, enlarged and summed."""
    acc = np.zeros((height, width, 3), dtype=np.float32)
    for cells, weight in ((3, 1.0), (8, 0.6), (20, 0.25)):
        rows = max(2, cells * height // max(width, 1))
        small = seed.normal(0, 1, (rows, cells, 3))
        small8 = np.clip(small * 45 + 128, 0, 255).astype(np.uint8)
        big = Image.fromarray(small8, "RGB").resize((width, height), Image.Resampling.BICUBIC)
        acc += (np.asarray(big, dtype=np.float32) - 128) * weight
    base = np.clip(acc + seed.uniform(70, 180, 3), 0, 255).astype(np.uint8)
    return np.asarray(base)


def _shapes(image: Image.Image, seed: np.random.Generator, count: int) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    for _ in range(count):
        x0, y0 = seed.uniform(0, width * 0.75), seed.uniform(0, height * 0.75)
        x1 = x0 + seed.uniform(0.12, 0.35) * width
        y1 = y0 + seed.uniform(0.12, 0.35) * height
        colour = tuple(int(v) for v in seed.integers(0, 256, 3))
        if seed.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)


def _numpy_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def picture(rng: random.Random, width: int = 320, height: int = 240) -> bytes:
    """A benign generated JPEG (colour field and shapes) with PDQ quality >= 50."""
    if min(width, height) < MIN_SIDE:
        raise UsageError(f"a demo picture needs both sides >= {MIN_SIDE} px, not {width}x{height}")
    for _ in range(_ATTEMPTS):
        seed = _numpy_rng(rng)
        image = Image.fromarray(_field(seed, width, height), "RGB")
        _shapes(image, seed, 6)
        data = _jpeg(image.filter(ImageFilter.GaussianBlur(1.0)), _JPEG_QUALITY)
        if (_pdq(data).hash.quality or 0) >= MIN_QUALITY:
            return data
    raise UsageError(f"no {width}x{height} picture reached PDQ quality {MIN_QUALITY}")


def _pdq(data: bytes) -> PdqResult:
    from phunt.hashing.pdq import hash_image_file

    return hash_image_file(io.BytesIO(data))


def _scene(seed: np.random.Generator) -> Pixels:
    width, height = VIDEO_SIZE
    image = Image.fromarray(_field(seed, width, height), "RGB")
    _shapes(image, seed, 3)
    return np.asarray(image)


def _frames(rng: random.Random, seconds: float) -> Iterator[Pixels]:
    """A new scene every second (so vPDQ's one hash a second sees different frames) with a
    square drifting across it."""
    seed = _numpy_rng(rng)
    total = max(1, round(seconds * VIDEO_FPS))
    width, height = VIDEO_SIZE
    back = _scene(seed)
    colour = seed.integers(0, 256, 3).astype(np.uint8)
    for i in range(total):
        if i and i % VIDEO_FPS == 0:
            back = _scene(seed)
            colour = seed.integers(0, 256, 3).astype(np.uint8)
        frame = back.copy()
        x = (i % VIDEO_FPS) * width // 12 + width // 8
        y = height // 3
        frame[y : y + height // 4, x : x + width // 5] = colour
        yield frame


def _encode(frames: Iterator[Pixels], size: tuple[int, int], crf: int) -> bytes:
    """H.264 in MP4, one encoder thread (x264's output is then the same on every run)."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(VIDEO_FPS))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "fast", "threads": "1"}
        stream.codec_context.thread_count = 1
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def video(rng: random.Random, seconds: float = 2.0) -> bytes:
    """A small benign MP4 (H.264, 192x144, 5 fps) that PyAV writes and phunt's vPDQ reads."""
    if not 1.0 <= seconds <= 60.0:
        raise UsageError(f"a demo video lasts 1 to 60 seconds, not {seconds}")
    return _encode(_frames(rng, seconds), VIDEO_SIZE, 26)


def _decoded(data: bytes) -> Iterator[Pixels]:
    import av

    with av.open(io.BytesIO(data), "r") as container:
        for frame in container.decode(video=0):
            yield np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)


def _scaled(frames: Iterator[Pixels], size: tuple[int, int]) -> Iterator[Pixels]:
    for rgb in frames:
        yield np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))


def _forward_video(data: bytes, transform: Transform, rng: random.Random) -> bytes:
    """Decode and encode again at a higher CRF (and, for ``resize``, at 3/4 size), made
    again with another CRF until phunt's vPDQ rule matches it to its original."""
    from phunt.hashing.vpdq import hash_video
    from phunt.matching.vpdq_match import match_videos

    original = hash_video(io.BytesIO(data)).frames
    frames = list(_decoded(data))
    height, width = frames[0].shape[:2]
    size = (width, height)
    if transform == "resize":  # even sides, as 4:2:0 chroma needs
        size = (width * 3 // 8 * 2, height * 3 // 8 * 2)
        frames = list(_scaled(iter(frames), size))
    for _ in range(_ATTEMPTS):
        copy = _encode(iter(frames), size, rng.randint(29, 34))
        if match_videos(hash_video(io.BytesIO(copy)).frames, original).matched:
            return copy
    raise UsageError(f"no {transform} copy of this video matches it by vPDQ")


def _forward_picture(data: bytes, transform: Transform, rng: random.Random) -> bytes:
    """A copy made again with other random choices until it is near enough its original."""
    from phunt.hashing.kinds import pdq_quality_min
    from phunt.hashing.pdq import best_dihedral_distance

    if transform not in PICTURE_TRANSFORMS:
        raise UsageError(
            f"a picture copy cannot be made by {transform!r} "
            f"(choose from: {', '.join(PICTURE_TRANSFORMS)})"
        )
    original = _pdq(data).hash
    for _ in range(_ATTEMPTS):
        copy = _picture_copy(data, transform, rng)
        found = _pdq(copy)
        near = best_dihedral_distance(found, original)[0] <= MAX_COPY_DISTANCE
        if near and (found.hash.quality or 0) >= pdq_quality_min():
            return copy
    raise UsageError(
        f"no {transform} copy of this picture stays within PDQ distance {MAX_COPY_DISTANCE}"
    )


def _picture_copy(data: bytes, transform: Transform, rng: random.Random) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    width, height = image.size
    if transform == "resize":
        scale = rng.uniform(0.5, 0.8)
        size = (max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale)))
        return _jpeg(image.resize(size, Image.Resampling.LANCZOS), rng.randint(70, 85))
    if transform == "recompress":
        return _jpeg(image, rng.randint(55, 75))
    if transform == "crop":
        left, right = (round(width * rng.uniform(0.004, 0.01)) for _ in range(2))
        top, bottom = (round(height * rng.uniform(0.004, 0.01)) for _ in range(2))
        box = (left, top, width - right, height - bottom)
        return _jpeg(image.crop(box), rng.randint(75, 90))
    return _jpeg(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), rng.randint(75, 90))  # mirror


def forward(data: bytes, kind: Kind, transform: Transform, rng: random.Random) -> bytes:
    """The copy of ``data`` a forward made: ``exact`` returns it unchanged.

    Pictures: ``resize`` (50-80 %), ``recompress`` (JPEG quality 55-75), ``crop`` (0.4-1 %
    off each side: PDQ is not made for crops), ``mirror`` (left-right, found through
    PDQ's dihedral variants); ``reencode`` is taken as ``recompress``. Videos:
    ``reencode`` (higher CRF; ``recompress`` is taken as it) and ``resize`` (3/4 size,
    re-encoded). Each copy is checked with phunt's hashers and made again from ``rng``
    until it matches. Other pairs (a cropped or mirrored video) raise ``UsageError``.
    """
    if transform == "exact":
        return data
    if kind == "picture":
        if transform == "reencode":
            transform = "recompress"
        return _forward_picture(data, transform, rng)
    if kind != "video":
        raise UsageError(f"unknown media kind {kind!r} (choose from: picture, video)")
    if transform == "recompress":
        transform = "reencode"
    if transform not in VIDEO_TRANSFORMS:
        raise UsageError(
            f"a video copy cannot be made by {transform!r} "
            f"(choose from: {', '.join(VIDEO_TRANSFORMS)})"
        )
    return _forward_video(data, transform, rng)
