from __future__ import annotations

from pathlib import Path

from rich.console import Console

from phunt.demo import run


def test_demo_runs_and_finds_the_declared_pictures(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    matched = run(tmp_path / "demo", console)
    assert matched == 4
    text = console.export_text()
    assert "Audit log: intact" in text
    assert "Total" in text and "Ernakulam" in text
    assert "pdq d=" in text  # the re-saved copies were found by PDQ, not by their digests
