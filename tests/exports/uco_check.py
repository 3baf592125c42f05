"""Running case-utils' ``case_validate`` on an export (shared by the exports and web tests)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def case_validate() -> str:
    """The case-utils validator beside this Python (the project's venv), or on PATH."""
    beside = Path(sys.executable).parent / "case_validate"
    found = str(beside) if beside.exists() else shutil.which("case_validate")
    if found is None:
        pytest.skip("case_validate (case-utils) is not installed")
    return found


def assert_conforms(path: Path) -> None:
    """``path`` conforms to the CASE ontology's SHACL shapes (no violation, no warning,
    no note: case_validate's exit status and its report both say so)."""
    checked = subprocess.run(
        [case_validate(), str(path)], capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "Conforms: True" in checked.stdout and "Results (" not in checked.stdout
