from __future__ import annotations

import pytest

from phunt.errors import UsageError
from phunt.registry import Registry


def test_register_and_get_in_order() -> None:
    reg: Registry[int] = Registry("thing")
    reg.register("b", 2)
    reg.register("a", 1)
    assert reg.names() == ["b", "a"]
    assert reg.get("a") == 1
    assert "b" in reg and "c" not in reg
    assert list(reg) == [("b", 2), ("a", 1)]
    assert len(reg) == 2


def test_duplicate_name_is_refused() -> None:
    reg: Registry[int] = Registry("reader")
    reg.register("plain", 1)
    with pytest.raises(ValueError, match="reader 'plain' is already registered"):
        reg.register("plain", 2)
    assert reg.get("plain") == 1


def test_unknown_name_lists_choices() -> None:
    reg: Registry[int] = Registry("format")
    reg.register("vics", 1)
    reg.register("csv", 2)
    with pytest.raises(UsageError, match=r"unknown format 'xml' \(choose from: csv, vics\)"):
        reg.get("xml")


def test_unregister_frees_the_name() -> None:
    reg: Registry[int] = Registry("kind")
    reg.register("toy", 1)
    assert reg.changes == 1
    assert reg.unregister("toy") == 1
    assert "toy" not in reg and reg.changes == 2
    reg.register("toy", 2)
    assert reg.get("toy") == 2
    with pytest.raises(ValueError, match="kind 'gone' is not registered"):
        reg.unregister("gone")
