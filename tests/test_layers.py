"""Every module of phunt is named by an import-linter contract, so none goes unchecked.

The ``pure-stages`` contract lists its modules (stores sit beside stages in some packages,
so it cannot take whole packages), and the ``layers`` contract names the services and
stores: a module added to neither would escape both. ``make test`` runs the contracts
themselves (``lint-imports``); this test keeps their lists complete.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from test_lib import REPO

#: Modules that hold nothing to check: the package marker and its entry point.
NOT_LAYERED = {"phunt", "phunt.__main__", "phunt.analysis"}


def _contracts() -> tuple[list[str], list[str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    pure = list(contracts["pure-stages"]["source_modules"])
    layered = [
        name.strip("() ") for layer in contracts["layers"]["layers"] for name in layer.split(":")
    ]
    return pure, [name for name in layered if name]


def _modules(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "src" / "phunt").rglob("*.py")):
        parts = path.relative_to(root / "src").with_suffix("").parts
        if "migrations" in parts:
            continue
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _covered(module: str, pure: list[str], layered: list[str]) -> bool:
    for pattern in pure:
        if module == pattern or (pattern.endswith(".**") and module.startswith(pattern[:-2])):
            return True
    return any(module == name or module.startswith(name + ".") for name in layered)


def test_every_module_is_under_a_layer_contract() -> None:
    pure, layered = _contracts()
    loose = [m for m in _modules(REPO) if m not in NOT_LAYERED and not _covered(m, pure, layered)]
    assert loose == []


def test_a_new_module_would_be_caught() -> None:
    pure, layered = _contracts()
    assert not _covered("phunt.chats.brand_new", pure, layered)
    assert _covered("phunt.sources.brand_new", pure, layered)
    assert _covered("phunt.cases.brand_new", pure, layered)
