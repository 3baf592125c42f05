"""Decoding for PDQ: every pixel mode, animations, HEIF, EXIF left alone, damage reported."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

from phunt.errors import CorruptInput, WrongFormat
from phunt.hashing import image_decode, pdq

DATA = Path(__file__).resolve().parents[2] / "test_data" / "images"


def rgb_hash(image: Image.Image) -> str:
    """The expected hash from Meta's C++ PDQ (pdqhash) on Pillow's RGB, not from phunt."""
    bits, _quality = pdqhash.compute(np.ascontiguousarray(image.convert("RGB")))
    return format(int("".join(str(int(b)) for b in bits), 2), "064x")


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
    monkeypatch.setattr(image_decode, "MAX_DECODE_PIXELS", 96 * 72 - 1)
    with pytest.raises(image_decode.PictureTooLarge, match="decompression bomb") as caught:
        pdq.hash_image_file(DATA / "scene-rgb.png")
    assert isinstance(caught.value, CorruptInput)
    assert "96 x 72" in caught.value.message
    monkeypatch.setattr(image_decode, "MAX_DECODE_PIXELS", 96 * 72 // 3)
    with pytest.raises(CorruptInput, match="decompression bomb"):
        pdq.hash_image_file(DATA / "scene-rgb.png")


def test_pillow_check_does_not_refuse_what_phunt_can_decode() -> None:
    image_decode.decode(DATA / "scene-rgb.png")  # initialises the decoder
    assert Image.MAX_IMAGE_PIXELS is None


def test_bomb_header_is_refused_before_decoding_with_its_exif_read() -> None:
    path = DATA / "bomb-30000x30000.png"
    assert path.stat().st_size < 100
    with pytest.raises(image_decode.PictureTooLarge) as caught:
        image_decode.decode(path, exif=True)
    assert "30000 x 30000 (900.0 MP)" in caught.value.message
    assert caught.value.path == str(path)


@pytest.mark.parametrize("fast", [False, True])
def test_jpeg_over_the_cap_is_decoded_at_reduced_scale(
    monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    path = DATA / "robust-scene-10.jpg"
    full = pdq.hash_image_file(path)
    with Image.open(path) as img:
        width, height = img.size
    monkeypatch.setattr(image_decode, "MAX_DECODE_PIXELS", width * height // 3)
    decoded = image_decode.decode(path, fast=fast)
    assert decoded.scale == 2
    assert decoded.fast_path
    assert decoded.pixels.shape[:2] == (-(-height // 2), -(-width // 2))
    assert (decoded.width, decoded.height) == (width, height)
    reduced = pdq.hash_image_file(path, mode="fast" if fast else "default")
    assert reduced.hash.mode == "fast"
    assert pdq.is_match(pdq.hamming(reduced.hash, full.hash))


def test_cmyk_jpeg_over_the_cap_is_decoded_at_reduced_scale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = DATA / "scene-cmyk.jpg"
    with Image.open(path) as img:
        width, height = img.size
    monkeypatch.setattr(image_decode, "MAX_DECODE_PIXELS", width * height // 10)
    decoded = image_decode.decode(path)
    assert decoded.scale == 4
    assert decoded.pixels.shape[:2] == (-(-height // 4), -(-width // 4))


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


def _pillow_pixels(data: bytes, fast: bool) -> npt.NDArray[np.uint8]:
    """What Pillow alone decodes: the reference for the simplejpeg path."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        scale = image_decode._draft_scale(width, height) if fast else 1
        if fast and (image.mode == "RGB" or scale > 1):
            image.draft("L", (width // scale, height // scale))
        image.load()
        pixels = np.asarray(image)
    return pixels if pixels.ndim == 3 else pixels[:, :, None]


def _jpeg_variants() -> list[tuple[str, bytes]]:
    photo = Image.open(DATA / "robust-scene-11.jpg").convert("RGB")
    out = []
    for width, height in [(640, 520), (513, 1031), (301, 199), (7, 13), (1, 1)]:
        picture = photo.resize((width, height))
        for sub in (0, 1, 2):
            for progressive in (False, True):
                buffer = io.BytesIO()
                picture.save(
                    buffer,
                    "JPEG",
                    quality=85,
                    subsampling=sub,
                    progressive=progressive,
                    restart_marker_blocks=4 if sub == 2 else 0,
                )
                out.append((f"{width}x{height}-sub{sub}-prog{progressive}", buffer.getvalue()))
        buffer = io.BytesIO()
        picture.convert("L").save(buffer, "JPEG", quality=85)
        out.append((f"{width}x{height}-grey", buffer.getvalue()))
    return out


@pytest.mark.parametrize("fast", [False, True], ids=["default", "fast"])
def test_jpeg_pixels_from_simplejpeg_are_pillows_bit_for_bit(fast: bool) -> None:
    for name, data in _jpeg_variants():
        decoded = image_decode.decode(io.BytesIO(data), fast=fast)
        expected = _pillow_pixels(data, fast)
        channels = expected.shape[2]
        assert decoded.pixels.shape[:2] == expected.shape[:2], name
        assert np.array_equal(decoded.pixels[:, :, :channels], expected), name


def test_simplejpeg_decodes_sound_jpegs_and_declines_the_rest(tmp_path: Path) -> None:
    """The fast path is really taken (the test above would pass on Pillow alone)."""
    with Image.open(DATA / "scene-rgb.jpg") as image:
        pixels = image_decode._turbo_jpeg(image, grey=False, scale=1)
        assert pixels is not None and pixels.shape == (72, 96, 4)
    with Image.open(DATA / "truncated.jpg") as image:
        assert image_decode._turbo_jpeg(image, grey=False, scale=1) is None
    cmyk = image_decode.decode(DATA / "scene-cmyk.jpg")  # Pillow's path: not RGB or grey
    assert (cmyk.source_mode, cmyk.pixels.shape) == ("CMYK", (72, 96, 4))


def test_jpeg_libjpeg_warns_about_gets_pillows_pixels() -> None:
    """A scan cut short then closed: libjpeg fills the rest with a warning. simplejpeg
    refuses the file and Pillow decodes it, as it always did, so the hash is unchanged."""
    data = (DATA / "robust-scene-11.jpg").read_bytes()
    cut = data[: data.index(b"\xff\xda") + 2000] + b"\xff\xd9"
    with Image.open(io.BytesIO(cut)) as image:
        assert image_decode._turbo_jpeg(image, grey=False, scale=1) is None
    decoded = image_decode.decode(io.BytesIO(cut))
    assert np.array_equal(decoded.pixels[:, :, :3], _pillow_pixels(cut, False))


def test_jpeg_with_garbled_scan_data_decodes_as_pillow_does() -> None:
    """Garbage Huffman codes that libjpeg decodes without a warning: same pixels either way."""
    data = bytearray((DATA / "robust-scene-11.jpg").read_bytes())
    start = data.index(b"\xff\xda") + 200  # inside the first scan
    data[start : start + 40] = bytes(range(40))
    decoded = image_decode.decode(io.BytesIO(bytes(data)))
    assert np.array_equal(decoded.pixels[:, :, :3], _pillow_pixels(bytes(data), False))


def _reference_border_box(pixels: npt.NDArray[np.uint8], tol: int) -> tuple[int, int, int, int]:
    """The border scan written plainly with numpy, to check the compiled one against."""
    rows, cols, chans = pixels.shape
    colour = pixels[:, :, : min(chans, 3)].astype(np.int16)
    first, last = colour[0, 0], colour[rows - 1, cols - 1]

    def uniform(block: npt.NDArray[np.int16], ref: npt.NDArray[np.int16]) -> bool:
        return bool(np.abs(block - ref).max() <= tol)

    top = 0
    while top < rows and uniform(colour[top], first):
        top += 1
    if top == rows:
        return rows, 0, rows, cols
    bottom = rows
    while bottom > top and uniform(colour[bottom - 1], last):
        bottom -= 1
    left = 0
    while left < cols and uniform(colour[top:bottom, left], first):
        left += 1
    right = cols
    while right > left and uniform(colour[top:bottom, right - 1], last):
        right -= 1
    return top, left, bottom, right


@pytest.mark.parametrize("seed", range(40))
def test_border_scan_equals_the_plain_numpy_scan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    chans = int(rng.choice([1, 3, 4]))
    rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    inner = rng.integers(0, 256, (rows, cols, chans), dtype=np.uint8)
    sides = [int(x) for x in rng.integers(0, 6, 4)]
    framed = _framed(inner, int(rng.integers(0, 256)), *sides)
    framed = np.clip(framed + rng.integers(-9, 10, framed.shape), 0, 255).astype(np.uint8)
    tol = int(rng.integers(0, 30))
    assert image_decode._border_box(framed, tol) == _reference_border_box(framed, tol)
