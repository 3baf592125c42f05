"""The engine keeps provenance and distance, and honours known-good and categories."""

from __future__ import annotations

import hashlib

from phunt.hashsets.base import Category, HashEntry
from phunt.matching.engine import MatchEngine


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _flip(hex_hash: str, bits: int) -> str:
    return format(int(hex_hash, 16) ^ ((1 << bits) - 1), "064x")


def test_exact_hits_carry_provenance() -> None:
    e = MatchEngine()
    e.add("caid", "known-bad", [(10, HashEntry({"md5": _md5(b"a")}, Category(2, "uk-caid")))], 3)
    (hit,) = e.match_file({"md5": _md5(b"a")})
    assert hit.as_json() == {
        "hash": _md5(b"a"),
        "kind": "md5",
        "distance": 0,
        "hashset": "caid",
        "version": 3,
        "entry": 10,
        "category": 2,
        "category_scheme": "uk-caid",
    }
    assert e.match_file({"md5": _md5(b"b")}) == []


def test_known_good_and_non_pertinent_are_not_reported() -> None:
    e = MatchEngine()
    e.add(
        "bad",
        "known-bad",
        [
            (1, HashEntry({"sha1": hashlib.sha1(b"os").hexdigest()})),
            (2, HashEntry({"md5": _md5(b"np")}, Category(0, "vics-us-2.0"))),
        ],
    )
    e.add("nsrl", "known-good", [(1, HashEntry({"md5": _md5(b"os")}))])
    os_file = {"md5": _md5(b"os"), "sha1": hashlib.sha1(b"os").hexdigest()}
    assert e.known_good(os_file) and e.match_file(os_file) == []
    assert e.match_file({"md5": _md5(b"np")}) == []
    assert len(e.lookup(_md5(b"np"))) == 1  # lookup shows everything, for the examiner


def test_pdq_threshold_is_inclusive_and_best_variant_wins() -> None:
    e = MatchEngine(pdq_threshold=31)
    e.add("pdq", "known-bad", [(1, HashEntry({"pdq": PDQ}))])
    assert e.pdq([("orig", _flip(PDQ, 31))])[0].distance == 31
    assert e.pdq([("orig", _flip(PDQ, 32))]) == []
    (hit,) = e.pdq([("orig", _flip(PDQ, 20)), ("rot90", _flip(PDQ, 3))])
    assert (hit.distance, hit.variant) == (3, "rot90")


def test_entry_matched_by_two_hashes_is_reported_once() -> None:
    e = MatchEngine()
    e.add("l", "known-bad", [(1, HashEntry({"md5": _md5(b"x"), "pdq": PDQ}))])
    hits = e.match_file({"md5": _md5(b"x")}, [("orig", PDQ)])
    assert [(h.kind, h.distance) for h in hits] == [("md5", 0)]


def test_lookup_by_length() -> None:
    e = MatchEngine()
    sha = hashlib.sha256(b"z").hexdigest()
    e.add("l", "known-bad", [(1, HashEntry({"sha256": sha})), (2, HashEntry({"pdq": PDQ}))])
    assert [h.kind for h in e.lookup(sha.upper())] == ["sha256"]
    assert [(h.kind, h.listed.entry) for h in e.lookup(PDQ)] == [("pdq", 2)]
    assert e.lookup("abc") == []


def _frames(seed: int, n: int, start: float = 0.0) -> list[object]:
    import random

    from phunt.hashing.vpdq import VpdqFrame

    rng = random.Random(seed)
    return [
        VpdqFrame(i, 90, format(rng.getrandbits(256), "064x"), start + i * 1.0) for i in range(n)
    ]


def test_video_matches_report_shares_and_time_ranges() -> None:
    from phunt.hashing.vpdq import to_text

    listed = _frames(1, 20)
    e = MatchEngine()
    e.add("videos", "known-bad", [(7, HashEntry({"vpdq": to_text(listed)}))], 2)  # type: ignore[arg-type]
    # The seized copy: frames 5..14 of the listed video, 3 bits off, starting 60 s in.
    from phunt.hashing.vpdq import VpdqFrame

    seized = [
        VpdqFrame(i, 80, _flip(f.pdq, 3), 60.0 + i)  # type: ignore[attr-defined]
        for i, f in enumerate(listed[5:15])
    ]
    (hit,) = e.match_file({}, (), seized)
    out = hit.as_json()
    assert (out["kind"], out["hashset"], out["version"], out["entry"]) == ("vpdq", "videos", 2, 7)
    assert out["query_pct"] == 100.0 and out["index_pct"] == 50.0
    assert out["ranges"] == ["00:01:00-00:01:09"]
    assert e.match_file({}, (), _frames(2, 10)) == []  # a different video
