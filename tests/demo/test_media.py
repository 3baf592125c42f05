"""The demo's media, checked with phunt's own hashers: what the demo plants is findable.

Pictures must reach PDQ quality 50 and lie far from one another; every forwarded copy must
match its original at phunt's default PDQ threshold (dihedral variants included, as ingest
compares) or by phunt's vPDQ rule; and the same seed must give the same bytes.
"""

from __future__ import annotations

import io
import itertools
import random

import pytest

from phunt.demo import media
from phunt.demo.plan import Transform
from phunt.errors import UsageError
from phunt.hashing.kinds import pdq_quality_min, pdq_threshold
from phunt.hashing.pdq import PdqResult, best_dihedral_distance, hash_image_file
from phunt.hashing.vpdq import VpdqFrame, hash_video
from phunt.matching.vpdq_match import match_videos

PICTURE_COPIES: tuple[Transform, ...] = ("resize", "recompress", "crop", "mirror", "reencode")


def _pdq(data: bytes) -> PdqResult:
    return hash_image_file(io.BytesIO(data))


def _frames(data: bytes) -> list[VpdqFrame]:
    return list(hash_video(io.BytesIO(data)).frames)


@pytest.fixture(scope="module")
def pictures() -> list[bytes]:
    return [media.picture(random.Random(seed)) for seed in range(8)]


@pytest.fixture(scope="module")
def videos() -> list[bytes]:
    return [media.video(random.Random(seed)) for seed in range(3)]


def test_pictures_are_jpegs_of_the_asked_size_with_good_pdq_quality(pictures: list[bytes]) -> None:
    for data in pictures:
        result = _pdq(data)
        assert data[:3] == b"\xff\xd8\xff"
        assert (result.hash.quality or 0) >= pdq_quality_min()
    tall = _pdq(media.picture(random.Random(1), 120, 200))
    assert (tall.width, tall.height) == (120, 200)
    assert (tall.hash.quality or 0) >= pdq_quality_min()


def test_different_pictures_do_not_match_each_other(pictures: list[bytes]) -> None:
    hashes = [_pdq(data) for data in pictures]
    pairs = itertools.combinations(hashes, 2)
    closest = min(best_dihedral_distance(a, b.hash)[0] for a, b in pairs)
    assert closest > 2 * pdq_threshold()


@pytest.mark.parametrize("transform", PICTURE_COPIES)
def test_each_forwarded_picture_matches_its_original(
    pictures: list[bytes], transform: Transform
) -> None:
    for seed, data in enumerate(pictures):
        copy = media.forward(data, "picture", transform, random.Random(seed))
        assert copy != data
        found = _pdq(copy)
        assert (found.hash.quality or 0) >= pdq_quality_min()
        distance, variant = best_dihedral_distance(found, _pdq(data).hash)
        assert distance <= pdq_threshold(), (transform, seed, distance)
        if transform == "mirror":
            assert variant != "orig"  # found only through the flipped variant, as ingest does


def test_an_exact_copy_is_the_same_bytes(pictures: list[bytes], videos: list[bytes]) -> None:
    assert media.forward(pictures[0], "picture", "exact", random.Random(0)) == pictures[0]
    assert media.forward(videos[0], "video", "exact", random.Random(0)) == videos[0]


def test_videos_are_mp4s_that_vpdq_reads_with_good_frames(videos: list[bytes]) -> None:
    result = hash_video(io.BytesIO(videos[0]))
    assert videos[0][4:8] == b"ftyp"
    assert (result.width, result.height, result.codec) == (*media.VIDEO_SIZE, "h264")
    assert len(result.frames) == 2  # one hash a second
    assert all(frame.quality >= pdq_quality_min() for frame in result.frames)
    longer = hash_video(io.BytesIO(media.video(random.Random(5), seconds=4)))
    assert len(longer.frames) == 4


def test_each_forwarded_video_matches_its_original(videos: list[bytes]) -> None:
    copies = [
        (seed, transform, media.forward(data, "video", transform, random.Random(seed)))
        for seed, data in enumerate(videos)
        for transform in media.VIDEO_TRANSFORMS
        if transform != "exact"
    ]
    assert len(copies) == 2 * len(videos)  # re-encoded and resized
    for seed, transform, copy in copies:
        assert copy != videos[seed]
        assert match_videos(_frames(copy), _frames(videos[seed])).matched, (transform, seed)


def test_different_videos_do_not_match_each_other(videos: list[bytes]) -> None:
    frames = [_frames(data) for data in videos]
    for a, b in itertools.permutations(frames, 2):
        assert match_videos(a, b).query_pct == 0.0


def test_the_same_seed_gives_the_same_bytes() -> None:
    assert media.picture(random.Random(7)) == media.picture(random.Random(7))
    assert media.picture(random.Random(7)) != media.picture(random.Random(8))
    assert media.video(random.Random(7)) == media.video(random.Random(7))
    picture = media.picture(random.Random(3))
    video = media.video(random.Random(3))
    for transform in PICTURE_COPIES:
        one = media.forward(picture, "picture", transform, random.Random(4))
        assert one == media.forward(picture, "picture", transform, random.Random(4))
    one = media.forward(video, "video", "reencode", random.Random(4))
    assert one == media.forward(video, "video", "reencode", random.Random(4))
    assert one == media.forward(video, "video", "recompress", random.Random(4))  # its alias


def test_impossible_requests_are_refused_with_the_choices() -> None:
    video = media.video(random.Random(1))
    with pytest.raises(UsageError, match="cannot be made by 'mirror'"):
        media.forward(video, "video", "mirror", random.Random(1))
    with pytest.raises(UsageError, match="both sides >= 64"):
        media.picture(random.Random(1), 32, 240)
    with pytest.raises(UsageError, match="1 to 60 seconds"):
        media.video(random.Random(1), seconds=0.2)
