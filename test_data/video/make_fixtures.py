"""Regenerate the video fixtures for phunt.hashing.vpdq and phunt.matching.vpdq_match.

Every clip is generated here with PyAV: colour fields with flat shapes that change
every two seconds, and one moving square; no people, no text. Run from anywhere:
``python test_data/video/make_fixtures.py``.

- ``original.mp4``: 20 s, 320x240, 5 fps, H.264 with B-frames (so the decoder has
  non-reference frames to skip).
- ``reencoded.mp4``: the same frames from 2 s on, half size, at a lower bitrate: what a
  messaging app makes of a forwarded video.
- ``different.mp4``: another clip of the same kind and length (other colours and shapes).
- ``truncated.mp4``: ``original.mp4`` written with its index first, cut at 60 % of its bytes.
- ``no-index.mp4``: the first 40 % of ``original.mp4`` (index at the end, so it is lost).
- ``hevc.mkv``: 4 s of another clip in HEVC (Matroska), a keyframe every 2 s.
- ``empty.mp4`` (0 bytes), ``not-a-video.mp4`` (text), ``audio-only.m4a`` (1 s of a tone).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = (320, 240)
FPS = 5
SECONDS = 20
SCENE_SECONDS = 2
TRIM_SECONDS = 2


def _background(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A colour field with a few flat shapes: enough structure for PDQ quality >= 50."""
    width, height = size
    acc = np.zeros((height, width, 3), dtype=np.float32)
    for cells, weight in ((4, 1.0), (10, 0.7)):
        small = rng.normal(0, 1, (max(2, cells * height // width), cells, 3))
        small8 = np.clip(small * 60 + 128, 0, 255).astype(np.uint8)
        big = Image.fromarray(small8, "RGB").resize(size, Image.Resampling.BICUBIC)
        acc += (np.asarray(big, dtype=np.float32) - 128) * weight
    image = Image.fromarray(np.clip(acc + 128, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x0, y0 = rng.uniform(0, width * 0.7), rng.uniform(0, height * 0.7)
        box = (x0, y0, x0 + rng.uniform(0.15, 0.3) * width, y0 + rng.uniform(0.15, 0.3) * height)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return np.asarray(image)


def frames(seed: int, size: tuple[int, int] = SIZE, seconds: int = SECONDS) -> Iterator[np.ndarray]:
    """RGB frames of a benign clip: a new colour field every scene, a drifting shape."""
    width, height = size
    per_scene = SCENE_SECONDS * FPS
    for scene in range(seconds // SCENE_SECONDS):
        rng = np.random.default_rng(seed * 1000 + scene)
        back = _background(rng, size)
        colour = rng.integers(0, 256, 3).astype(np.uint8)
        x0, y0 = rng.uniform(0.1, 0.5) * width, rng.uniform(0.1, 0.5) * height
        vx, vy = rng.uniform(-2, 2, 2)
        for i in range(per_scene):
            frame = back.copy()
            x, y = int(x0 + vx * i), int(y0 + vy * i)
            frame[max(0, y) : y + height // 4, max(0, x) : x + width // 4] = colour
            yield frame


def encode(
    path: Path,
    rgb_frames: Iterator[np.ndarray],
    size: tuple[int, int],
    options: dict[str, str],
    container_options: dict[str, str] | None = None,
    codec: str = "libx264",
) -> None:
    """Write H.264 (or ``codec``) with the given encoder options; MP4 or MKV by suffix."""
    with av.open(str(path), "w", options=container_options or {}) as out:
        stream = out.add_stream(codec, rate=Fraction(FPS))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            options = {"preset": "medium", "bf": "3", **options}
        stream.options = options
        for rgb in rgb_frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _half(rgb_frames: Iterator[np.ndarray], skip: int) -> Iterator[np.ndarray]:
    half = (SIZE[0] // 2, SIZE[1] // 2)
    for i, rgb in enumerate(rgb_frames):
        if i >= skip:
            yield np.asarray(Image.fromarray(rgb).resize(half, Image.Resampling.BILINEAR))


def _tone(path: Path) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=8000)
        stream.layout = "mono"
        samples = (np.sin(np.arange(8000) * 2 * np.pi * 440 / 8000) * 0.2).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def main() -> None:
    encode(HERE / "original.mp4", frames(1), SIZE, {"crf": "28"})
    half = (SIZE[0] // 2, SIZE[1] // 2)
    encode(HERE / "reencoded.mp4", _half(frames(1), TRIM_SECONDS * FPS), half, {"crf": "30"})
    encode(HERE / "different.mp4", frames(2), SIZE, {"crf": "28"})
    whole = HERE / "whole-faststart.mp4"
    encode(whole, frames(1), SIZE, {"crf": "28"}, {"movflags": "faststart"})
    data = whole.read_bytes()
    whole.unlink()
    (HERE / "truncated.mp4").write_bytes(data[: len(data) * 6 // 10])
    original = (HERE / "original.mp4").read_bytes()
    (HERE / "no-index.mp4").write_bytes(original[: len(original) * 4 // 10])
    (HERE / "empty.mp4").write_bytes(b"")
    (HERE / "not-a-video.mp4").write_text("This is a plain text note, not a video.\n")
    _tone(HERE / "audio-only.m4a")
    hevc = {"crf": "30", "x265-params": "keyint=10:log-level=error"}
    encode(HERE / "hevc.mkv", frames(3, seconds=4), SIZE, hevc, codec="libx265")


if __name__ == "__main__":
    main()
