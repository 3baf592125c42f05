"""Regenerate the image fixtures for phunt.hashing (PDQ and image decoding).

Every picture is generated here: smooth colour scenes with a few shapes, no people, no
text. Run from anywhere: ``python test_data/images/make_fixtures.py``. The output is
deterministic except for the HEIF encoder's bytes, which tests never compare as bytes.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent


def scene(seed: int, size: tuple[int, int]) -> Image.Image:
    """A benign generated picture: a smooth colour field with shapes and light grain."""
    rng = np.random.default_rng(seed)
    width, height = size
    acc = np.zeros((height, width, 3), dtype=np.float32)
    for cells, weight in ((3, 1.0), (9, 0.5), (27, 0.25)):
        small = rng.normal(0, 1, (max(2, cells * height // width), cells, 3))
        small8 = np.clip(small * 45 + 128, 0, 255).astype(np.uint8)
        big = Image.fromarray(small8, "RGB").resize(size, Image.Resampling.BICUBIC)
        acc += (np.asarray(big, dtype=np.float32) - 128) * weight
    base = np.clip(acc + rng.uniform(70, 180, 3), 0, 255).astype(np.uint8)
    image = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(5):
        x0, y0 = rng.uniform(0, width * 0.8), rng.uniform(0, height * 0.8)
        box = (x0, y0, x0 + rng.uniform(0.1, 0.4) * width, y0 + rng.uniform(0.1, 0.4) * height)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.0))
    grain = rng.normal(0, 3, (height, width, 1))
    noisy = np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(noisy, "RGB")


def make_modes() -> None:
    """One small picture in each pixel mode the decoder must handle."""
    rgb = scene(1, (96, 72))
    rgb.save(HERE / "scene-rgb.png")
    rgb.save(HERE / "scene-rgb.jpg", quality=90)
    rgb.convert("L").save(HERE / "scene-l.png")
    rgb.quantize(64).save(HERE / "scene-p.png")
    rgb.convert("CMYK").save(HERE / "scene-cmyk.jpg", quality=90)
    alpha = Image.linear_gradient("L").resize(rgb.size)
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    rgba.save(HERE / "scene-rgba.png")
    la = rgb.convert("L")
    la.putalpha(alpha)
    la.save(HERE / "scene-la.png")
    grey16 = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    Image.fromarray(grey16).save(HERE / "scene-i16.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display; phunt must NOT apply it
    rgb.save(HERE / "scene-exif-rotate.jpg", quality=90, exif=exif)


def make_animations() -> None:
    """Two-frame GIF and WebP whose frames differ: only the first frame is hashed."""
    first, second = scene(2, (80, 60)), scene(3, (80, 60))
    first.save(HERE / "anim.gif", save_all=True, append_images=[second], duration=100, loop=0)
    first.save(
        HERE / "anim.webp",
        save_all=True,
        append_images=[second],
        duration=100,
        lossless=True,
    )


def make_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    scene(4, (96, 72)).save(HERE / "scene.heic", format="HEIF", quality=90)


def make_damaged() -> None:
    """A truncated JPEG, a JPEG cut inside its header, and a text file named .jpg."""
    data = (HERE / "scene-rgb.jpg").read_bytes()
    (HERE / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (HERE / "header-only.jpg").write_bytes(data[:120])
    (HERE / "not-an-image.jpg").write_bytes(b"Meeting notes: bring the blue folder.\n")


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG signature and header claiming ``width`` x ``height`` RGB, with one tiny
    IDAT: a decompression bomb's header, which a decoder must refuse before allocating."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 16)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def big_photo(path: Path, size: tuple[int, int] = (12000, 9000)) -> None:
    """A phone-sized JPEG (108 MP by default) with camera EXIF: a small scene scaled up,
    so it is smooth, compresses to a few MB and is made in seconds at test time."""
    image = scene(20, (size[0] // 40, size[1] // 40)).resize(size, Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x010F] = "Examplecam"
    exif[0x0110] = "Model 108"
    exif[0x0132] = "2026:05:04 10:11:12"
    image.save(path, quality=85, exif=exif)


def make_bomb() -> None:
    """A PNG header claiming 30000 x 30000 (900 MP) in under 100 bytes."""
    (HERE / "bomb-30000x30000.png").write_bytes(png_claiming(30000, 30000))


def make_robustness_scenes() -> None:
    """Extra distinct pictures for the matching robustness test (beside the reference)."""
    for seed in range(10, 14):
        scene(seed, (320, 240)).save(HERE / f"robust-scene-{seed}.jpg", quality=92)


def main() -> None:
    make_modes()
    make_animations()
    make_heif()
    make_damaged()
    make_robustness_scenes()
    make_bomb()


if __name__ == "__main__":
    main()
