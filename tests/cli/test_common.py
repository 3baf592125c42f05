"""Option checks shared by the commands."""

from __future__ import annotations

import pytest

from phunt.cli.common import MAX_WORKERS, WORKERS_PER_CORE, check_at_least_one, check_workers
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
