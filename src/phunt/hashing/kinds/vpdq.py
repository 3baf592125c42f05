"""vPDQ: the PDQ of a video's sampled frames, one ``frame,quality,pdq,seconds`` per line.

Its frames are compared under the PDQ kind's threshold and quality minimum, so the rule is
stated once, in :mod:`phunt.hashing.kinds.pdq`.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from phunt import json_limits
from phunt.hashing.kinds.base import KINDS, HashKind, Index, Source, register, shorten

_FRAME = re.compile(
    r"([0-9]+),([0-9]+),([0-9a-fA-F]{64}),([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
)


@register
class VpdqKind(HashKind):
    name = "vpdq"
    description = "vPDQ of a video: frame,quality,pdq,seconds lines"
    index: ClassVar[Index] = "vpdq"
    source: ClassVar[Source] = "video"

    @property
    def frame_threshold(self) -> int:
        """The PDQ kind's threshold, applied frame by frame."""
        threshold = KINDS.get("pdq").threshold
        assert threshold is not None
        return threshold

    @property
    def frame_quality_min(self) -> int:
        """The PDQ kind's quality minimum, applied frame by frame."""
        quality = KINDS.get("pdq").quality_min
        assert quality is not None
        return quality

    def normalise(self, text: str) -> str:
        """The reference text form, one ``frame,quality,pdq,seconds`` per line.

        Also accepted: frames separated by ``;`` (a one-line CSV cell) and
        python-threatexchange's signal string, a JSON list of ``"pdq,quality,seconds"``
        that has no frame numbers, so the frames are numbered in order.
        """
        if text.startswith("["):
            text = _from_threatexchange(text)
        frames = [line.strip() for line in re.split(r"[\n;]", text) if line.strip()]
        out = []
        for number, frame in enumerate(frames, 1):
            match = _FRAME.fullmatch(frame)
            if match is None:
                raise ValueError(
                    f"vpdq frame {number} is not 'frame,quality,<64 hex pdq>,seconds': "
                    f"{shorten(frame)!r}"
                )
            out.append(f"{match[1]},{match[2]},{match[3].lower()},{match[4]}")
        return "\n".join(out)


def _from_threatexchange(text: str) -> str:
    try:
        features = json_limits.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"vpdq JSON list is malformed: {error.msg}") from None
    except json_limits.JsonTooDeep as error:
        raise ValueError(f"vpdq JSON list is malformed: {error}") from None
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise ValueError("vpdq JSON must be a list of 'pdq,quality,seconds' strings")
    lines = []
    for number, feature in enumerate(features):
        pdq, _, rest = feature.partition(",")
        lines.append(f"{number},{rest.partition(',')[0]},{pdq},{rest.partition(',')[2]}")
    return "\n".join(lines)
