from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from PIL import Image

from phunt.content.exif import read_exif


def _photo_with_exif() -> bytes:
    img = Image.new("RGB", (16, 16), (40, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"
    exif[0x0110] = "Model 7"
    exif.get_ifd(0x8769)[0x9003] = "2026:01:05 10:02:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (10.0, 1.0, 30.0)
    gps[3], gps[4] = "E", (76.0, 18.0, 0.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_reads_camera_time_and_place() -> None:
    out = read_exif(io.BytesIO(_photo_with_exif()))
    assert out == {
        "make": "ExampleCam",
        "model": "Model 7",
        "datetime": "2026:01:05 10:02:00",
        "gps": {"lat": 10.025, "lon": 76.3},
    }


def test_no_exif_and_not_an_image(tmp_path: Path) -> None:
    p = tmp_path / "plain.png"
    Image.new("L", (4, 4)).save(p)
    assert read_exif(str(p)) == {}
    assert read_exif(io.BytesIO(b"not a picture")) == {}


def test_png_exif_is_read_without_decoding_the_picture(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PngCam"
    p = tmp_path / "with-exif.png"
    Image.new("RGB", (8, 8)).save(p, exif=exif)
    assert read_exif(str(p)) == {"make": "PngCam"}


def test_pillow_bomb_check_gives_no_exif_never_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_lib import TEST_DATA

    bomb = TEST_DATA / "images" / "bomb-30000x30000.png"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 89_478_485)  # Pillow's default
    assert read_exif(str(bomb)) == {}
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000_000)  # the warning zone
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert read_exif(str(bomb)) == {}
