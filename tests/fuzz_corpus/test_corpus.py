"""The corrupt corpus: every input the fuzzers found that once broke a reader.

``test_data/fuzz/<target>/`` holds the minimised inputs, one folder per fuzz target of
``tests/fuzz/targets.py``. Each file goes through its target (phunt's entry point for that
reader, called as the pipeline calls it): the run must end in a result or in phunt's own
error, within the target's time limit: of CPU, as ``make fuzz`` counts it (a disk image's
listing child bounds its own CPU), with the fuzzers' wall-clock backstop for a loaded
machine. The focused tests below also pin the exact error
each fixed reader now gives.
"""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator
from pathlib import Path
from signal import SIGALRM, SIGPROF
from types import FrameType

import pytest

from fuzz.classify import WALL_FACTOR
from fuzz.targets import BY_NAME, CORPUS, KNOWN_OPEN, prepare
from phunt.errors import CorruptInput, WrongFormat

#: Open findings: the reason says what breaks. Skipped here with that reason (their
#: verdict is a CPU-time race); ``make fuzz`` reports them as known until fixed.
OPEN: dict[str, str] = {}


def _corpus() -> Iterator[object]:
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name in BY_NAME):
        for path in sorted(folder.iterdir()):
            key = f"{folder.name}/{path.name}"
            # An open finding costs seconds of CPU and its verdict depends on the machine's
            # speed: make fuzz tracks it (KNOWN_OPEN); the normal suite says it is open.
            reason = f"open finding, tracked by make fuzz: {OPEN.get(key)}"
            marks = [pytest.mark.skip(reason=reason)] if key in OPEN else []
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


@pytest.mark.parametrize(("target", "path"), list(_corpus()))
def test_a_corrupt_input_gives_a_result_or_phunts_own_error(
    target: str, path: Path, tmp_path: Path
) -> None:
    fuzz_target = BY_NAME[target]
    scratch = tmp_path
    prepare(fuzz_target, scratch)
    previous = {number: signal.signal(number, _alarm) for number in (SIGPROF, SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, fuzz_target.time_limit)
    signal.setitimer(signal.ITIMER_REAL, fuzz_target.time_limit * WALL_FACTOR)
    try:
        fuzz_target.run(path.read_bytes(), scratch)
    except _TimedOut:
        pytest.fail(f"{path.name}: still running after {fuzz_target.time_limit:g} s")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in previous.items():
            signal.signal(number, handler)


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
