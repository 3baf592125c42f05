"""``phunt demo``: a synthetic statewide operation run end to end on the embedded default.

Everything is invented and benign: generated pictures and videos stand in for seized
files, and generated hash lists declare some of them "known". :mod:`.scenario` decides
the operation from a seed (:mod:`.plan` is its shape), :mod:`.world` writes each device's
evidence, :mod:`.run` runs phunt's services over it and :mod:`.summary` prints what they
found. :func:`make_device_folder` is the small phone extraction other tests build on.
"""

from __future__ import annotations

import random
from pathlib import Path


def _picture(path: Path, rng: random.Random) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(300), rng.randrange(220)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + rng.randrange(10, 120), y + rng.randrange(10, 90)), fill=colour)
    img.save(path, "JPEG", quality=85)


def make_device_folder(root: Path, seed: int, pictures: int = 6) -> list[Path]:
    """A small generated phone extraction: pictures, a document, a note."""
    rng = random.Random(seed)
    made: list[Path] = []
    for sub in ("DCIM/Camera", "WhatsApp/Media/WhatsApp Images", "Documents"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for i in range(pictures):
        sub = "DCIM/Camera" if i % 2 else "WhatsApp/Media/WhatsApp Images"
        path = root / sub / f"IMG_{seed:02d}{i:03d}.jpg"
        _picture(path, rng)
        made.append(path)
    (root / "Documents" / "shopping.txt").write_text(f"rice, tea, bananas ({seed})\n")
    return made
