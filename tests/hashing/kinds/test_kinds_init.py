"""The views every other module reads follow the registry, and the PDQ rules live once."""

from __future__ import annotations

import pytest

from phunt.hashing import kinds
from phunt.hashing.kinds.pdq import PdqKind


def test_views_derive_from_the_registry() -> None:
    assert list(kinds.HASH_KINDS) == ["md5", "sha1", "sha256", "pdq", "vpdq", "photodna"]
    assert dict(kinds.DIGEST_LENGTHS) == {"md5": 32, "sha1": 40, "sha256": 64}
    assert dict(kinds.EXACT_WIDTHS) == {"md5": 16, "sha1": 20, "sha256": 32}
    assert dict(kinds.KIND_BY_HEX_LENGTH) == {32: "md5", 40: "sha1", 64: "sha256"}
    assert kinds.hex_titles() == "MD5, SHA-1, SHA-256 or PDQ"
    assert [k.name for k in kinds.digest_kinds()] == ["md5", "sha1", "sha256"]


def test_the_pdq_rules_are_read_from_the_pdq_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (kinds.pdq_threshold(), kinds.pdq_quality_min()) == (31, 50)
    monkeypatch.setattr(PdqKind, "threshold", 12)
    monkeypatch.setattr(PdqKind, "quality_min", 70)
    assert (kinds.pdq_threshold(), kinds.pdq_quality_min()) == (12, 70)
    vpdq = kinds.KINDS.get("vpdq")
    assert (vpdq.frame_threshold, vpdq.frame_quality_min) == (12, 70)  # type: ignore[attr-defined]
