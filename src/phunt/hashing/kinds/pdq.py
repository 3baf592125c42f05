"""PDQ: Meta's 256-bit perceptual hash of a picture, and the one place its rules live.

The threshold (largest Hamming distance that matches, inclusive, as python-threatexchange
uses) and the quality minimum (flatter pictures are not near-matched) are read from here by
the engine, scan, lookup, ingest and the command line.
"""

from __future__ import annotations

from typing import ClassVar

from phunt.hashing.kinds.base import HexKind, Index, Source, register


@register
class PdqKind(HexKind):
    name = "pdq"
    label = "PDQ"
    description = "PDQ perceptual hash of a picture, 256 bits as 64 hex"
    hex_length = 64
    index: ClassVar[Index] = "pdq"
    source: ClassVar[Source] = "picture"
    threshold: ClassVar[int | None] = 31
    quality_min: ClassVar[int | None] = 50
