"""A vPDQ hash file: one video's frames, ``frame,quality,pdq,seconds`` per line.

This is the text form the vPDQ reference writes for one video (``vpdq-hash-video``), so
the whole file is one entry of kind ``vpdq``, named after the file. Its frames are
validated by :mod:`phunt.hashing.kinds.vpdq`, which also compares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

from phunt.hashsets.base import HashEntry, HashListReader, normalise_hash

_FRAME = re.compile(r"([0-9]{1,18}),[0-9]{1,3},[0-9a-fA-F]{64},[0-9]{1,18}(?:\.[0-9]{1,18})?")
#: One video's frames at one a second for a day are 6 MB of text; a file far past that is
#: not one video's hash file, and reading it whole into one entry would not be bounded.
MAX_BYTES = 64 << 20


class VpdqFileReader(HashListReader):
    """One video's vPDQ frames (``frame,quality,pdq,seconds`` lines): one vPDQ entry."""

    name = "vpdq-file"
    default_kind = "known-bad"

    @classmethod
    def _probe_lines(cls, lines: list[str]) -> bool:
        data = [line.strip() for line in lines if line.strip()]
        return bool(data) and all(_FRAME.fullmatch(line) for line in data)

    def _entries(self, stream: BinaryIO) -> Iterator[HashEntry]:
        frames: list[str] = []
        size, previous = 0, -1
        for number, raw in self.text_lines(stream):
            line = raw.strip()
            if not line:
                continue
            where = f"line {number}"
            size += len(line) + 1
            if size > MAX_BYTES:
                raise self.corrupt(f"over {MAX_BYTES >> 20} MB: not one video's frames", where)
            match = _FRAME.fullmatch(line)
            if match is None:
                raise self.corrupt(
                    f"not 'frame,quality,<64 hex pdq>,seconds': {line[:80]!r}", where
                )
            frame = int(match[1])
            if frame <= previous:
                raise self.corrupt(
                    f"frame {frame} after frame {previous}: frames must increase "
                    "(two videos' files joined?)",
                    where,
                )
            previous = frame
            frames.append(line)
        if not frames:
            raise self.corrupt("no frames", None)
        try:
            value = normalise_hash("vpdq", "\n".join(frames))
        except ValueError as error:
            raise self.corrupt(str(error), None) from None
        self._metadata["frames"] = len(frames)
        yield HashEntry({"vpdq": value}, None, 1, PurePath(self.display).name)
