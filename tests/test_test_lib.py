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
    assert shared_folder("reference/pdq") == shared_root / "reference" / "pdq"


@pytest.mark.parametrize("ci", [None, "false", "1"])
def test_an_absent_folder_skips_with_one_line_naming_its_source(
    shared_root: Path, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    (shared_root / "reference").mkdir(parents=True)  # the folder itself is what counts
    with pytest.raises(pytest.skip.Exception) as caught:
        shared_folder("reference/vpdq")
    assert caught.value.msg == (
        "../shared/reference/vpdq absent: Meta ThreatExchange vPDQ sample hashes and TMK"
        " sample videos (github.com/facebook/ThreatExchange, BSD-2-Clause);"
        " see ../shared/README.md"
    )


def test_an_absent_folder_fails_under_ci(
    shared_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as caught:
        shared_folder("reference/disk-images")
    assert caught.value.msg == (
        "../shared/reference/disk-images absent: dfVFS test images"
        " (github.com/log2timeline/dfvfs, Apache-2.0); see ../shared/README.md"
        " (required under CI=true)"
    )


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
