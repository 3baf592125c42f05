"""Review thumbnails are small, blurred and grey by default, never the original's bytes,
and a damaged file is a clear error naming it (generated benign pictures and videos)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from phunt.errors import CorruptInput, InputError, WrongFormat
from phunt.hashing.image_decode import PictureTooLarge
from phunt.review.thumbs import SIDE, STRIP_FRAMES, Kind, Spec, Thumbnail, from_locator, render
from phunt.sources.locator import Locator
from test_lib import TEST_DATA

IMAGES = TEST_DATA / "images"
VIDEOS = TEST_DATA / "video"


def _render(path: Path, kind: Kind, spec: Spec) -> Thumbnail:
    with path.open("rb") as f:
        return render(f, kind, spec, name=str(path))


def _pixels(thumb: Thumbnail) -> tuple[str, np.ndarray]:
    with Image.open(io.BytesIO(thumb.data)) as image:
        return image.mode, np.asarray(image.convert("RGB"), dtype=np.float64)


def high_frequency_energy(thumb: Thumbnail, tiles: int = 1) -> float:
    """Mean squared Laplacian of the luminance: what blur takes away. A strip is measured
    frame by frame (``tiles``), so the edges between its frames do not count."""
    _mode, rgb = _pixels(thumb)
    total = 0.0
    for y in np.split(rgb.mean(axis=2), tiles, axis=1):
        lap = -4 * y[1:-1, 1:-1] + y[:-2, 1:-1] + y[2:, 1:-1] + y[1:-1, :-2] + y[1:-1, 2:]
        total += float((lap**2).mean())
    return total / tiles


def _big_scene(tmp_path: Path) -> Path:
    """A generated 1600 x 1200 scene of shapes with sharp edges, as a phone JPEG."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    image = Image.fromarray(base, "RGB").resize((1600, 1200), Image.Resampling.NEAREST)
    path = tmp_path / "IMG_0001.jpg"
    image.save(path, "JPEG", quality=92)
    return path


def test_a_picture_is_downscaled_blurred_and_grey_by_default(tmp_path: Path) -> None:
    path = _big_scene(tmp_path)
    sharp = _render(path, "picture", Spec(blur=0, grey=False))
    thumb = _render(path, "picture", Spec(blur=3))
    mode, rgb = _pixels(thumb)
    assert mode == "L"
    assert (thumb.width, thumb.height) == (SIDE, SIDE * 3 // 4)
    assert thumb.media_type == "image/jpeg" and thumb.frames == 1
    assert np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    assert high_frequency_energy(thumb) < 0.1 * high_frequency_energy(sharp)
    assert _pixels(sharp)[0] == "RGB"
    assert float(np.abs(_pixels(sharp)[1][..., 0] - _pixels(sharp)[1][..., 2]).mean()) > 5


def test_each_blur_level_leaves_less_detail(tmp_path: Path) -> None:
    path = _big_scene(tmp_path)
    energies = [high_frequency_energy(_render(path, "picture", Spec(b))) for b in range(6)]
    assert energies == sorted(energies, reverse=True)
    assert energies[-1] < 0.02 * energies[0]


@pytest.mark.parametrize(
    "name", ["scene-rgb.jpg", "scene-rgb.png", "scene-p.png", "scene.heic", "anim.gif"]
)
@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_never_the_original_bytes(name: str, fmt: str) -> None:
    original = (IMAGES / name).read_bytes()
    for spec in (Spec(0, grey=False, format=fmt), Spec(3, format=fmt)):  # type: ignore[arg-type]
        thumb = _render(IMAGES / name, "picture", spec)
        assert thumb.data != original
        assert original[:64] not in thumb.data and original[-64:] not in thumb.data
        assert thumb.media_type == f"image/{fmt}"


def test_a_video_is_a_strip_of_blurred_grey_frames() -> None:
    original = (VIDEOS / "original.mp4").read_bytes()
    sharp = _render(VIDEOS / "original.mp4", "video", Spec(0, grey=False))
    thumb = _render(VIDEOS / "original.mp4", "video", Spec(3))
    mode, rgb = _pixels(thumb)
    assert mode == "L" and thumb.frames == STRIP_FRAMES
    assert thumb.width == STRIP_FRAMES * max(1, thumb.width // STRIP_FRAMES)
    assert max(thumb.width // STRIP_FRAMES, thumb.height) == SIDE
    frames_energy = high_frequency_energy(thumb, STRIP_FRAMES)
    assert frames_energy < 0.25 * high_frequency_energy(sharp, STRIP_FRAMES)
    assert thumb.data != original and original[:64] not in thumb.data
    frames = np.split(rgb[..., 0], STRIP_FRAMES, axis=1)
    assert any(np.abs(frames[0] - other).mean() > 1 for other in frames[1:])


def test_a_108_megapixel_photo_is_decoded_at_reduced_scale(big_pictures: Path) -> None:
    thumb = _render(big_pictures / "IMG_20260504_101112.jpg", "picture", Spec(3))
    assert max(thumb.width, thumb.height) == SIDE


@pytest.mark.parametrize(
    ("path", "kind", "error"),
    [
        (IMAGES / "truncated.jpg", "picture", CorruptInput),
        (IMAGES / "header-only.jpg", "picture", CorruptInput),
        (IMAGES / "not-an-image.jpg", "picture", WrongFormat),
        (IMAGES / "bomb-30000x30000.png", "picture", PictureTooLarge),
        (VIDEOS / "not-a-video.mp4", "video", CorruptInput),
        (VIDEOS / "empty.mp4", "video", CorruptInput),
        (VIDEOS / "audio-only.m4a", "video", WrongFormat),
    ],
)
def test_damaged_input_is_an_error_naming_the_file(
    path: Path, kind: Kind, error: type[InputError]
) -> None:
    with pytest.raises(error) as caught:
        _render(path, kind, Spec(3))
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)


def test_from_a_locator_inside_an_archive(tmp_path: Path) -> None:
    archive = tmp_path / "phone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(IMAGES / "scene-rgb.jpg", "DCIM/a.jpg")
    thumb = from_locator(Locator(str(archive)).child("zip", "0:DCIM/a.jpg"), "picture", Spec(2))
    assert _pixels(thumb)[0] == "L" and thumb.width > 0


def test_missing_evidence_is_an_error_naming_it(tmp_path: Path) -> None:
    gone = tmp_path / "gone.jpg"
    with pytest.raises(InputError, match="cannot be read") as caught:
        from_locator(Locator(str(gone)), "picture", Spec(3))
    assert caught.value.path == str(gone)


def test_a_spec_refuses_levels_out_of_range() -> None:
    with pytest.raises(ValueError, match="blur level 9"):
        Spec(9)
    with pytest.raises(ValueError, match="side"):
        Spec(1, side=4096)
