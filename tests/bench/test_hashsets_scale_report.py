"""bench/hashsets_scale.py's report: a reduced run must not read as the full-size result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import _hashsets_pdq as pdq
import _hashsets_peers as peers
from _hashsets_report import Bench, Line, peer_text, report, wall


def _bench(scale: float) -> Bench:
    b = Bench(scale, 1, Path("/nonexistent"), 0)
    b.lines.append(Line("import", "1.0 s", "<= 30 s", True, "hfind: 2.0 s"))
    b.lines.append(Line("on disk", "50 bytes", "<= 40 bytes", False, "-", scales=False))
    return b


def test_reduced_scale_is_marked() -> None:
    text = report(_bench(0.01), ["--scale", "0.01"])
    assert "**Reduced scale 0.01**" in text
    assert "| import | 1.0 s | <= 30 s | met* | hfind: 2.0 s |" in text
    assert "| on disk | 50 bytes | <= 40 bytes | **missed** | - |" in text


def test_full_scale_is_not_marked() -> None:
    text = report(_bench(1.0), [])
    assert "Reduced" not in text
    assert "| import | 1.0 s | <= 30 s | met | hfind: 2.0 s |" in text


def test_match_results_are_the_reference() -> None:
    rate, peer = pdq.reference(1_000_000)
    assert rate is not None and rate > 0
    assert peer.startswith("match.md, PdqIndex at 1,000,000")
    assert pdq.reference(1_234) == (None, "match.md has no figure at 1,234 hashes")


def test_a_missing_peer_is_reported_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _tool: None)
    listed = tmp_path / "list.txt"
    listed.write_text("0" * 32 + "\n", encoding="ascii")
    assert peers.hfind_index(listed) is None
    assert peers.hfind_lookup(listed, "0" * 32, 1) is None
    assert peers.sqlite_scan(tmp_path / "none.db") is None
    assert peer_text(None, wall) == "missing"
