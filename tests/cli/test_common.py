"""Option checks shared by the commands."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from phunt import scratch
from phunt.cli.common import (
    MAX_WORKERS,
    WORKERS_PER_CORE,
    check_at_least_one,
    check_workers,
    settings,
    use_triage_scratch,
)
from phunt.errors import UsageError
from phunt.ingest.pipeline import default_workers


def test_workers_within_one_and_four_per_core() -> None:
    most = min(MAX_WORKERS, WORKERS_PER_CORE * default_workers())
    assert check_workers(1) == 1 and check_workers(most) == most
    assert check_workers(0, zero_means_default=True) == 0
    for bad in (0, -3, most + 1, 5000):
        with pytest.raises(UsageError, match=rf"--workers must be within 1\.\.{most} .*not {bad}"):
            check_workers(bad)


def test_at_least_one() -> None:
    assert check_at_least_one("--batch", 1) == 1
    with pytest.raises(UsageError, match="--batch must be 1 or more, not 0"):
        check_at_least_one("--batch", 0)


@pytest.fixture
def restore_scratch() -> Iterator[None]:
    previous = scratch._area
    yield
    scratch._area = previous


@pytest.mark.usefixtures("restore_scratch")
def test_triage_scratch_is_the_data_folder_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``phunt hash`` and ``scan`` need no data folder: they use one named or existing,
    else the user's cache, and never make the default data folder themselves."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    use_triage_scratch(str(tmp_path / "given"))
    assert scratch.current_area() == str(tmp_path / "given" / "scratch")
    use_triage_scratch()  # PHUNT_HOME, as the test environment sets it
    assert scratch.current_area() == os.path.join(os.environ["PHUNT_HOME"], "scratch")
    monkeypatch.delenv("PHUNT_HOME")
    use_triage_scratch()
    assert scratch.current_area() == str(tmp_path / "cache" / "phunt" / "scratch")
    assert not (tmp_path / "data" / "phunt").exists()
    (tmp_path / "data" / "phunt").mkdir(parents=True)
    use_triage_scratch()
    assert scratch.current_area() == str(tmp_path / "data" / "phunt" / "scratch")


@pytest.mark.usefixtures("restore_scratch")
def test_every_data_folder_command_clears_stale_scratch(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "home" / "scratch" / f"{scratch.host_name()}-{dead.pid}-1"
    stale.mkdir(parents=True)
    cfg = settings(str(tmp_path / "home"), None)
    assert scratch.current_area() == str(cfg.scratch) and not stale.exists()


def test_a_worker_count_valid_on_any_machine_needs_no_pipeline_import() -> None:
    """``--workers 1`` (every command's default) is checked without counting cores, so
    a command's first mistake is answered before the pipeline's libraries load."""
    code = (
        "import sys\n"
        "from phunt.cli.common import WORKERS_PER_CORE, check_workers\n"
        "assert [check_workers(n) for n in range(1, WORKERS_PER_CORE + 1)] == "
        "list(range(1, WORKERS_PER_CORE + 1))\n"
        "assert check_workers(0, zero_means_default=True) == 0\n"
        "print('phunt.ingest.pipeline' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
