from __future__ import annotations

from pathlib import Path

from phunt.ingest.triage import Match, ScanSummary, hash_sources


def test_hash_sources_in_order_with_missing(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    results = list(hash_sources([str(tmp_path), str(tmp_path / "missing")]))
    assert [Path(r.path).name for r in results] == ["a.txt", "b.txt", "missing"]
    assert results[2].error == "no such file or folder"


def test_match_and_summary_json() -> None:
    m = Match("p", "s" * 64, "pdq", "list", "2", 7, 9, {"variant": "rot90"})
    assert m.as_json() == {
        "type": "match",
        "path": "p",
        "sha256": "s" * 64,
        "kind": "pdq",
        "list": "list",
        "category": "2",
        "distance": 7,
        "entry": 9,
        "variant": "rot90",
    }
    s = ScanSummary(files=3, bytes=10, matched_files=1, errors=0)
    out = s.as_json()
    assert out["type"] == "summary" and out["files"] == 3 and out["elapsed_s"] >= 0
