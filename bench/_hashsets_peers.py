"""The peers of ``bench/hashsets_scale.py``: TSK's ``hfind``, ``md5deep -m``, coreutils, sqlite3.

Each function returns ``None`` when its tool is not installed (the report then says
"missing"; ``make bench-deps`` installs them from Debian), and checks the tool's answer
(the planted digest is found, the diff count is right) so that a peer's time is never the
time of a failure.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import _hashsets_data as data
from _common import Measurement, measure

CPUS = "0"


@dataclass
class PeerRun:
    """A peer's measured run, the bytes it wrote (an index), and a note for the report."""

    tool: str
    m: Measurement
    size: int = 0
    note: str = ""


def median_run(runs: list[Measurement]) -> Measurement:
    """The run with the median wall time, carrying the highest peak memory of all runs."""
    ordered = sorted(runs, key=lambda m: m.wall_s)
    middle = ordered[len(ordered) // 2]
    middle.single_rss_mb = max(m.single_rss_mb for m in runs)
    middle.tree_rss_mb = max(m.tree_rss_mb for m in runs)
    return middle


def _checked(cmd: list[str], expect: str | None = None, ok: tuple[int, ...] = (0,)) -> Measurement:
    m = measure(cmd, cpus=CPUS)
    if m.returncode not in ok or (expect is not None and expect not in m.stdout):
        raise RuntimeError(
            f"{' '.join(cmd[:3])} failed ({m.returncode}) or did not print {expect!r}:\n"
            f"{m.stdout[-1000:]}\n{m.stderr[-1000:]}"
        )
    return m


def hfind_index(listed: Path) -> PeerRun | None:
    """``hfind -i md5sum LIST``: TSK's sorted index beside the list; its size is the figure."""
    if shutil.which("hfind") is None:
        return None
    m = _checked(["hfind", "-i", "md5sum", str(listed)])
    size = sum(p.stat().st_size for p in listed.parent.glob(listed.name + "-md5.idx*"))
    return PeerRun("hfind -i md5sum", m, size)


def hfind_lookup(listed: Path, md5: str, repeat: int) -> PeerRun | None:
    """One ``hfind LIST MD5`` lookup in the index ``hfind_index`` made (it must find it)."""
    if shutil.which("hfind") is None or not list(listed.parent.glob(listed.name + "-md5.idx")):
        return None
    runs = [_checked(["hfind", str(listed), md5], md5.upper()) for _ in range(repeat)]
    return PeerRun("hfind lookup", median_run(runs))


def md5deep_match(work: Path, digests: np.ndarray, folder: Path) -> PeerRun | None:
    """``md5deep -m LIST -r FOLDER``: loads the whole list, then hashes the folder.

    md5deep does not read bare digests, so it gets the same digests in md5sum's layout
    (``<hex>  <name>``), written beforehand and not timed. One run: loading 10M digests
    takes it minutes, so the start-up noise that repeats smooth out is negligible.
    """
    if shutil.which("md5deep") is None:
        return None
    listed = work / "md5deep-list.txt"
    if not listed.exists():
        data.write_hex_lines(listed, digests, suffix=b"  f")
    target = next(p for p in folder.rglob("*") if p.is_file())
    # exit 1: some listed hashes matched no file (all but one here)
    cmd = ["md5deep", "-m", str(listed), "-r", str(folder)]
    return PeerRun("md5deep -m", _checked(cmd, target.name, ok=(0, 1)), note="md5sum-style list")


def diff_peer(old: Path, new: Path, expected: int) -> PeerRun | None:
    """The lines in one text list and not the other: two ``sort``s and ``comm -3``."""
    if shutil.which("comm") is None or shutil.which("sort") is None:
        return None
    a, b = old.with_suffix(".sorted"), new.with_suffix(".sorted")
    script = (
        f"LC_ALL=C sort -S 1G -o '{a}' '{old}' && LC_ALL=C sort -S 1G -o '{b}' '{new}' "
        f"&& LC_ALL=C comm -3 '{a}' '{b}' | wc -l"
    )
    m = _checked(["sh", "-c", script])
    if int(m.stdout.split()[0]) != expected:
        raise RuntimeError(f"sort + comm counted {m.stdout.strip()} changes, not {expected}")
    a.unlink()
    b.unlink()
    return PeerRun("sort + comm -3", m)


def sqlite_scan(db: Path) -> PeerRun | None:
    """``sqlite3`` reading the three hash columns of every FILE row: the floor of an import."""
    if shutil.which("sqlite3") is None:
        return None
    query = "SELECT sum(length(sha256) + length(sha1) + length(md5)) FROM FILE"
    return PeerRun("sqlite3", _checked(["sqlite3", f"file:{db}?mode=ro", query]))
