"""Decoding for PDQ: every pixel mode, animations, HEIF, EXIF left alone, damage reported."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from phunt.errors import CorruptInput, WrongFormat
from phunt.hashing import image_decode, pdq

DATA = Path(__file__).resolve().parents[2] / "test_data" / "images"


def rgb_hash(image: Image.Image) -> str:
    return pdq.hash_rgb(np.asarray(image.convert("RGB"))).hash.hex


@pytest.mark.parametrize(
    ("name", "channels"),
    [("scene-rgb.png", 4), ("scene-rgba.png", 4), ("scene-l.png", 1), ("scene-la.png", 4)],
)
def test_modes_threatexchange_handles_hash_as_it_does(name: str, channels: int) -> None:
    decoded = image_decode.decode(DATA / name)
    assert decoded.pixels.shape == (72, 96, channels)  # RGB comes as Pillow's own RGBX
    assert pdq.hash_image_file(DATA / name).hash.hex == pdq_from_file(DATA / name)[0]


def test_sixteen_bit_grey_matches_threatexchange() -> None:
    path = DATA / "scene-i16.png"
    assert image_decode.decode(path).source_mode == "I;16"
    result = pdq.hash_image_file(path)
    assert (result.hash.hex, result.hash.quality) == pdq_from_file(path)


def test_rgba_drops_alpha_without_compositing() -> None:
    with Image.open(DATA / "scene-rgba.png") as image:
        colour_only = image.convert("RGB")
    assert pdq.hash_image_file(DATA / "scene-rgba.png").hash.hex == rgb_hash(colour_only)


@pytest.mark.parametrize("name", ["scene-p.png", "scene-cmyk.jpg", "scene.heic"])
def test_palette_cmyk_and_heif_hash_their_rgb_colours(name: str) -> None:
    decoded = image_decode.decode(DATA / name)
    with image_decode.open_image(DATA / name) as image:
        expected = rgb_hash(image)
    assert decoded.pixels.shape[2] == 4
    with image_decode.open_image(DATA / name) as image:
        rgb = np.asarray(image.convert("RGB"))
    assert np.array_equal(decoded.pixels[:, :, :3], rgb)
    assert pdq.hash_image_file(DATA / name).hash.hex == expected


def test_heif_is_decoded_with_pillow_heif() -> None:
    decoded = image_decode.decode(DATA / "scene.heic")
    assert decoded.format == "HEIF"
    assert (decoded.width, decoded.height) == (96, 72)


@pytest.mark.parametrize("name", ["anim.gif", "anim.webp"])
def test_animation_hashes_first_frame(name: str) -> None:
    with Image.open(DATA / name) as image:
        assert getattr(image, "n_frames", 1) == 2
        first = rgb_hash(image)
        image.seek(1)
        second = rgb_hash(image)
    assert first != second
    assert pdq.hash_image_file(DATA / name).hash.hex == first


def test_exif_orientation_is_not_applied() -> None:
    path = DATA / "scene-exif-rotate.jpg"
    with Image.open(path) as image:
        assert image.getexif()[0x0112] == 6
        stored = rgb_hash(image)
        rotated = rgb_hash(image.rotate(-90, expand=True))
    result = pdq.hash_image_file(path)
    assert (result.width, result.height) == (96, 72)
    assert result.hash.hex == stored != rotated
    assert result.hash.hex == pdq_from_file(path)[0]


@pytest.mark.parametrize("name", ["truncated.jpg", "header-only.jpg"])
def test_damaged_jpeg_is_corrupt_input(name: str) -> None:
    with pytest.raises(CorruptInput) as caught:
        pdq.hash_image_file(DATA / name)
    assert caught.value.path == str(DATA / name)


def test_text_file_is_wrong_format() -> None:
    with pytest.raises(WrongFormat) as caught:
        pdq.hash_image_file(DATA / "not-an-image.jpg")
    assert "not an image" in str(caught.value)


def test_file_object_source() -> None:
    data = (DATA / "scene-rgb.jpg").read_bytes()
    from_bytes = pdq.hash_image_file(io.BytesIO(data))
    assert from_bytes.hash == pdq.hash_image_file(DATA / "scene-rgb.jpg").hash


def test_decompression_bomb_is_an_error_not_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 96 * 72 - 1)  # warning zone
    with pytest.raises(CorruptInput, match="decompression bomb"):
        pdq.hash_image_file(DATA / "scene-rgb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 96 * 72 // 3)  # error zone
    with pytest.raises(CorruptInput, match="decompression bomb"):
        pdq.hash_image_file(DATA / "scene-rgb.png")


def test_missing_file_is_not_disguised_as_damage(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        image_decode.decode(tmp_path / "absent.jpg")


def test_fast_mode_uses_the_jpeg_luma_plane_at_half_size(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.open(DATA / "robust-scene-10.jpg").resize((640, 520)).save(path, quality=90)
    decoded = image_decode.decode(path, fast=True)
    assert decoded.fast_path
    assert decoded.scale == 2
    assert decoded.pixels.shape == (260, 320, 1)
    assert (decoded.width, decoded.height) == (640, 520)
    small = image_decode.decode(DATA / "robust-scene-10.jpg", fast=True)
    assert (small.scale, small.fast_path, small.pixels.shape) == (1, True, (240, 320, 1))


def test_fast_mode_on_grey_jpeg_only_when_it_can_shrink(tmp_path: Path) -> None:
    grey = Image.open(DATA / "robust-scene-10.jpg").convert("L")
    grey.save(tmp_path / "small.jpg", quality=90)
    small = image_decode.decode(tmp_path / "small.jpg", fast=True)
    assert (small.scale, small.fast_path) == (1, False)
    grey.resize((640, 520)).save(tmp_path / "big.jpg", quality=90)
    big = image_decode.decode(tmp_path / "big.jpg", fast=True)
    assert (big.scale, big.fast_path, big.pixels.shape) == (2, True, (260, 320, 1))


def test_fast_mode_leaves_other_formats_alone() -> None:
    decoded = image_decode.decode(DATA / "scene-rgb.png", fast=True)
    assert (decoded.scale, decoded.fast_path, decoded.pixels.shape[2]) == (1, False, 4)


def _framed(
    inner: np.ndarray, colour: int, top: int, left: int, bottom: int, right: int
) -> np.ndarray:
    rows, cols, chans = inner.shape
    out = np.full((rows + top + bottom, cols + left + right, chans), colour, dtype=np.uint8)
    out[top : top + rows, left : left + cols] = inner
    return out


def test_trim_uniform_border_finds_the_picture() -> None:
    inner = np.asarray(Image.open(DATA / "scene-rgb.png"))
    framed = _framed(inner, 0, 10, 20, 12, 20)
    assert image_decode.trim_uniform_border(framed) == (10, 20, 82, 116)
    white = _framed(inner, 255, 0, 30, 0, 30)
    assert image_decode.trim_uniform_border(white) == (0, 30, 72, 126)


def test_trim_tolerates_jpeg_noise_in_a_black_border() -> None:
    inner = np.asarray(Image.open(DATA / "scene-rgb.png"))
    framed = _framed(inner, 0, 16, 16, 16, 16)
    framed[:16] = np.random.default_rng(1).integers(0, 12, framed[:16].shape)
    assert image_decode.trim_uniform_border(framed) == (16, 16, 88, 112)


def test_no_border_flat_image_and_stray_lines_are_left_alone() -> None:
    inner = np.asarray(Image.open(DATA / "scene-rgb.png"))
    assert image_decode.trim_uniform_border(np.ascontiguousarray(inner)) is None
    assert image_decode.trim_uniform_border(np.zeros((50, 50, 3), np.uint8)) is None
    assert image_decode.trim_uniform_border(_framed(inner, 0, 1, 0, 0, 0)) is None


def test_rgb_pixels_are_a_view_of_pillows_memory_or_a_copy_when_it_cannot_be() -> None:
    small = Image.radial_gradient("L").convert("RGB").resize((320, 240))
    view = image_decode._rgbx_view(small)
    assert view is not None and view.shape == (240, 320, 4) and not view.flags.writeable
    expected = np.asarray(small).copy()
    del small  # the view keeps Pillow's memory alive through the Arrow capsule
    assert np.array_equal(view[:, :, :3], expected)
    large = Image.new("RGB", (4000, 3000), (10, 20, 30))  # held in several blocks
    assert image_decode._rgbx_view(large) is None
    copied = image_decode._to_array(large)
    assert copied.shape == (3000, 4000, 3) and copied[0, 0].tolist() == [10, 20, 30]
