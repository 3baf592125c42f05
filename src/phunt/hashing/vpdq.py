"""vPDQ video hash (Meta's ThreatExchange): the PDQ hash of sampled frames, with their times.

Follows the reference ``vpdq`` (``../shared/reference/PDQ-NOTES.md`` section 4): decode the
first video stream, number decoded frames from 0 in output order, hash frame ``n`` iff
``n % frame_mod == 0`` with ``frame_mod = int(seconds_per_hash * fps)`` (0 -> 1, so 0 hashes
every frame), convert it to RGB24 with libswscale's area scaling, and hash it with PDQ.
``timestamp = n / fps`` where fps is the stream's average frame rate (else its base rate).

Speed: at one hash per second only one frame in ~30 is hashed, so decoding dominates. For
H.264 and HEVC a first pass reads packets without decoding (cheap): their timestamps give
every frame's output number in advance, and their NAL headers show the IDR pictures,
past which no later frame refers. The decoder then skips, packet by packet, frames that
are not sampled and that nothing refers to (``skip_frame=NONREF``), and every frame after
the last sampled one before the next IDR (``ALL``). Every frame a sampled frame depends on
is decoded as usual, so hashed frames are pixel-identical to a full decode (the tests
check this). Anything unexpected (missing or repeated timestamps, a decode error, a frame
not where the first pass put it, a sampled frame missing) falls back to the plain full
decode that counts every frame, which is also what reports damage.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO, Final, Literal

import av
import av.codec.context
import av.container
import av.error
import av.video.stream

from phunt.errors import CorruptInput, WrongFormat
from phunt.hashing import pdq

Source = str | os.PathLike[str] | BinaryIO

SKIPPABLE_CODECS: Final = frozenset({"h264", "hevc"})
"""Codecs where one packet is one frame, so packet timestamps number the frames exactly."""

_LINE = re.compile(r"(\d+),(\d+),([0-9a-fA-F]{64}),([0-9]+(?:\.[0-9]*)?)")
# Leading bytes of containers that are video when whole: an unopenable file that starts
# like one is a damaged video (CorruptInput), anything else is not a video (WrongFormat).
_CONTAINER_MAGIC: Final = (
    (4, b"ftyp"),  # MP4, MOV, 3GP, M4V
    (4, b"moov"),
    (4, b"mdat"),
    (4, b"free"),
    (4, b"wide"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"FLV"),
    (0, b"\x00\x00\x01\xba"),  # MPEG program stream
    (0, b"\x30\x26\xb2\x75"),  # ASF, WMV
)


@dataclass(frozen=True)
class VpdqFrame:
    """One hashed frame: its 0-based decode number, PDQ quality, 64-hex PDQ, seconds."""

    frame: int
    quality: int
    pdq: str
    timestamp: float


@dataclass(frozen=True)
class VpdqResult:
    """The vPDQ of one video and what was hashed.

    ``error`` is set when decoding stopped early (truncated or damaged data): the frames
    decoded before the fault are kept, so a partial video still matches on what survives.
    ``duration`` is the container's claim in seconds (None when it makes none).
    """

    frames: tuple[VpdqFrame, ...]
    duration: float | None
    width: int
    height: int
    codec: str
    fps: float
    error: str | None


def frame_mod(seconds_per_hash: float, fps: float) -> int:
    """The reference's sampling step: hash every ``frame_mod``-th decoded frame."""
    return int(seconds_per_hash * fps) or 1


def hash_video(
    path_or_fileobj: Source,
    *,
    seconds_per_hash: float = 1.0,
    downsample: tuple[int, int] | None = None,
    threads: int = 0,
) -> VpdqResult:
    """vPDQ of a video file, frame numbers and timestamps exactly as the reference's.

    ``seconds_per_hash=0`` hashes every frame. ``downsample=(width, height)`` scales frames
    before hashing, as the reference's ``downsample_width/height``. ``threads=0`` lets FFmpeg
    pick (one per core); an ingest running one video per core passes 1. A file object must
    be seekable: the file is read once to plan and once to decode.
    Raises ``WrongFormat`` when the input is not a container PyAV opens or has no video
    stream, and ``CorruptInput`` when it looks like a video but not one frame decodes.
    """
    if not seconds_per_hash >= 0 or not math.isfinite(seconds_per_hash):
        raise ValueError(f"seconds_per_hash must be >= 0, got {seconds_per_hash}")
    if downsample is not None and min(downsample) < 1:
        raise ValueError(f"downsample size must be positive, got {downsample}")
    if not _rewindable(path_or_fileobj):
        raise ValueError("a file object to hash must be seekable (it is read more than once)")
    job = _Job(path_or_fileobj, _name(path_or_fileobj), 1, 0.0, downsample, threads)
    with _open(job) as container:
        video = _probe(container, job.name)
    job.fps = video.fps
    job.mod = frame_mod(seconds_per_hash, video.fps)
    frames: list[VpdqFrame] | None = None
    error = None
    if job.mod > 1 and video.codec in SKIPPABLE_CODECS:
        frames = _hash_skipping(job)
    if frames is None:
        frames, error = _hash_every(job)
    if not frames and error is not None:
        raise CorruptInput(f"no frame could be decoded: {error}", path=job.name)
    if not frames:
        raise CorruptInput("the video stream holds no frames", path=job.name)
    return VpdqResult(
        tuple(frames), video.duration, video.width, video.height, video.codec, video.fps, error
    )


