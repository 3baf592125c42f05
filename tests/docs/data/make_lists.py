"""Regenerate the guide's two example hash lists from the fixtures they declare known.

* ``known.json``: a VICS 2.0 list that declares two benign plain-colour pictures of
  test_data/phone_extraction/phone.zip "known" (the camera picture as category 1, the
  WhatsApp picture as category 2), by MD5 and SHA-1;
* ``known-pdq.txt``: a plain PDQ list holding test_data/images/scene-rgb.png, so that its
  JPEG copy (scene-rgb.jpg) is found as a near match.

Run ``python tests/docs/data/make_lists.py`` from the repository's root.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from phunt.hashing.pdq import hash_image_file

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "test_data"
KNOWN = {
    "DCIM/Camera/IMG_20260101_090000.jpg": 1,
    "Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20260110-WA0001.jpg": 2,
}


def vics() -> str:
    """The VICS list: one Media record per known picture."""
    media = []
    with zipfile.ZipFile(DATA / "phone_extraction" / "phone.zip") as phone:
        for number, (name, category) in enumerate(KNOWN.items(), 1):
            data = phone.read(name)
            media.append(
                {
                    "MediaID": number,
                    "Category": category,
                    "MD5": hashlib.md5(data).hexdigest().upper(),
                    "SHA1": hashlib.sha1(data).hexdigest().upper(),
                    "MediaSize": len(data),
                }
            )
    odata = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata"
    return json.dumps({"@odata.context": f"{odata}#Media", "value": media}, indent=1) + "\n"


def pdq_list() -> str:
    """The plain PDQ list: one picture's hash."""
    result = hash_image_file(DATA / "images" / "scene-rgb.png", dihedral=False)
    return f"# kind: pdq\n{result.hash.hex}\n"


if __name__ == "__main__":
    (HERE / "known.json").write_text(vics(), encoding="utf-8")
    (HERE / "known-pdq.txt").write_text(pdq_list(), encoding="utf-8")
