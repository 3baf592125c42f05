"""The PDQ kind: 64 hex digits, matched in the PDQ index under its threshold and quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phunt.cli.main import app
from phunt.hashing.kinds import KINDS


def test_pdq_text_and_rules() -> None:
    pdq = KINDS.get("pdq")
    assert pdq.normalise("F" * 64) == "f" * 64
    with pytest.raises(ValueError, match="pdq must be 64 hex digits"):
        pdq.normalise("f" * 63)
    assert (pdq.index, pdq.source, pdq.threshold, pdq.quality_min) == ("pdq", "picture", 31, 50)
    assert pdq.new_hasher() is None  # it comes from the picture stage, not the digest pass
    assert pdq.usable(50) and not pdq.usable(49)


def test_every_default_follows_the_pdq_kind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Engine, engine spec, PDQ index, vPDQ rule, ``is_match`` and ``phunt scan`` read the
    threshold and quality minimum from the pdq kind: changing it there changes them all."""
    from PIL import Image

    from phunt.hashing import pdq as pdq_hash
    from phunt.hashing.kinds.pdq import PdqKind
    from phunt.matching.engine import MatchEngine
    from phunt.matching.pdq_index import PdqIndex, hex_to_array
    from phunt.matching.spec import EngineSpec

    index = PdqIndex.build(hex_to_array(["0" * 64]))
    six_bits = "3f" + "0" * 62
    assert len(index.query(hex_to_array([six_bits]))) == 1  # 6 <= 31
    monkeypatch.setattr(PdqKind, "threshold", 5)
    monkeypatch.setattr(PdqKind, "quality_min", 60)
    assert len(index.query(hex_to_array([six_bits]))) == 0
    engine = MatchEngine()
    assert (engine.pdq_threshold, engine.pdq_quality_min) == (5, 60)
    spec = EngineSpec()
    assert (spec.pdq_threshold, spec.pdq_quality_min) == (5, 60)
    assert pdq_hash.is_match(5) and not pdq_hash.is_match(6)

    picture = tmp_path / "ev" / "gradient.png"
    picture.parent.mkdir()
    img = Image.linear_gradient("L").convert("RGB").resize((300, 200))
    for x in range(0, 300, 40):
        for y in range(0, 200, 2):
            img.putpixel((x, y), (250, 20, 20))
    img.save(picture)
    listed = tmp_path / "pdq.txt"
    listed.write_text("# kind: pdq\n" + pdq_hash.hash_image_file(str(picture)).hash.hex + "\n")
    result = CliRunner().invoke(
        app, ["scan", str(picture.parent), "--hashlist", str(listed), "--json"]
    )
    assert result.exit_code == 1, result.output
    [match] = [json.loads(x) for x in result.stdout.splitlines() if '"match"' in x]
    assert (match["kind"], match["distance"], match["threshold"]) == ("pdq", 0, 5)
