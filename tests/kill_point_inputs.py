"""Small generated inputs for the kill-point test (tests/test_kill_points.py).

Big enough that each command spends most of its time working rather than starting up
(workers, a zip within a zip so scratch copies are made, pictures so PDQ runs, a chat
export with media inside the evidence so ingest imports it), small enough that sixty
killed runs and their resumes fit in a few minutes. Every picture is a generated
gradient; every name and message is invented and neutral.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from test_lib import TEST_DATA

NAMES = ("Asha Menon", "Ravi Kumar", "Meera Nair", "Joseph Thomas", "Lakshmi Pillai")
WORDS = ("meeting", "water", "supply", "street", "lights", "budget", "market", "Sunday")
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def picture(seed: int, size: int = 48) -> bytes:
    """A JPEG gradient, different for every seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size))
    a, b, c = (rng.randrange(256) for _ in range(3))
    image.putdata(
        [
            ((a + 3 * x) % 256, (b + 5 * y) % 256, (c + x * y) % 256)
            for y in range(size)
            for x in range(size)
        ]
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 5, 10, 0, 0)), data)
    return out.getvalue()


def _sentence(rng: random.Random, i: int) -> str:
    return f"note {i}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))


def whatsapp_export(folder: Path, messages: int, seed: int = 7) -> Path:
    """An Android WhatsApp text export of one group with ``messages`` messages, one in
    fifty a picture stored beside it (the media of a "with media" export)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        '05/01/2026, 10:00 - Asha Menon created group "Ward 9 Garden Club"',
        "05/01/2026, 10:00 - Asha Menon added Ravi Kumar and Meera Nair",
    ]
    for i in range(messages):
        at = (START + timedelta(minutes=i)).strftime("%d/%m/%Y, %H:%M")
        who = rng.choice(NAMES[:3])
        if i % 50 == 0:
            name = f"IMG-20260105-WA{i // 50 + 1:04d}.jpg"
            (folder / name).write_bytes(picture(seed * 1000 + i))
            lines.append(f"{at} - {who}: \u200e{name} (file attached)")
        else:
            lines.append(f"{at} - {who}: {_sentence(rng, i)}")
    main = folder / "WhatsApp Chat with Ward 9 Garden Club.txt"
    main.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return main


def telegram_export(folder: Path, messages: int, seed: int = 11) -> Path:
    """A Telegram Desktop JSON export of one group with ``messages`` messages, one in
    fifty a photo under ``photos/``."""
    rng = random.Random(seed)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    base = int(START.timestamp())
    out: list[dict[str, object]] = [
        {
            "id": 1,
            "type": "service",
            "date": "2026-01-05T10:00:00",
            "date_unixtime": str(base),
            "actor": NAMES[0],
            "actor_id": "user1001",
            "action": "create_group",
            "title": "Ward 9 Garden Club",
            "members": list(NAMES[1:3]),
            "text": "",
            "text_entities": [],
        }
    ]
    for i in range(messages):
        at = START + timedelta(minutes=i + 1)
        who = rng.randrange(3)
        text = _sentence(rng, i)
        message: dict[str, object] = {
            "id": i + 2,
            "type": "message",
            "date": at.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(base + 60 * (i + 1)),
            "from": NAMES[who],
            "from_id": f"user{1001 + who}",
            "text": text,
            "text_entities": [{"type": "plain", "text": text}],
        }
        if i % 50 == 0:
            name = f"photos/photo_{i // 50 + 1}@{at.strftime('%d-%m-%Y_%H-%M-%S')}.jpg"
            data = picture(seed * 1000 + i)
            (folder / name).write_bytes(data)
            message |= {"photo": name, "photo_file_size": len(data), "width": 48, "height": 48}
        out.append(message)
    doc = {"name": "Ward 9 Garden Club", "type": "private_group", "id": 4000000009}
    doc["messages"] = out
    main = folder / "result.json"
    main.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return main


def evidence_folder(folder: Path, files: int = 300, seed: int = 3) -> Path:
    """A seized-phone folder: ``files`` small text files, generated pictures, the sample
    scenes of test_data/images, a zip holding an inner zip (nested containers are copied
    to scratch) and a small WhatsApp export with its media."""
    rng = random.Random(seed)
    for i in range(files):
        path = folder / "Documents" / f"d{i % 7}" / f"note-{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_sentence(rng, i) * rng.randint(1, 40) + "\n", encoding="utf-8")
    camera = folder / "DCIM" / "Camera"
    camera.mkdir(parents=True)
    for i in range(24):
        (camera / f"IMG_2026010{i % 9}_{i:04d}.jpg").write_bytes(picture(seed * 100 + i, 64))
    for name in ("scene-rgb.jpg", "scene-rgb.png", "robust-scene-10.jpg", "robust-scene-11.jpg"):
        shutil.copy(TEST_DATA / "images" / name, camera / name)
    inner = _zip(
        {f"inner/photo-{i}.jpg": picture(seed * 200 + i, 40) for i in range(6)}
        | {f"inner/text-{i}.txt": f"inner text {i}\n".encode() for i in range(20)}
    )
    outer = {f"outer/list-{i}.txt": f"outer text {i}\n".encode() for i in range(20)}
    outer |= {"outer/inner.zip": inner, "outer/cover.jpg": picture(seed * 300, 40)}
    (folder / "Download").mkdir()
    (folder / "Download" / "backup.zip").write_bytes(_zip(outer))
    whatsapp_export(folder / "WhatsApp" / "Export", 300, seed=seed + 40)
    return folder


def hash_list(path: Path, evidence: Path, entries: int = 3000, seed: int = 5) -> Path:
    """A plain hash list: ``entries`` invented digests plus the MD5 of every fourth
    picture under ``evidence`` (benign pictures the list declares known)."""
    rng = random.Random(seed)
    lines = ["# synthetic list for the kill-point test"]
    for path_ in sorted(evidence.rglob("*.jpg"))[::4]:
        lines.append(hashlib.md5(path_.read_bytes()).hexdigest())
    for i in range(entries):
        if i % 2:
            lines.append(f"{rng.getrandbits(256):064x}")
        else:
            lines.append(f"{rng.getrandbits(128):032x}")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path
