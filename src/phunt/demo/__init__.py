"""``make demo``: a synthetic operation run end to end on the embedded default.

Everything is invented and benign: generated pictures and text files stand in for
seized devices, and a generated hash list declares some of the pictures "known". The
demo records an operation with raids, cases, suspects, arrests and devices, imports the
list as a governed hash set, ingests every device with local worker processes (one
device's pictures sit inside a zip, another's are re-saved copies found by PDQ), and
prints the matches, the figures by district and the audit verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from phunt.audit.store import verify
from phunt.cases.case_files import add_suspect, arrest_suspect, open_case
from phunt.cases.devices import add_device, log_custody
from phunt.cases.operations import add_raid, create_operation
from phunt.cases.stats import operation_stats, totals
from phunt.errors import PhuntError, UsageError
from phunt.hashsets.store import import_hash_list
from phunt.ingest.job import ingest
from phunt.ingest.pipeline import default_workers
from phunt.ingest.store import list_matches
from phunt.schema.db import Database

RAIDS = [
    ("Ernakulam", "Kakkanad, flat 4B"),
    ("Thiruvananthapuram", "Pattom, house 12"),
    ("Kozhikode", "Mavoor Road, shop 3"),
    ("Thrissur", "Round North, lodge room 7"),
    ("Malappuram", "Tirur, house 40"),
]
NAMES = ["Arun Example", "Bindu Sample", "Chandran Test", "Deepa Demo", "Eldho Mock"]
KINDS = ["mobile phone", "memory card", "laptop", "hard disk", "modem"]


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


def _pdq(path: Path) -> str:
    from phunt.hashing.pdq import hash_image_file

    return hash_image_file(str(path)).hash.hex


def _disguise(zipped: Path, resaved: Path) -> None:
    """Move one device's pictures into a zip, and re-save another's as smaller JPEGs."""
    from PIL import Image

    pictures = sorted((zipped / "DCIM" / "Camera").glob("*.jpg"))
    with zipfile.ZipFile(zipped / "backup.zip", "w") as zf:
        for p in pictures:
            zf.write(p, f"DCIM/{p.name}")
            p.unlink()
    for p in sorted(resaved.rglob("*.jpg")):
        with Image.open(p) as img:
            smaller = img.resize((img.width * 3 // 4, img.height * 3 // 4))
        smaller.save(p, "JPEG", quality=60)


#: The file that marks a folder as the demo's own, so that a rerun may remove it (and
#: never a real data folder given by mistake as --home).
DEMO_MARK = ".phunt-demo"


def run(home: Path, console: Console) -> int:
    """Run the demo in ``home`` (recreated) and return the number of matched files."""
    home = home.resolve()  # ingest records absolute source paths
    if home.exists():
        if any(home.iterdir()) and not (home / DEMO_MARK).is_file():
            raise UsageError(
                f"{home} holds something other than a demo: the demo recreates its folder, "
                "so give it a new or empty one (--home)"
            )
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / DEMO_MARK).write_text("made by python -m phunt.demo; removed by its next run\n")
    db = Database(f"sqlite:///{home / 'phunt.db'}")
    evidence = home / "evidence"
    t0 = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
    known: list[Path] = []
    devices: list[tuple[str, Path]] = []
    with db.session() as s:
        create_operation(s, "P-Hunt (demo)", "synthetic data only")
        for i, (district, location) in enumerate(RAIDS):
            at = t0 + timedelta(minutes=20 * i)
            raid = add_raid(s, "P-Hunt (demo)", district, location, at, f"SI Officer {i + 1}")
            case = open_case(
                s,
                f"CR {100 + i}/2026",
                f"Cyber PS {district}",
                district,
                ["IT Act s.67B", "POCSO s.15"],
                operation="P-Hunt (demo)",
                raid_id=raid.id,
            )
            suspect = add_suspect(s, case.id, NAMES[i], phones=[f"+91 98470 {10000 + i}"])
            if i % 2 == 0:
                arrest_suspect(s, suspect.id, at + timedelta(hours=2))
            number = f"EV-{100 + i}/1"
            add_device(s, number, KINDS[i], case_id=case.id, raid_id=raid.id, suspect_id=suspect.id)
            log_custody(s, number, "seized", f"SI Officer {i + 1}", at)
            folder = evidence / number.replace("/", "_")
            pictures = make_device_folder(folder, seed=i)
            if i in (0, 2, 3):  # these devices hold pictures the list declares known
                known.extend(pictures[: 1 + i % 2])
            devices.append((number, folder))
    hash_list = home / "known-demo.txt"
    lines = ["# synthetic list: generated pictures declared known for the demo"]
    lines += [hashlib.sha256(p.read_bytes()).hexdigest() for p in known]
    lines += ["# kind: pdq", *(_pdq(p) for p in known)]
    hash_list.write_text("\n".join(lines) + "\n")
    _disguise(devices[2][1], devices[3][1])
    with db.session() as s:
        import_hash_list(s, str(hash_list), name="demo-known", source_agency="demo unit")

    table = Table(title="Ingest of seized devices against hash set demo-known")
    for col in ("device", "files", "matched", "how", "first match"):
        table.add_column(col)
    matched_total = 0
    for number, folder in devices:
        summary = ingest(db, str(folder), number, workers=default_workers())
        matched_total += summary.matched_files
        with db.session() as s:
            found = [m for m in list_matches(s, number) if m["job"] == summary.job]
        how = ", ".join(sorted({f"{m['kind']} d={m['distance']}" for m in found}))
        first = Path(found[0]["path"]).relative_to(folder).as_posix() if found else ""
        table.add_row(number, str(summary.files), str(summary.matched_files), how, first)
    console.print(table)

    with db.session() as s:
        rows = [r for r in operation_stats(s, "P-Hunt (demo)") if r.raids]
        verdict = verify(s)
    figures = Table(title="P-Hunt (demo): figures by district")
    for col in ("district", "raids", "cases", "arrests", "devices"):
        figures.add_column(col)
    for r in [*rows, totals(rows)]:
        figures.add_row(r.district, str(r.raids), str(r.cases), str(r.arrests), str(r.devices))
    console.print(figures)
    state = "intact" if verdict.ok else f"BROKEN at record {verdict.first_bad}"
    console.print(f"Audit log: {state}, {verdict.records} records. Data in {home}")
    db.close()
    return matched_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", default="phunt-data/demo", help="Folder for the demo's data.")
    args = parser.parse_args()
    try:
        run(Path(args.home), Console())
    except PhuntError as exc:
        sys.stderr.write(f"phunt.demo: error: {exc}\n")
        sys.exit(2)
