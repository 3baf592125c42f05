"""EXIF facts an examiner quotes: camera make and model, when, and where (GPS).

Read from the header only; a damaged EXIF block yields what could be read, never an
exception, because EXIF is a clue, not the evidence itself.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL = 0x9003


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip("\x00 ").strip()
    return text or None


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if _text(ref) in ("S", "W"):
        value = -value
    return round(value, 7)


def read_exif(source: str | IO[bytes]) -> dict[str, Any]:
    """``make``, ``model``, ``datetime`` (as written, no zone) and ``gps`` where present."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as img:
            return exif_from_image(img)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, KeyError, TypeError):
        return {}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own bomb check on open (phunt's picture decoder replaces it with its
        # cap on decoded pixels): EXIF is a clue, never a reason to stop a device.
        return {}


def exif_from_image(img: PILImage) -> dict[str, Any]:
    """The EXIF facts of an image Pillow has opened (its header only: nothing is decoded).

    The PDQ decoder calls this on the image it already holds open, so a picture's header
    is parsed once per file rather than once more for its EXIF.
    """
    from PIL import Image

    out: dict[str, Any] = {}
    try:
        if img.format == "PNG":
            # Pillow decodes a whole PNG to look for a trailing eXIf chunk; take only
            # what the header chunks hold instead, so EXIF never costs a full decode.
            raw = img.info.get("exif")
            if not raw:
                return out
            exif = Image.Exif()
            exif.load(raw)
        else:
            exif = img.getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        return out
    for key, tag in (("make", _MAKE), ("model", _MODEL)):
        if (value := _text(exif.get(tag))) is not None:
            out[key] = value
    when = _text(sub.get(_DATETIME_ORIGINAL)) or _text(exif.get(_DATETIME))
    if when is not None:
        out["datetime"] = when
    if gps:
        lat = _degrees(gps.get(2), gps.get(1))
        lon = _degrees(gps.get(4), gps.get(3))
        if lat is not None and lon is not None:
            out["gps"] = {"lat": lat, "lon": lon}
    return out
