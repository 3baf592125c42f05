"""The bench scripts import their helpers by bare name (``import _common``), as they run from
bench/; the tests of those helpers put bench/ on the path the same way, last, so that its
scripts (``cli.py``, ``match.py``...) never shadow another module of the test run."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))
