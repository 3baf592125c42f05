"""The engine keeps provenance and distance, and honours known-good and categories."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from set_files import set_file

from phunt.hashing.vpdq import VpdqFrame, to_text
from phunt.hashsets.categories import Category
from phunt.hashsets.entry import HashEntry
from phunt.matching.engine import MatchEngine
from phunt.matching.pdq_index import hex_to_array


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def _flip(hex_hash: str, bits: int) -> str:
    return format(int(hex_hash, 16) ^ ((1 << bits) - 1), "064x")


def _engine(tmp_path: Path, *lists: tuple[str, str, list[tuple[int, HashEntry]]]) -> MatchEngine:
    e = MatchEngine()
    for name, kind, entries in lists:
        e.add_set(name, kind, 1, set_file(tmp_path, entries))
    return e


def test_exact_hits_carry_provenance(tmp_path: Path) -> None:
    e = MatchEngine()
    entries = [(10, HashEntry({"md5": _md5(b"a")}, Category(2, "uk-caid")))]
    assert e.add_set("caid", "known-bad", 3, set_file(tmp_path, entries)) == 1
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


def test_known_good_and_non_pertinent_are_not_reported(tmp_path: Path) -> None:
    bad = [
        (1, HashEntry({"sha1": hashlib.sha1(b"os").hexdigest()})),
        (2, HashEntry({"md5": _md5(b"np")}, Category(0, "vics-us-2.0"))),
    ]
    good = [(1, HashEntry({"md5": _md5(b"os")}))]
    e = _engine(tmp_path, ("bad", "known-bad", bad), ("nsrl", "known-good", good))
    os_file = {"md5": _md5(b"os"), "sha1": hashlib.sha1(b"os").hexdigest()}
    assert e.known_good(os_file) and e.match_file(os_file) == []
    assert e.match_file({"md5": _md5(b"np")}) == []
    assert len(e.lookup(_md5(b"np"))) == 1  # lookup shows everything, for the examiner


def test_pdq_threshold_is_inclusive_and_best_variant_wins(tmp_path: Path) -> None:
    e = MatchEngine(pdq_threshold=31)
    e.add_set("pdq", "known-bad", 1, set_file(tmp_path, [(1, HashEntry({"pdq": PDQ}))]))
    assert e.pdq([("orig", _flip(PDQ, 31))])[0].distance == 31
    assert e.pdq([("orig", _flip(PDQ, 32))]) == []
    (hit,) = e.pdq([("orig", _flip(PDQ, 20)), ("rot90", _flip(PDQ, 3))])
    assert (hit.distance, hit.variant, hit.hash, hit.threshold) == (3, "rot90", PDQ, 31)


def test_entry_matched_by_two_hashes_is_reported_once(tmp_path: Path) -> None:
    e = _engine(tmp_path, ("l", "known-bad", [(1, HashEntry({"md5": _md5(b"x"), "pdq": PDQ}))]))
    hits = e.match_file({"md5": _md5(b"x")}, [("orig", PDQ)])
    assert [(h.kind, h.distance) for h in hits] == [("md5", 0)]


def test_lookup_by_length(tmp_path: Path) -> None:
    sha = hashlib.sha256(b"z").hexdigest()
    entries = [(1, HashEntry({"sha256": sha})), (2, HashEntry({"pdq": PDQ}))]
    e = _engine(tmp_path, ("l", "known-bad", entries))
    assert [h.kind for h in e.lookup(sha.upper())] == ["sha256"]
    assert [(h.kind, h.listed.entry) for h in e.lookup(PDQ)] == [("pdq", 2)]
    assert e.lookup("abc") == []
    assert e.exact("pdq", PDQ) == [] and e.exact_many("pdq", hex_to_array([PDQ])) == [[]]


def _frames(seed: int, n: int, start: float = 0.0) -> list[VpdqFrame]:
    rng = random.Random(seed)
    return [
        VpdqFrame(i, 90, format(rng.getrandbits(256), "064x"), start + i * 1.0) for i in range(n)
    ]


def test_video_matches_report_shares_and_time_ranges(tmp_path: Path) -> None:
    listed = _frames(1, 20)
    e = MatchEngine()
    entries = [(7, HashEntry({"vpdq": to_text(listed)}))]
    e.add_set("videos", "known-bad", 2, set_file(tmp_path, entries))
    # The seized copy: frames 5..14 of the listed video, 3 bits off, starting 60 s in.
    seized = [VpdqFrame(i, 80, _flip(f.pdq, 3), 60.0 + i) for i, f in enumerate(listed[5:15])]
    (hit,) = e.match_file({}, (), seized)
    out = hit.as_json()
    assert (out["kind"], out["hashset"], out["version"], out["entry"]) == ("vpdq", "videos", 2, 7)
    assert out["query_pct"] == 100.0 and out["index_pct"] == 50.0
    assert out["ranges"] == ["00:01:00-00:01:09"]
    assert e.match_file({}, (), _frames(2, 10)) == []  # a different video


def test_two_sets_with_the_same_digest_both_answer_in_the_order_added(tmp_path: Path) -> None:
    shared, only_b = _md5(b"shared"), _md5(b"only b")
    a = [(5, HashEntry({"md5": shared}, Category(1, "vics-us-2.0")))]
    b = [(1, HashEntry({"md5": only_b})), (9, HashEntry({"md5": shared}))]
    e = MatchEngine()
    e.add_set("set-a", "known-bad", 4, set_file(tmp_path, a))
    e.add_set("set-b", "known-bad", 2, set_file(tmp_path, b))
    hits = e.match_file({"md5": shared})
    provenance = [(h.listed.list_name, h.listed.version, h.listed.entry) for h in hits]
    assert provenance == [("set-a", 4, 5), ("set-b", 2, 9)]
    assert [h.listed.category for h in hits] == [Category(1, "vics-us-2.0"), None]
    assert [h.listed.entry for h in e.match_file({"md5": only_b})] == [1]
    assert len(e) == 3


def test_a_disabled_entry_stops_matching_without_touching_the_file(tmp_path: Path) -> None:
    listed = [
        (3, HashEntry({"md5": _md5(b"kept")})),
        (4, HashEntry({"md5": _md5(b"reviewed"), "pdq": PDQ})),
    ]
    sf = set_file(tmp_path, listed)
    before = sf.path.read_bytes()
    e = MatchEngine()
    assert e.add_set("l", "known-bad", 1, sf, disabled={4, 99}) == 1
    assert e.match_file({"md5": _md5(b"reviewed")}, [("orig", PDQ)]) == []
    assert e.lookup(_md5(b"reviewed")) == [] and e.lookup(PDQ) == []
    assert [h.listed.entry for h in e.match_file({"md5": _md5(b"kept")})] == [3]
    assert sf.path.read_bytes() == before
    again = MatchEngine()
    again.add_set("l", "known-bad", 1, set_file(tmp_path, listed))
    assert [h.listed.entry for h in again.lookup(_md5(b"reviewed"))] == [4]


def test_a_disabled_known_good_entry_no_longer_clears_a_file(tmp_path: Path) -> None:
    digest = _md5(b"vendor file")
    good = set_file(tmp_path, [(1, HashEntry({"md5": digest}))])
    bad = set_file(tmp_path, [(1, HashEntry({"md5": digest}))])
    e = MatchEngine()
    e.add_set("nsrl", "known-good", 1, good, disabled=[1])
    e.add_set("bad", "known-bad", 1, bad)
    assert not e.known_good({"md5": digest})
    assert [h.listed.list_name for h in e.match_file({"md5": digest})] == ["bad"]


def test_entries_given_one_by_one_take_the_same_path(tmp_path: Path) -> None:
    e = MatchEngine()
    assert e.add("given", "known-bad", [(8, HashEntry({"md5": _md5(b"g")}))], 2) == 1
    (hit,) = e.match_file({"md5": _md5(b"g")})
    assert (hit.listed.list_name, hit.listed.version, hit.listed.entry) == ("given", 2, 8)
    (segment,) = e.segments
    assert segment.set_file.path.suffix == ".phs"
    e.close()
    assert e.segments == [] and len(e) == 0 and e.match_file({"md5": _md5(b"g")}) == []