def to_text(result: VpdqResult | Sequence[VpdqFrame]) -> str:
    """The reference's output file: ``frame,quality,hex,timestamp`` lines, 3-decimal seconds."""
    frames = result.frames if isinstance(result, VpdqResult) else result
    return "".join(f"{f.frame},{f.quality},{f.pdq},{f.timestamp:.3f}\n" for f in frames)


def from_text(text: str) -> list[VpdqFrame]:
    """Parse the reference's text form (blank lines ignored); ``CorruptInput`` names the line."""
    frames: list[VpdqFrame] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        m = _LINE.fullmatch(stripped)
        if m is None:
            shown = stripped if len(stripped) <= 100 else stripped[:97] + "..."
            raise CorruptInput(
                f"not a vPDQ line (frame,quality,64-hex PDQ,seconds): {shown!r}",
                location=f"line {number}",
            )
        quality = int(m[2])
        if quality > 100:
            raise CorruptInput(f"PDQ quality {quality} is outside 0-100", location=f"line {number}")
        frames.append(VpdqFrame(int(m[1]), quality, m[3].lower(), float(m[4])))
    return frames


# ---------------------------------------------------------------- opening


@dataclass
class _Job:
    source: Source
    name: str | None
    mod: int
    fps: float
    downsample: tuple[int, int] | None
    threads: int


@dataclass(frozen=True)
class _Video:
    fps: float
    duration: float | None
    width: int
    height: int
    codec: str


