"""Every page of docs/guide/ runs as written, so the guide cannot rot.

The convention a page follows (and this test reads):

* ``<!-- guide-files: NAME=PATH ... -->``: files copied into the page's empty folder before
  its first command (PATH from the repository's root; a folder is copied whole). The page
  says in one visible line what they are.
* ``<!-- guide-continues: PAGE -->``: the page starts where PAGE (another page's name,
  without ``.md``) ends, in a copy of its folder, as a reader who followed it would.
* Fenced blocks marked ``console`` are run; any other block (``sh``, ``text``) is only
  shown, for what cannot run here (a lab's PostgreSQL, a browser, a password typed).
* In a ``console`` block a line starting ``$ `` is a command (a line ending in ``\\``
  goes on with the next). Every command of a page runs, in order, in one bash session in
  the page's folder (so ``export`` and ``&`` work as they do for a reader), with
  ``PHUNT_HOME`` already set to ``./home`` there, never the reader's data folder.
* The lines after a command, up to the next ``$ ``, are output it must print (stdout and
  stderr together): in order, and lines shown one after the other must be consecutive
  in the output. A line ``...`` stands for output left out (before the first and after the
  last shown line it may be left out silently); ``...`` inside a line stands for any text
  (a path, a time). Lines are compared with spaces stripped at both ends.
* ``[exit N]`` as the last line shown: the command must exit with status N (otherwise 0).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
PAGES = sorted(p for p in GUIDE.glob("*.md") if p.name != "README.md")
MARK = "@@guide-rc"
#: A page's commands all together may take this long (on a busy machine, about a minute).
PAGE_TIMEOUT_S = 240


@dataclass
class Step:
    """One command of a page and what the page says it prints."""

    command: str
    shown: list[str] = field(default_factory=list)
    exit: int = 0
    line: int = 0


Results = list[tuple[Step, list[str], int]]


def continues(text: str) -> str | None:
    """The page this one starts from, if any."""
    found = re.search(r"<!--\s*guide-continues:\s*(\S+)\s*-->", text)
    return found.group(1) if found else None


def read_page(text: str) -> tuple[dict[str, str], list[Step]]:
    """The files a page asks for, and its commands in order."""
    files: dict[str, str] = {}
    for block in re.findall(r"<!--\s*guide-files:(.*?)-->", text, re.S):
        for item in block.split():
            name, _, source = item.partition("=")
            files[name] = source
    steps: list[Step] = []
    lines = text.splitlines()
    fence: str | None = None
    for number, line in enumerate(lines, 1):
        if fence is None:
            if line.startswith("```"):
                fence = line[3:].strip()
            continue
        if line.startswith("```"):
            fence = None
            continue
        if fence != "console":
            continue
        if line.startswith("$ "):
            steps.append(Step(line[2:], line=number))
        elif steps and steps[-1].command.endswith("\\") and not steps[-1].shown:
            steps[-1].command += "\n" + line
        elif steps:
            steps[-1].shown.append(line.strip())
        else:
            raise AssertionError(f"line {number}: output shown before any command")
    for step in steps:
        if step.shown and (m := re.fullmatch(r"\[exit (\d+)\]", step.shown[-1])):
            step.exit = int(m.group(1))
            step.shown.pop()
    return files, steps


def line_matches(shown: str, actual: str) -> bool:
    """Whether an output line is the shown one, ``...`` standing for any text."""
    parts = shown.split("...")
    actual = actual.strip()
    if len(parts) == 1:
        return actual == shown
    if not actual.startswith(parts[0]) or not actual.endswith(parts[-1]):
        return False
    at = len(parts[0])
    for part in parts[1:-1]:
        found = actual.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return at <= len(actual) - len(parts[-1])


def missing(shown: list[str], output: list[str]) -> str | None:
    """The first shown line the output lacks (in order, runs consecutive), or None."""
    runs: list[list[str]] = [[]]
    for line in shown:
        if line == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    at = 0
    for run in (r for r in runs if r):
        for start in range(at, len(output) - len(run) + 1):
            if all(line_matches(s, output[start + i]) for i, s in enumerate(run)):
                at = start + len(run)
                break
        else:
            return run[0]
    return None


def script(steps: list[Step]) -> str:
    """One bash script for the page: each command, then a marker with its exit status."""
    body = ["exec 2>&1"]
    for step in steps:
        body += [step.command, f"printf '\\n{MARK} %d@@\\n' \"$?\""]
    return "\n".join(body) + "\n"


def run_page(page: Path, folder: Path) -> Results:
    """Copy the page's files into ``folder``, run its commands there, and return each
    with its output lines and exit status."""
    files, steps = read_page(page.read_text(encoding="utf-8"))
    for name, source in files.items():
        src = ROOT / source
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, folder / name)
        else:
            shutil.copyfile(src, folder / name)
    env = dict(os.environ)
    env.update(
        PHUNT_HOME=str(folder / "home"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="100",
        PHUNT_TIMEZONE="Asia/Kolkata",
    )
    env.pop("PHUNT_DATABASE_URL", None)
    (folder / ".guide.sh").write_text(script(steps), encoding="utf-8")
    proc = subprocess.Popen(
        ["bash", ".guide.sh"],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # whatever a page starts in the background ends with it
    )
    try:
        out, _ = proc.communicate(timeout=PAGE_TIMEOUT_S)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    pieces = re.split(rf"\n?{MARK} (\d+)@@\n", out)
    results = []
    for i, step in enumerate(steps):
        if 2 * i + 1 >= len(pieces):
            raise AssertionError(f"{page.name} line {step.line}: never ran: {step.command}")
        results.append((step, pieces[2 * i].splitlines(), int(pieces[2 * i + 1])))
    return results


@pytest.fixture(scope="module")
def finished() -> Iterator[dict[str, tuple[Path, Results]]]:
    """Each page run so far: its folder as it ended, and its results. The folders are
    short and of one length, so that tables holding a path wrap the same way each run."""
    done: dict[str, tuple[Path, Results]] = {}
    yield done
    for folder, _ in done.values():
        shutil.rmtree(folder, ignore_errors=True)


def run_once(page: Path, done: dict[str, tuple[Path, Results]]) -> Results:
    """Run ``page`` (after the page it continues, once) in a folder of its own."""
    if page.stem not in done:
        folder = Path(tempfile.mkdtemp(prefix="guide-", dir="/tmp"))
        before = continues(page.read_text(encoding="utf-8"))
        if before is not None:
            run_once(GUIDE / f"{before}.md", done)
            shutil.copytree(done[before][0], folder, dirs_exist_ok=True)
        done[page.stem] = (folder, run_page(page, folder))
    return done[page.stem][1]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_command_prints_what_the_page_shows(
    page: Path, finished: dict[str, tuple[Path, Results]]
) -> None:
    for step, output, status in run_once(page, finished):
        where = f"{page.name} line {step.line}: {step.command}"
        text = "\n".join(output)
        assert status == step.exit, f"{where}\nexit {status}, page says {step.exit}\n{text}"
        lacking = missing(step.shown, output)
        assert lacking is None, f"{where}\nthe output lacks: {lacking}\n{text}"


def test_the_guide_has_a_page_per_workflow_and_every_page_runs_something() -> None:
    names = {p.stem for p in PAGES}
    assert {
        "triage",
        "lab-ingest",
        "dask",
        "hash-lists",
        "chats",
        "review",
        "reports",
        "administration",
    } <= names
    for page in PAGES:
        _, steps = read_page(page.read_text(encoding="utf-8"))
        assert len(steps) >= 3, f"{page.name} runs fewer than three commands"
        quiet = [s.command for s in steps if s.command.startswith("phunt ") and not s.shown]
        assert all(">" in c for c in quiet), f"{page.name}: shows no output of {quiet}"


def test_the_convention_catches_a_page_that_has_rotted() -> None:
    page = "```console\n$ echo one; echo two\none\n...\nthree\n$ false\n```\n"
    _, steps = read_page(page)
    assert [s.command for s in steps] == ["echo one; echo two", "false"]
    assert missing(steps[0].shown, ["one", "two"]) == "three"
    assert missing(["one", "three"], ["one", "two", "three"]) == "one"  # not consecutive
    assert missing(["o...e", "...o"], ["one", "two"]) is None
    assert not line_matches("ingest ... for EV-1", "ingest 1 of x for EV-2")
    assert line_matches("2 matched", "  2 matched ") and not line_matches("2 match", "2 matched")
    assert steps[1].exit == 0  # and so `false`, exiting 1, would fail the page
