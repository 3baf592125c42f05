"""The CLI answers at once, and user mistakes are one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer

from test_lib import run_phunt

HEAVY = ["sqlalchemy", "alembic", "numpy", "PIL", "av", "dfvfs", "numba", "dask", "magic"]


def test_help_imports_no_heavy_library() -> None:
    # Time itself is measured in bench/cli.py; here we guard the cause of slowness.
    code = (
        "import sys, json\n"
        "sys.argv = ['phunt', '--help']\n"
        "from phunt.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_a_command_imports_only_its_own_module() -> None:
    """``phunt ingest`` loads no other command's module (nor what they import)."""
    code = (
        "import sys, json\n"
        "sys.argv = ['phunt', 'ingest', '--help']\n"
        "from phunt.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('phunt.cli.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert loaded == {"phunt.cli.common", "phunt.cli.ingest", "phunt.cli.limits", "phunt.cli.main"}


def test_the_lazy_table_names_every_command_its_modules_add() -> None:
    """``COMMANDS`` is the one list of top-level commands: each module adds exactly the
    commands the table gives it, so ``--help`` lists all and each loads its own module."""
    from phunt.cli.main import COMMANDS, module_commands

    for module in set(COMMANDS.values()):
        expected = {name for name, owner in COMMANDS.items() if owner == module}
        assert set(module_commands(module)) == expected, module


def test_help_lists_command_groups() -> None:
    result = run_phunt("--help")
    assert result.returncode == 0
    for word in ["hash", "scan", "case", "device", "custody", "audit", "stats"]:
        assert word in result.stdout
    assert "Hash sets: import versions" in result.stdout  # a group's help, from its module
    assert "Print phunt's version." in result.stdout


def test_user_error_is_one_line_exit_2(tmp_path: Path, initialised_home: Path) -> None:
    result = run_phunt(
        "case",
        "open",
        "--number",
        "1",
        "--station",
        "PS",
        "--district",
        "Atlantis",
        "--home",
        str(initialised_home),
    )
    assert result.returncode == 2
    assert result.stderr.startswith("phunt: error: no district 'Atlantis'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_database_url_is_one_line(tmp_path: Path) -> None:
    result = run_phunt("operation", "list", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("phunt: error: cannot reach database")
    assert "Traceback" not in result.stderr


def test_bad_option_value_exits_2(initialised_home: Path) -> None:
    """The operation exists, so only the date can be what is refused."""
    home = str(initialised_home)
    assert run_phunt("operation", "create", "x", "--home", home).returncode == 0

    def raid(at: str) -> subprocess.CompletedProcess[str]:
        place = ["--district", "Kollam", "--location", "l", "--team-lead", "t"]
        return run_phunt("raid", "add", "--operation", "x", *place, "--at", at, "--home", home)

    result = raid("yesterday")
    assert result.returncode == 2
    assert result.stderr == (
        "phunt: error: not an ISO 8601 date-time: 'yesterday' (e.g. 2026-11-28T06:30)\n"
    )
    good = raid("2026-12-06T10:00")
    assert (good.returncode, good.stdout, good.stderr) == (0, "raid 1 recorded at l\n", "")


def _options_app() -> typer.Typer:
    """One option of each kind the plain path knows, plus a bounded int it must not take."""
    app = typer.Typer()

    @app.command()
    def command(
        text: Annotated[str | None, typer.Option()] = None,
        number: Annotated[int, typer.Option()] = 1,
        bounded: Annotated[int, typer.Option(min=0, max=9)] = 1,
        flag: Annotated[bool, typer.Option("--flag/--no-flag")] = False,
        names: Annotated[list[str] | None, typer.Option("--name")] = None,
    ) -> None:
        print(json.dumps([text, number, bounded, flag, names]))

    return app


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--text", "x y", "--number", "42", "--flag", "--name", "a", "--name", "b,c"],
        ["--text", "", "--number", "0", "--no-flag"],
        ["--number", "007"],
        ["--number", " 7"],
        ["--number", "+7"],
        ["--number", "-7"],
        ["--number", "1_000"],
        ["--number", "7.0"],
        ["--number", "seven"],
        ["--number", "9" * 30],
        ["--bounded", "10"],
        ["--bounded", "3"],
    ],
)
def test_plain_options_coerce_as_typers_own_adapters(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pydantic-free path gives each value, and each error, exactly as Typer does."""
    import typer.core
    from typer._coercion import build_runtime_param
    from typer.testing import CliRunner

    from phunt.cli.main import plain_runtime_param

    outcomes = []
    for builder in (build_runtime_param, plain_runtime_param):
        monkeypatch.setattr(typer.core, "build_runtime_param", builder)
        result = CliRunner().invoke(_options_app(), args)
        outcomes.append((result.exit_code, result.output))
    assert outcomes[0] == outcomes[1]


def test_the_plain_path_is_the_one_typer_uses() -> None:
    import typer.core

    from phunt.cli.main import plain_runtime_param

    assert typer.core.build_runtime_param is plain_runtime_param


def test_scan_parses_its_options_without_pydantic(tmp_path: Path) -> None:
    """Typer builds a pydantic adapter per option; the plain path needs none of them."""
    code = (
        "import sys, json\n"
        "sys.argv = ['phunt', 'scan', '--workers', '1', '--max-depth', '2', '--no-pdq', '.']\n"
        "from phunt.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "give at least one --hashlist" in out.stderr  # it got past the parsing
    assert "pydantic" not in json.loads(out.stdout.strip().splitlines()[-1])


#: What a one-file scan of a non-picture against an MD5 set has no use for: the PDQ JIT,
#: migrations, Typer's pydantic adapters, picture and video decoders, the cluster, 7z
#: archives (py7zr and its codecs), chat parsers (phonenumbers).
NOT_FOR_A_ONE_FILE_SCAN = [
    "numba",
    "llvmlite",
    "alembic",
    "pydantic",
    "PIL",
    "av",
    "dask",
    "distributed",
    "py7zr",
    "Cryptodome",
    "phonenumbers",
]
#: ... nor, on an SQLite database in a file, for SQLAlchemy (phunt.hashsets.store_light).
NOT_FOR_A_ONE_FILE_SCAN_ON_SQLITE = ["sqlalchemy"]


def test_a_one_file_scan_of_a_hash_set_starts_no_worker_and_loads_no_jit(
    tmp_path: Path, db_url: str
) -> None:
    """What ``phunt scan`` pays before and after hashing one file (bench/ has the time)."""
    import hashlib

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    data = b"neutral test bytes\n"
    (evidence / "notes.bin").write_bytes(data)
    listed = tmp_path / "list.txt"
    listed.write_text(f"{'0' * 31}1\n{hashlib.md5(data).hexdigest()}\n")
    made = run_phunt("hashset", "import", str(listed), "--name", "small", "--db", db_url)
    assert made.returncode == 0, made.stderr
    code = (
        "import json, sys\n"
        "from multiprocessing.process import BaseProcess\n"
        "def refuse(self): raise AssertionError('a worker process was started')\n"
        "BaseProcess.start = refuse\n"
        f"sys.argv = ['phunt', 'scan', {str(evidence)!r}, '--hashset', 'small', "
        f"'--db', {db_url!r}, '--json']\n"
        "from phunt.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    status = exc.code\n"
        "print(json.dumps([status, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *lines, last = out.stdout.strip().splitlines()
    status, loaded = json.loads(last)
    assert status == 1, out.stderr  # found
    assert [json.loads(line)["type"] for line in lines] == ["match", "summary"]
    unused = set(NOT_FOR_A_ONE_FILE_SCAN)
    if db_url.startswith("sqlite:///"):
        unused |= set(NOT_FOR_A_ONE_FILE_SCAN_ON_SQLITE)
    assert not set(loaded) & unused, set(loaded) & unused
