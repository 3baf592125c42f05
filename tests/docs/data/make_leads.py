"""Regenerate the leads page's example files: a tipline sheet and the phone it leads to.

* ``leads/phone/``: an invented phone extraction (generated pictures, a shopping list);
* ``leads/tips.csv``: two invented reports naming the same account (written differently,
  so they are linked), which together list five files: one of the phone's pictures by MD5,
  one by SHA-1, one by the PDQ hash of the picture before it was re-saved smaller at
  another JPEG quality (so only PDQ finds the phone's copy), and two on no device;
* ``leads/tips-mapping.json``: which column holds which field, times in Asia/Kolkata.

Run ``python tests/docs/data/make_leads.py`` from the repository's root.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

from PIL import Image

from phunt.demo import make_device_folder
from phunt.hashing.pdq import hash_image_file

HERE = Path(__file__).resolve().parent / "leads"
COLUMNS = ["Report", "Reported at", "Platform", "Account", "Mobile", "File", "MD5", "SHA1", "PDQ"]
MAPPING = {
    "columns": {
        "report_id": "Report",
        "incident_time": "Reported at",
        "platform": "Platform",
        "account": "Account",
        "phone": "Mobile",
        "file_name": "File",
        "md5": "MD5",
        "sha1": "SHA1",
        "pdq": "PDQ",
    },
    "zone": "Asia/Kolkata",
    "time_format": "",
}


def digest(data: bytes, name: str) -> str:
    return hashlib.new(name, data).hexdigest()


def resave(path: Path) -> None:
    """The picture re-saved smaller at another JPEG quality: new bytes, the same picture."""
    with Image.open(path) as img:
        smaller = img.resize((img.width * 4 // 5, img.height * 4 // 5))
    smaller.save(path, "JPEG", quality=55)


def main() -> None:
    shutil.rmtree(HERE / "phone", ignore_errors=True)
    pics = make_device_folder(HERE / "phone", seed=21, pictures=3)
    first = {
        "Report": "TL-3001",
        "Reported at": "2026-11-02T19:35:00",
        "Platform": "ExampleChat",
        "Account": "@Sea_Breeze_7",
        "Mobile": "+91 98000 20001",
    }
    second = {"Report": "TL-3002", "Reported at": "2026-11-05T08:10:00", "Account": "sea_breeze_7"}
    blank = dict.fromkeys(COLUMNS, "")
    rows = [
        blank | first | {"File": "a.jpg", "MD5": digest(pics[0].read_bytes(), "md5")},
        blank | first | {"File": "b.jpg", "SHA1": digest(pics[1].read_bytes(), "sha1")},
        blank | first | {"File": "c.jpg", "PDQ": hash_image_file(str(pics[2])).hash.hex},
        blank | first | {"File": "d.jpg", "MD5": digest(b"on no device 1", "md5")},
        blank | second | {"File": "e.jpg", "SHA1": digest(b"on no device 2", "sha1")},
    ]
    resave(pics[2])
    with (HERE / "tips.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (HERE / "tips-mapping.json").write_text(json.dumps(MAPPING, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
