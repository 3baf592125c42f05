"""vPDQ matching: python-threatexchange's percentages, the matched time ranges, the index."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest

from phunt.hashing import vpdq
from phunt.hashing.vpdq import VpdqFrame
from phunt.matching.vpdq_match import VideoMatch, VpdqIndex, format_range, match_videos
from test_lib import TEST_DATA, shared_folder

CLIPS = TEST_DATA / "video"


def _sample(name: str) -> list[VpdqFrame]:
    samples = shared_folder("reference/vpdq") / "vpdq" / "sample-hashes"
    return vpdq.from_text((samples / f"{name}.txt").read_text())


def _every_nth(frames: Sequence[VpdqFrame], n: int) -> list[VpdqFrame]:
    """A 1-hash-per-second list from an every-frame sample file (30 fps)."""
    return [f for f in frames if f.frame % n == 0]


def _brute_rule(
    query: Sequence[VpdqFrame], indexed: Sequence[VpdqFrame], quality: int, distance: int
) -> tuple[float, float]:
    """python-threatexchange's brute-force rule, written out as an independent oracle.

    Its own module imports Meta's compiled ``vpdq`` package, which needs FFmpeg's headers
    to build; the comparison with that module itself runs where it is installed (below).
    """

    def keep(frames: Sequence[VpdqFrame]) -> list[str]:
        seen: dict[str, None] = {}
        for f in frames:
            if f.quality >= quality:
                seen.setdefault(f.pdq.lower(), None)
        return list(seen)

    def share(a: list[str], b: list[str]) -> float:
        hits = sum(any(bin(int(x, 16) ^ int(y, 16)).count("1") <= distance for y in b) for x in a)
        return hits * 100 / len(a)

    q, i = keep(query), keep(indexed)
    return share(q, i), share(i, q)


def _far(n: int) -> int:
    """A hash about 128 bits from any other ``_far`` hash."""
    return int.from_bytes(hashlib.sha256(n.to_bytes(4, "big")).digest(), "big")


def _frame(n: int, value: int, quality: int = 100, fps: float = 1.0) -> VpdqFrame:
    return VpdqFrame(n, quality, format(value, "064x"), n / fps)


@pytest.fixture(scope="module")
def clips() -> dict[str, tuple[VpdqFrame, ...]]:
    names = ("original", "reencoded", "different", "truncated")
    return {name: vpdq.hash_video(CLIPS / f"{name}.mp4").frames for name in names}


# ---------------------------------------------------------------- the acceptance pair


def test_a_reencoded_trimmed_half_size_copy_matches_with_its_time_range(
    clips: dict[str, tuple[VpdqFrame, ...]],
) -> None:
    # Seized: the copy (from 2 s on, half size, lower bitrate); listed: the original.
    seized = match_videos(clips["reencoded"], clips["original"])
    assert seized.matched
    assert seized.query_pct == 100.0
    assert seized.index_pct == pytest.approx(90.0)  # 18 of the original's 20 seconds
    assert seized.ranges == [(0.0, 17.0)]
    assert seized.ranges_text == ["00:00:00-00:00:17"]
    # Seized: the original; the listed copy covers its seconds 2-19.
    reverse = match_videos(clips["original"], clips["reencoded"])
    assert reverse.matched
    assert reverse.query_pct == pytest.approx(90.0)
    assert reverse.ranges == [(2.0, 19.0)]


def test_a_different_clip_does_not_match(clips: dict[str, tuple[VpdqFrame, ...]]) -> None:
    for seized, listed in (("different", "original"), ("different", "reencoded")):
        result = match_videos(clips[seized], clips[listed])
        assert result == VideoMatch(0.0, 0.0, False, [])


def test_a_truncated_copy_matches_on_what_survives(
    clips: dict[str, tuple[VpdqFrame, ...]],
) -> None:
    result = match_videos(clips["truncated"], clips["original"])
    assert result.matched and result.query_pct == 100.0
    assert result.index_pct < 80.0
    assert result.ranges == [(0.0, clips["truncated"][-1].timestamp)]


# ---------------------------------------------------------------- the rule


PAIRS = [
    ("chair-19-sd-bar", "chair-22-sd-sepia-bar"),
    ("pattern-sd-grey-bar", "pattern-hd-no-bar-128x128"),
    ("doorknob-hd-no-bar", "doorknob-hd-no-bar-128x128"),
    ("pattern-sd-with-large-logo-bar", "chair-20-sd-bar"),
]


@pytest.mark.parametrize(("query", "indexed"), PAIRS)
def test_percentages_equal_the_rule_written_out(query: str, indexed: str) -> None:
    q, i = _every_nth(_sample(query), 5), _every_nth(_sample(indexed), 5)
    ours = match_videos(q, i)
    query_pct, index_pct = _brute_rule(q, i, 50, 31)
    assert ours.query_pct == pytest.approx(query_pct, abs=1e-9)
    assert ours.index_pct == pytest.approx(index_pct, abs=1e-9)


@pytest.mark.parametrize(("query", "indexed"), PAIRS)
def test_percentages_equal_python_threatexchange(query: str, indexed: str) -> None:
    # threatexchange's vPDQ modules import Meta's compiled ``vpdq`` (no wheel on PyPI: it
    # builds from source against FFmpeg's headers; `make test` builds it when run as root).
    pytest.importorskip(
        "vpdq", reason="Meta's vpdq is not installed (make bench-deps or make test as root)"
    )
    from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute
    from threatexchange.extensions.vpdq.vpdq_util import VpdqCompactFeature

    def te(frames: Sequence[VpdqFrame]) -> list[VpdqCompactFeature]:
        return [VpdqCompactFeature(f.pdq, f.quality, f.timestamp) for f in frames]

    q, i = _every_nth(_sample(query), 5), _every_nth(_sample(indexed), 5)
    ours = match_videos(q, i)
    theirs = match_VPDQ_hash_brute(te(q), te(i), 50, 31)
    assert ours.query_pct == pytest.approx(theirs.query_match_percent, abs=1e-9)
    assert ours.index_pct == pytest.approx(theirs.compared_match_percent, abs=1e-9)


def test_the_sample_pair_from_the_notes() -> None:
    result = match_videos(_sample("chair-19-sd-bar"), _sample("chair-22-sd-sepia-bar"))
    assert result.query_pct == 100.0
    assert result.index_pct == pytest.approx(85.82, abs=0.01)
    assert result.matched
    assert result.ranges_text == ["00:00:00-00:00:18"]


def test_distance_is_inclusive_and_configurable() -> None:
    query = [_frame(0, (1 << 31) - 1)]  # 31 bits away from zero
    indexed = [_frame(0, 0)]
    assert match_videos(query, indexed).matched
    assert not match_videos(query, indexed, distance=30).matched  # the C++ strict "< 31"


def test_low_quality_frames_are_ignored_on_both_sides() -> None:
    a, b, c = 0, (1 << 256) - 1, int("f0" * 32, 16)
    query = [_frame(0, a), _frame(1, b, quality=49)]
    indexed = [_frame(0, a), _frame(1, c, quality=10)]
    result = match_videos(query, indexed)
    assert (result.query_pct, result.index_pct) == (100.0, 100.0)
    strict = match_videos(query, indexed, quality=0)
    assert (strict.query_pct, strict.index_pct) == (50.0, 50.0)


def test_nothing_of_good_quality_matches_nothing() -> None:
    flat = [_frame(0, 0, quality=0)]
    assert match_videos(flat, [_frame(0, 0)]) == VideoMatch(0.0, 0.0, False, [])
    assert match_videos([], []) == VideoMatch(0.0, 0.0, False, [])


def test_thresholds_decide_the_verdict_not_the_percentages() -> None:
    query = [_frame(n, _far(n)) for n in range(5)]
    indexed = query[:2]  # 2 of the query's 5 distinct frames
    result = match_videos(query, indexed)
    assert (result.query_pct, result.index_pct, result.matched) == (40.0, 100.0, False)
    assert match_videos(query, indexed, query_pct=40.0).matched
    assert not match_videos(query, indexed, query_pct=0.0, index_pct=100.1).matched


def test_duplicate_hashes_count_once_as_in_python_threatexchange() -> None:
    still = [_frame(n, 0) for n in range(8)]  # one still picture, 8 seconds
    other = [_frame(8, (1 << 256) - 1), _frame(9, (1 << 256) - 1)]
    result = match_videos(still + other, [_frame(0, 0)])
    assert result.query_pct == 50.0  # two distinct hashes, one matched
    assert result.ranges == [(0.0, 7.0)]


# ---------------------------------------------------------------- time ranges


def test_ranges_bridge_one_missed_sample_and_split_on_longer_gaps() -> None:
    hit, miss = 0, (1 << 256) - 1
    pattern = [hit, hit, miss, hit, hit, miss, miss, miss, hit]  # seconds 0..8
    query = [_frame(n, v) for n, v in enumerate(pattern)]
    result = match_videos(query, [_frame(0, hit)], query_pct=0.0)
    assert result.ranges == [(0.0, 4.0), (8.0, 8.0)]
    assert result.ranges_text == ["00:00:00-00:00:04", "00:00:08-00:00:08"]


def test_ranges_at_every_frame_merge_to_whole_seconds() -> None:
    hit, miss = 0, (1 << 256) - 1
    frames = [_frame(n, miss if n % 10 == 5 else hit, fps=30.0) for n in range(90)]
    result = match_videos(frames, [_frame(0, hit)], query_pct=0.0)
    assert result.ranges == [(0.0, 89 / 30)]


def test_format_range_is_hours_minutes_seconds() -> None:
    assert format_range(72.0, 100.9) == "00:01:12-00:01:40"
    assert format_range(3725.5, 7322.0) == "01:02:05-02:02:02"
    assert format_range(-0.001, 0.0) == "00:00:00-00:00:00"


# ---------------------------------------------------------------- the index


def test_index_finds_the_listed_videos_the_query_matches() -> None:
    names = [
        "chair-19-sd-bar",
        "chair-22-sd-sepia-bar",
        "pattern-hd-no-bar",
        "pattern-sd-grey-bar",
        "doorknob-hd-no-bar",
        "pattern-sd-with-large-logo-bar",
    ]
    listed = [(100 + k, _every_nth(_sample(name), 30)) for k, name in enumerate(names)]
    index = VpdqIndex.build(listed)
    assert len(index) == 6
    query = _every_nth(_sample("pattern-sd-with-small-logo-bar"), 30)
    found = index.query(query)
    # The grey-bar version only: the portrait HD and the large-logo versions share no frame.
    assert [video_id for video_id, _ in found] == [103]
    for video_id, result in found:
        direct = match_videos(query, listed[video_id - 100][1])
        assert result == direct and result.matched
    assert index.query(_every_nth(_sample("doorknob-hd-no-bar-128x128"), 30))[0][0] == 104


def test_index_agrees_with_brute_force_on_every_pair(
    clips: dict[str, tuple[VpdqFrame, ...]],
) -> None:
    listed = list(enumerate(clips.values()))
    index = VpdqIndex.build(listed, query_pct=50.0, index_pct=10.0)
    for frames in clips.values():
        brute = [
            (video_id, r)
            for video_id, other in listed
            if (r := match_videos(frames, other, query_pct=50.0, index_pct=10.0)).matched
        ]
        brute.sort(key=lambda item: (-item[1].query_pct, item[0]))
        assert index.query(frames) == brute


def test_index_edge_cases() -> None:
    empty = VpdqIndex.build([])
    assert len(empty) == 0 and empty.query([_frame(0, 0)]) == []
    index = VpdqIndex.build([(1, [_frame(0, 0)])])
    assert index.query([]) == []
    assert index.query([_frame(0, 0, quality=0)]) == []
    with pytest.raises(ValueError, match="given twice"):
        VpdqIndex.build([(1, [_frame(0, 0)]), (1, [])])
