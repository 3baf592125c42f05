"""numba compiles phunt's kernels into the user's cache folder, never into the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from phunt.jit_cache import use_user_cache, user_cache_dir

_KERNEL = """
import numba

@numba.njit(cache=True)
def add_one(x):
    return x + 1
"""


def test_the_folder_follows_xdg_then_home(tmp_path: Path) -> None:
    xdg = str(tmp_path / "xdg")
    assert user_cache_dir({"XDG_CACHE_HOME": xdg, "HOME": "/h"}) == f"{xdg}/phunt/numba"
    assert user_cache_dir({"XDG_CACHE_HOME": "relative", "HOME": "/h"}) == "/h/.cache/phunt/numba"
    assert user_cache_dir({"HOME": "/h"}) == "/h/.cache/phunt/numba"


def test_a_folder_the_user_set_is_kept_and_an_unwritable_one_is_not_forced(
    tmp_path: Path,
) -> None:
    env = {"NUMBA_CACHE_DIR": "/chosen", "HOME": str(tmp_path)}
    assert use_user_cache(env) == "/chosen" and env["NUMBA_CACHE_DIR"] == "/chosen"
    env = {"HOME": str(tmp_path)}
    assert use_user_cache(env) == str(tmp_path / ".cache" / "phunt" / "numba")
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / ".cache" / "phunt" / "numba")
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    env = {"XDG_CACHE_HOME": str(blocked)}
    assert use_user_cache(env) is None and "NUMBA_CACHE_DIR" not in env


def test_numba_writes_its_cache_under_xdg_cache_home_once_phunt_is_imported(
    tmp_path: Path,
) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "kernel.py").write_text(_KERNEL)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = os.pathsep.join([str(package), env.get("PYTHONPATH", "")])
    code = "import phunt, kernel, numba; print(kernel.add_one(1), numba.config.CACHE_DIR)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", str(tmp_path / "cache" / "phunt" / "numba")]
    written = [p.name for p in (tmp_path / "cache" / "phunt" / "numba").rglob("*.nbi")]
    assert written and all(name.startswith("kernel.add_one") for name in written)
    assert not list(package.rglob("*.nbi"))  # nothing beside the code
