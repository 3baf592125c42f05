"""bench/hashsets_scale.py's report: a reduced run must not read as the full-size result."""

from __future__ import annotations

from pathlib import Path

import _hashsets_pdq as pdq
from _hashsets_report import Bench, Line, report


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
