"""The vPDQ kind: frame lines in any of the accepted spellings, one canonical text."""

from __future__ import annotations

import json

import pytest

from phunt.hashing.kinds import KINDS


def test_vpdq_spellings_become_reference_lines() -> None:
    vpdq = KINDS.get("vpdq")
    lines = f"0,100,{'A' * 64},0.000\n1,90,{'b' * 64},0.033"
    assert vpdq.normalise(lines) == f"0,100,{'a' * 64},0.000\n1,90,{'b' * 64},0.033"
    assert vpdq.normalise(lines.replace("\n", ";")) == vpdq.normalise(lines)
    signal = json.dumps([f"{'a' * 64},100,0.0", f"{'b' * 64},90,1.0"])
    assert vpdq.normalise(signal) == f"0,100,{'a' * 64},0.0\n1,90,{'b' * 64},1.0"
    with pytest.raises(ValueError, match="vpdq frame 2"):
        vpdq.normalise(f"0,100,{'a' * 64},0.0\n1,90,{'b' * 63},1.0")
    with pytest.raises(ValueError, match="malformed"):
        vpdq.normalise("[1,")
    assert (vpdq.index, vpdq.source, vpdq.new_hasher()) == ("vpdq", "video", None)


def test_a_deeply_nested_json_value_is_malformed_not_a_recursion_error() -> None:
    vpdq = KINDS.get("vpdq")
    with pytest.raises(ValueError, match="malformed: JSON nested at least 100000 levels"):
        vpdq.normalise("[" * 100_000 + "]" * 100_000)
