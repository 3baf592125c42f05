"""shared_folder: a clone without ../shared skips with where to get it; CI fails instead."""

from __future__ import annotations

from pathlib import Path

import pytest

import test_lib
from test_lib import SHARED_SOURCES, shared_folder


@pytest.fixture
def shared_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    root = tmp_path / "shared"
    monkeypatch.setattr(test_lib, "SHARED", root)
    return root


def test_a_present_folder_is_returned(shared_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (shared_root / "reference" / "pdq").mkdir(parents=True)
    monkeypatch.setenv("CI", "true")
    try:
        found = shared_folder("reference/pdq")
    except pytest.skip.Exception as exc:  # a skip here would hide the failure
        raise AssertionError(f"skipped though present: {exc}") from exc
    assert found == shared_root / "reference" / "pdq"


VPDQ_LINE = (
    "../shared/reference/vpdq absent: Meta ThreatExchange vPDQ sample hashes and TMK sample"
    " videos (github.com/facebook/ThreatExchange, BSD-2-Clause); see ../shared/README.md"
)


@pytest.mark.parametrize(
    ("ci", "outcome", "message"),
    [
        (None, pytest.skip.Exception, VPDQ_LINE),
        ("false", pytest.skip.Exception, VPDQ_LINE),
        ("1", pytest.skip.Exception, VPDQ_LINE),
        ("true", pytest.fail.Exception, f"{VPDQ_LINE} (required under CI=true)"),
    ],
)
def test_an_absent_folder_skips_with_its_source_and_fails_under_ci(
    shared_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    ci: str | None,
    outcome: type[BaseException],
    message: str,
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    (shared_root / "reference").mkdir(parents=True)  # the folder itself is what counts
    with pytest.raises(BaseException) as caught:  # a skip must not pass for a fail, or back
        shared_folder("reference/vpdq")
    assert type(caught.value) is outcome
    assert str(caught.value) == message


def test_every_folder_names_a_public_source_on_one_line() -> None:
    assert set(SHARED_SOURCES) == {"reference/pdq", "reference/vpdq", "reference/disk-images"}
    for source in SHARED_SOURCES.values():
        assert "github.com/" in source and "\n" not in source


def test_an_unknown_folder_is_a_mistake_in_the_test(shared_root: Path) -> None:
    with pytest.raises(KeyError):
        shared_folder("reference/elsewhere")
    (shared_root / "reference" / "elsewhere").mkdir(parents=True)
    with pytest.raises(KeyError):
        shared_folder("reference/elsewhere")
