"""Matching triage results against lists: known-bad reported, known-good and non-pertinent not."""

from __future__ import annotations

import hashlib
from pathlib import Path

from phunt.hashsets.base import Category, HashEntry
from phunt.ingest.hasher import FileResult
from phunt.ingest.scan import ListMatcher, scan_sources
from phunt.ingest.triage import Match, ScanSummary


def _result(data: bytes, path: str = "/ev/x.jpg") -> FileResult:
    return FileResult(
        path=path,
        size=len(data),
        md5=hashlib.md5(data).hexdigest(),
        sha1=hashlib.sha1(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_each_kind_matches_with_provenance() -> None:
    m = ListMatcher()
    a, b, c = b"picture a", b"picture b", b"picture c"
    m.add(
        "bad.txt",
        "known-bad",
        [
            HashEntry({"md5": hashlib.md5(a).hexdigest()}, record=3),
            HashEntry({"sha1": hashlib.sha1(b).hexdigest()}, Category(1, "vics-us-2.0"), record=4),
            HashEntry({"sha256": hashlib.sha256(c).hexdigest()}, record=5),
        ],
    )
    (ma,) = m.match(_result(a))
    assert (ma.kind, ma.list, ma.entry, ma.distance, ma.category) == ("md5", "bad.txt", 3, 0, None)
    (mb,) = m.match(_result(b))
    assert (mb.kind, mb.category, mb.detail) == ("sha1", "1", {"category_scheme": "vics-us-2.0"})
    assert m.match(_result(c))[0].kind == "sha256"
    assert m.match(_result(b"other")) == []


def test_entry_with_several_hashes_matches_once() -> None:
    data = b"one file"
    m = ListMatcher()
    m.add(
        "l",
        "known-bad",
        [
            HashEntry(
                {"md5": hashlib.md5(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest()},
                record=1,
            )
        ],
    )
    assert len(m.match(_result(data))) == 1


def test_known_good_wins_and_non_pertinent_is_not_reported() -> None:
    good, np_ = b"os file", b"non pertinent"
    m = ListMatcher()
    m.add(
        "bad",
        "known-bad",
        [
            HashEntry({"md5": hashlib.md5(good).hexdigest()}, record=1),
            HashEntry({"md5": hashlib.md5(np_).hexdigest()}, Category(0, "vics-us-2.0"), record=2),
        ],
    )
    m.add("nsrl", "known-good", [HashEntry({"sha1": hashlib.sha1(good).hexdigest()}, record=1)])
    assert m.known_good(_result(good))
    assert m.match(_result(good)) == []
    assert m.match(_result(np_)) == []


def test_scan_sources_counts(tmp_path: Path) -> None:
    (tmp_path / "hit.bin").write_bytes(b"known bytes")
    (tmp_path / "miss.bin").write_bytes(b"unknown")
    lst = tmp_path / "list.txt"
    lst.write_text(f"# test list\n{hashlib.sha256(b'known bytes').hexdigest()}\n")
    m = ListMatcher()
    assert m.add_file(str(lst)) == 1
    summary = ScanSummary()
    items = list(scan_sources([str(tmp_path / "hit.bin"), str(tmp_path / "miss.bin")], m, summary))
    matches = [i for i in items if isinstance(i, Match)]
    assert [Path(x.path).name for x in matches] == ["hit.bin"]
    assert matches[0].list == "list.txt" and matches[0].entry == 2
    out = summary.as_json()
    assert (out["files"], out["matched_files"], out["errors"], out["bytes"]) == (2, 1, 0, 18)
