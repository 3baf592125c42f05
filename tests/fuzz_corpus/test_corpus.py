"""The corrupt corpus: every input the fuzzers found that once broke a reader.

``test_data/fuzz/<target>/`` holds the minimised inputs, one folder per fuzz target of
``tests/fuzz/targets.py``. Each file goes through its target (phunt's entry point for that
reader, called as the pipeline calls it): the run must end in a result or in phunt's own
error, within the target's time limit. The focused tests below also pin the exact error
each fixed reader now gives.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from fuzz.targets import BY_NAME, CORPUS, KNOWN_OPEN, prepare
from phunt.errors import CorruptInput, WrongFormat

#: Findings in readers owned elsewhere (src/phunt/sources/): the reason says what breaks.
#: strict xfail, so the test fails once the reader is fixed and the mark must go.
OPEN: dict[str, str] = {
    "archive-zip/extract-version-25.5.zip": (
        "sources/zip.py ZipSource.entries: zipfile raises NotImplementedError ('zip file"
        " version 25.5') for a central directory entry needing a version over 6.3; only"
        " BadZipFile, LargeZipFile, ValueError and EOFError are caught, so the walk aborts"
    ),
    "archive-7z/header-lzma-corrupt.7z": (
        "sources/sevenzip.py SevenZipSource.entries: py7zr.SevenZipFile raises"
        " _lzma.LZMAError ('Corrupt input data') while decompressing a damaged header;"
        " LZMAError is not in _ERRORS, so the walk aborts"
    ),
    "archive-zip/member-with-empty-name.zip": (
        "sources/zip.py ZipSource.entries: a central directory entry with an empty name makes"
        " zipfile's ZipInfo.is_dir() raise IndexError in the member list comprehension"
    ),
    "archive-7z/member-lzma-corrupt.7z": (
        "sources/sevenzip.py SevenZipSource.open_member: a damaged packed stream raises"
        " _lzma.LZMAError while the member is read; not in _ERRORS, so it is not turned into"
        " the OSError the read stage records, and the worker's batch fails"
    ),
    "disk-raw/ext2-root-open-loops.raw": (
        "sources/disk_image.py _TskWalker.walk: pytsk3's open_dir('/') on this damaged"
        " 128 KiB ext2 image spends about 19 s of CPU inside The Sleuth Kit's C code (the"
        " seed takes well under 1 s), past the 10 s per-input limit; no Python signal"
        " interrupts it, so it needs a guard outside the call"
    ),
}


def _corpus() -> Iterator[object]:
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name in BY_NAME):
        for path in sorted(folder.iterdir()):
            key = f"{folder.name}/{path.name}"
            marks = [pytest.mark.xfail(strict=True, reason=OPEN[key])] if key in OPEN else []
            yield pytest.param(folder.name, path, id=key, marks=marks)


class _TimedOut(BaseException):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimedOut


def test_every_known_open_finding_has_its_input_marked_here() -> None:
    files = {f"{p.parent.name}/{p.name}" for p in CORPUS.glob("*/*")}
    named = {f"{t}/{name}" for t, keys in KNOWN_OPEN.items() for name in keys.values()}
    assert set(OPEN) == named
    assert named <= files


def _in_child(target: str, path: Path, scratch: Path) -> None:
    """Run an open finding in a child process: a loop in C code ignores SIGALRM.

    The child's CPU time is capped (RLIMIT_CPU: the target's limit plus its imports), so
    the verdict does not depend on how loaded the machine is; wall time only as a backstop.
    """
    cpu = int(BY_NAME[target].time_limit) + 5

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    code = (
        "import sys, pathlib; from fuzz.targets import BY_NAME, prepare;"
        "t, s = BY_NAME[sys.argv[1]], pathlib.Path(sys.argv[3]); prepare(t, s);"
        "t.run(pathlib.Path(sys.argv[2]).read_bytes(), s)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, target, str(path), str(scratch)],
            env=env,
            capture_output=True,
            text=True,
            timeout=cpu * 20,
            check=False,
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: still running after {cpu * 20} s")
    if done.returncode == -signal.SIGXCPU:
        pytest.fail(f"{path.name}: used more than {cpu} s of CPU")
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(("target", "path"), list(_corpus()))
def test_a_corrupt_input_gives_a_result_or_phunts_own_error(
    target: str, path: Path, tmp_path: Path
) -> None:
    if f"{target}/{path.name}" in OPEN:
        _in_child(target, path, tmp_path)
        return
    fuzz_target = BY_NAME[target]
    scratch = tmp_path
    prepare(fuzz_target, scratch)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, fuzz_target.time_limit)
    try:
        fuzz_target.run(path.read_bytes(), scratch)
    except _TimedOut:
        pytest.fail(f"{path.name}: still running after {fuzz_target.time_limit:g} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_video_stream_of_an_unknown_codec_is_not_hashable() -> None:
    """Once an AttributeError: PyAV gives no codec context for a codec it cannot decode."""
    from phunt.hashing.vpdq import hash_video

    data = (CORPUS / "video" / "unknown-codec.mkv").read_bytes()
    with pytest.raises(WrongFormat, match="codec"):
        hash_video(io.BytesIO(data), threads=1)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("hashlist-csv/header-bare-cr.csv", "csv"),
        ("hashlist-icse/header-bare-cr.csv", "icse"),
        ("hashlist-nsrl-rds2/header-bare-cr.txt", "nsrl-rds2"),
        ("hashlist-threatexchange/dataset-row-bare-cr.csv", "threatexchange"),
    ],
)
def test_a_bare_carriage_return_in_a_csv_line_is_damage_not_a_crash(path: str, fmt: str) -> None:
    """Once ``_csv.Error`` from a header or row probe: now the reader names the line."""
    from phunt.hashsets.detect import open_hash_list

    reader = open_hash_list(CORPUS / path, format=fmt)
    with pytest.raises(CorruptInput, match="line"):
        list(reader.entries())


def test_telegram_fields_of_an_odd_json_type_are_warnings_not_a_crash() -> None:
    """Once TypeError (a list as chat type), AttributeError (a number among text parts) and
    OSError (a date_unixtime past time_t): now the chat imports, the damage is recorded."""
    from phunt.chats import PARSERS

    data = (CORPUS / "chat-telegram-json" / "header-type-is-a-list.json").read_bytes()
    export = PARSERS.get("telegram-json")().parse(io.BytesIO(data), "result.json")
    (chat,) = export.chats
    assert chat.raw_kind == "[]"
    assert [m.text for m in chat.messages] == ["Hello "]
    messages = [w.message for w in export.warnings]
    assert "unknown chat type '[]'" in messages
    assert any("date_unixtime 99999999999999999999 is out of range" in m for m in messages)
