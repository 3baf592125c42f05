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


def test_make_demo_runs_with_its_default_relative_home(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "phunt.demo"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Audit log: intact" in result.stdout
    assert (tmp_path / "phunt-data" / "demo" / "phunt.db").exists()


def test_the_demo_never_removes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    """The demo recreates its folder: given a real data folder by mistake, it refuses."""
    import pytest

    from phunt.errors import UsageError

    real = tmp_path / "real-home"
    real.mkdir()
    (real / "phunt.db").write_bytes(b"a case")
    with pytest.raises(UsageError, match="holds something other than a demo"):
        run(real, Console(record=True))
    assert (real / "phunt.db").read_bytes() == b"a case"