def _name(source: Source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    named = getattr(source, "name", None)
    return named if isinstance(named, str) else None


def _read_head(source: Source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read(16)
    try:
        source.seek(0)
        head = source.read(16)
        source.seek(0)
    except (OSError, ValueError):
        return b""
    return head if isinstance(head, bytes) else b""


def _rewindable(source: Source) -> bool:
    if isinstance(source, (str, os.PathLike)):
        return True
    try:
        return bool(source.seekable())
    except (AttributeError, ValueError):
        return False


def _open(job: _Job) -> av.container.InputContainer:
    """Open from the start; translate PyAV's refusal into WrongFormat or CorruptInput."""
    source = job.source
    if not isinstance(source, (str, os.PathLike)):
        source.seek(0)
    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError, io.UnsupportedOperation) as exc:
        if isinstance(exc, av.error.FileNotFoundError):
            raise
        head = _read_head(source)
        if not head:
            raise CorruptInput("empty file: no video data", path=job.name) from exc
        if any(head[at : at + len(magic)] == magic for at, magic in _CONTAINER_MAGIC):
            raise CorruptInput(
                f"damaged or truncated video container: {exc}", path=job.name
            ) from exc
        raise WrongFormat(f"not a video container: {exc}", path=job.name) from exc


def _probe(container: av.container.InputContainer, name: str | None) -> _Video:
    """The first video stream (as the reference) and its frame rate."""
    if not container.streams.video:
        raise WrongFormat("no video stream", path=name)
    stream = container.streams.video[0]
    rate: Fraction | None = stream.average_rate or stream.base_rate
    if not rate:
        raise CorruptInput("the video stream states no frame rate", path=name)
    duration: float | None = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    ctx = stream.codec_context
    if ctx is None:  # the container names a codec this FFmpeg has no decoder for
        raise WrongFormat("the video stream's codec is not one FFmpeg can decode", path=name)
    return _Video(float(rate), duration, ctx.width, ctx.height, ctx.name)


def _video_stream(
    container: av.container.InputContainer, threads: int
) -> av.video.stream.VideoStream:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = threads
    return stream


# ---------------------------------------------------------------- hashing


def _hash_frame(frame: av.VideoFrame, number: int, job: _Job) -> VpdqFrame:
    if job.downsample is None:
        rgb = frame.to_ndarray(format="rgb24", interpolation="AREA")
    else:
        width, height = job.downsample
        rgb = frame.to_ndarray(width=width, height=height, format="rgb24", interpolation="AREA")
    result = pdq.hash_rgb(rgb)
    return VpdqFrame(number, result.hash.quality or 0, result.hash.hex, number / job.fps)


def _hash_every(job: _Job) -> tuple[list[VpdqFrame], str | None]:
    """Decode every frame and count it, as the reference does; stop at the first fault."""
    frames: list[VpdqFrame] = []
    number = 0
    packets = 0
    with _open(job) as container:
        stream = _video_stream(container, job.threads)
        claimed = stream.frames
        try:
            for packet in container.demux(stream):
                if packet.size:
                    packets += 1
                for frame in packet.decode():
                    if number % job.mod == 0:
                        frames.append(_hash_frame(frame, number, job))
                    number += 1
        except av.error.FFmpegError as exc:
            # Whether the decoder fails on the cut or just runs dry depends on its threads;
            # either way fewer frames than the container lists means truncated or damaged.
            short = (
                f"truncated or damaged: the container lists {claimed} frames; "
                if (claimed and number < claimed)
                else ""
            )
            return frames, f"{short}decoding stopped after {number} frames: {exc}"
    if claimed and packets < claimed:
        return frames, f"truncated: the container lists {claimed} frames, {packets} are present"
    return frames, None


_Skip = Literal["DEFAULT", "NONREF", "ALL"]


@dataclass(frozen=True)
class _Plan:
    """What the decoder does with each packet, worked out from a demux-only first pass."""

    numbers: dict[int, int]  # pts -> output frame number
    stamps: list[int | None]  # pts of every non-empty packet, in demux order
    skips: list[_Skip]  # skip_frame value for each of those packets


def _plan(job: _Job) -> _Plan | None:
    """Number every frame from packet timestamps and choose what to skip; None if unsure.

    A sampled frame decodes in full. Other frames skip if nothing refers to them
    (``NONREF``), or entirely (``ALL``) when no sampled frame comes after them, in decode
    order, before the next IDR picture, which no later frame looks past.
    """
    stamps: list[int | None] = []
    counted: list[int] = []
    idr: list[bool] = []
    try:
        with _open(job) as container:
            stream = container.streams.video[0]
            claimed = stream.frames
            length_size = _nal_length_size(stream.codec_context)
            codec = stream.codec_context.name
            for packet in container.demux(stream):
                if not packet.size:
                    continue
                if packet.pts is None:
                    return None
                stamps.append(packet.pts)
                if not packet.is_discard:
                    counted.append(packet.pts)
                idr.append(packet.is_keyframe and _holds_idr(bytes(packet), codec, length_size))
    except av.error.FFmpegError:
        return None
    numbers = {pts: n for n, pts in enumerate(sorted(counted))}
    if len(numbers) != len(counted) or (claimed and len(counted) != claimed):
        return None
    wanted = {pts for pts, n in numbers.items() if n % job.mod == 0}
    skips: list[_Skip] = ["NONREF"] * len(stamps)
    sampled_ahead = False
    for k in range(len(stamps) - 1, -1, -1):
        if stamps[k] in wanted:
            skips[k] = "DEFAULT"
            sampled_ahead = True
        elif not sampled_ahead:
            skips[k] = "ALL"
        if idr[k]:
            sampled_ahead = False
    return _Plan(numbers, stamps, skips)


def _nal_length_size(ctx: av.codec.context.CodecContext) -> int | None:
    """Bytes of each NAL unit's length prefix (MP4, MKV), or None for start codes (TS)."""
    extra = ctx.extradata or b""
    if ctx.name == "h264" and len(extra) >= 7 and extra[0] == 1:
        return (extra[4] & 3) + 1
    if ctx.name == "hevc" and len(extra) >= 23 and extra[0] == 1:
        return (extra[21] & 3) + 1
    return None


def _holds_idr(data: bytes, codec: str, length_size: int | None) -> bool:
    """True if the packet holds an IDR picture (H.264 type 5, HEVC types 19 and 20)."""
    for header in _nal_headers(data, length_size):
        if codec == "h264" and header & 0x1F == 5:
            return True
        if codec == "hevc" and (header >> 1) & 0x3F in (19, 20):
            return True
    return False


def _nal_headers(data: bytes, length_size: int | None) -> Iterator[int]:
    """First byte of each NAL unit in a packet."""
    if length_size is None:
        at = data.find(b"\x00\x00\x01")
        while 0 <= at < len(data) - 3:
            yield data[at + 3]
            at = data.find(b"\x00\x00\x01", at + 3)
        return
    at = 0
    while at + length_size < len(data):
        size = int.from_bytes(data[at : at + length_size], "big")
        yield data[at + length_size]
        at += length_size + size


def _hash_skipping(job: _Job) -> list[VpdqFrame] | None:
    """Hash the sampled frames, decoding only what they need; None to fall back."""
    plan = _plan(job)
    if plan is None:
        return None
    frames: list[VpdqFrame] = []
    k = 0
    try:
        with _open(job) as container:
            stream = _video_stream(container, job.threads)
            ctx = stream.codec_context
            for packet in container.demux(stream):
                if packet.size:
                    if k >= len(plan.stamps) or packet.pts != plan.stamps[k]:
                        return None  # not the stream the first pass read
                    ctx.skip_frame = plan.skips[k]
                    k += 1
                for frame in ctx.decode(packet):
                    number = plan.numbers.get(frame.pts) if frame.pts is not None else None
                    if number is None:
                        return None
                    if number % job.mod == 0:
                        frames.append(_hash_frame(frame, number, job))
    except av.error.FFmpegError:
        return None
    frames.sort(key=lambda f: f.frame)
    if [f.frame for f in frames] != list(range(0, len(plan.numbers), job.mod)):
        return None
    return frames
