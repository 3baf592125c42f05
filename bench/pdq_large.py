"""Measure: PDQ of phone-sized JPEGs decoded at reduced scale against the full decode.

phunt decodes a JPEG over ``image_decode.MAX_DECODE_PIXELS`` (89.5 MP) at 1/2, 1/4 or 1/8
scale (libjpeg's scaled IDCT) instead of whole. This script takes the PDQ reference
pictures (``../shared/reference/pdq``, or the folder given), scales each up to a phone
camera's size (12000 px wide: 108 MP for 4:3; and 16320 px: 200 MP), saves it as a JPEG
(quality 90) in a cache folder, and hashes it twice: decoded whole (the cap lifted for the
run: the reference's pixels) and decoded as phunt does. It reports the Hamming distances,
the decoded pixels' memory, and the peak resident memory (VmHWM: ``ru_maxrss`` survives
exec, so a child of this big process would report the parent's) of a fresh process
hashing one photo each way; it writes bench/results/pdq_large.md.

    python bench/pdq_large.py [reference-folder]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from PIL import Image

from phunt.hashing import image_decode, pdq

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pdq"
RESULTS = Path(__file__).resolve().parent / "results" / "pdq_large.md"
CACHE = Path(__file__).resolve().parent / ".cache" / "pdq_large"
WIDTHS = (12000, 16320)
SKIP = ("/dih/", "/exif-rotn/", "I16.png", "LA.png")

_CHILD = """
import sys
from phunt.hashing import image_decode, pdq
if sys.argv[2] == "full":
    image_decode.MAX_DECODE_PIXELS = 1 << 40
pdq.hash_image_file(sys.argv[1])
print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))
"""


def pictures(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".png"))
    return [p for p in found if not any(s in str(p) for s in SKIP)]


def scaled_up(source: Path, width: int) -> Path:
    out = CACHE / f"{source.stem}-{width}.jpg"
    if not out.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as img:
            rgb = img.convert("RGB")
            height = round(width * rgb.height / rgb.width)
            rgb.resize((width, height), Image.Resampling.BICUBIC).save(out, quality=90)
    return out


def hashes(path: Path) -> tuple[int, int, int, int]:
    """Distances reduced-vs-full (default mode, fast mode), decoded bytes full and reduced."""
    cap = image_decode.MAX_DECODE_PIXELS
    image_decode.MAX_DECODE_PIXELS = 1 << 40  # type: ignore[misc]
    try:
        whole = image_decode.decode(path)
        full = pdq.hash_decoded(whole).hash
        full_bytes = whole.pixels.nbytes
        del whole
    finally:
        image_decode.MAX_DECODE_PIXELS = cap  # type: ignore[misc]
    part = image_decode.decode(path)
    reduced = pdq.hash_decoded(part).hash
    fast = pdq.hash_image_file(path, mode="fast").hash
    return pdq.hamming(full, reduced), pdq.hamming(full, fast), full_bytes, part.pixels.nbytes


def peak_kib(path: Path, how: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), how], capture_output=True, text=True, check=True
    )
    return int(out.stdout.split()[-1])


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE
    Image.MAX_IMAGE_PIXELS = None  # these pictures are made here, and are meant to be big
    rows = []
    for width in WIDTHS:
        for source in pictures(folder):
            path = scaled_up(source, width)
            with Image.open(path) as img:
                size = img.size
            d_default, d_fast, full_b, part_b = hashes(path)
            rows.append((source.name, size, d_default, d_fast, full_b, part_b))
            print(source.name, size, d_default, d_fast, flush=True)
    sample = scaled_up(pictures(folder)[0], WIDTHS[0])
    rss = {how: peak_kib(sample, how) / 1024 for how in ("full", "reduced")}
    lines = [
        "# PDQ of phone-sized JPEGs: reduced-scale decode against the full decode",
        "",
        "`python bench/pdq_large.py`: the PDQ reference pictures scaled up (bicubic) to",
        f"{' and '.join(map(str, WIDTHS))} px wide, saved as JPEG quality 90; each hashed",
        "decoded whole (the reference's pixels) and as phunt decodes it (over 89.5 MP: the",
        "smallest of 1/2, 1/4, 1/8 IDCT scales that brings it under). Distance in bits.",
        "",
        "| picture | size | MP | default mode | fast mode | decoded whole | decoded reduced |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (w, h), d, f, fb, pb in rows:
        mp = w * h / 1e6
        memory = f"{fb >> 20} MiB | {pb >> 20} MiB"
        lines.append(f"| {name} | {w}x{h} | {mp:.0f} | {d} | {f} | {memory} |")
    reduced = [r for r in rows if r[5] < r[4]]  # the pictures over the cap
    lines.append("")
    lines.append(
        f"Over the cap, decoded at reduced scale: {len(reduced)} of {len(rows)} pictures"
        " (the others are decoded whole in default mode, as before)."
    )
    for label, col in (("default mode", 2), ("fast mode", 3)):
        ds = [r[col] for r in reduced]
        lines.append(
            f"- {label}: distance to the full decode mean {statistics.mean(ds):.2f},"
            f" median {statistics.median(ds)}, max {max(ds)}"
            f" ({sum(d == 0 for d in ds)} identical)"
        )
    lines += [
        "",
        f"Peak resident memory of a fresh process hashing {sample.name} ({WIDTHS[0]} px wide):"
        f" decoded whole {rss['full']:.0f} MiB, as phunt decodes it {rss['reduced']:.0f} MiB.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines[-6:]))


if __name__ == "__main__":
    main()
