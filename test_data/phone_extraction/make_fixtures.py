"""Regenerate the phone-extraction fixtures (run from anywhere: paths are relative to this file).

One invented Android phone's files, laid out as an extraction tool writes them, holding the
three chat sources ingest must find inside any container:

* ``Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db`` with its ``-wal`` (one
  message lives only in the WAL), from ../chats_devices/phone_a; its picture sits where
  WhatsApp keeps media, ``WhatsApp/Media/WhatsApp Images/``;
* ``Download/WhatsApp Chat with Ward 7 Residents/``: a WhatsApp text export with its
  picture, from ../chats/whatsapp/android_group;
* ``Telegram Desktop/ChatExport_2026-01-05/``: a Telegram ``result.json`` with its
  ``photos/`` folder, from ../chats/telegram/single_chat;
* ``DCIM/Camera/IMG_20260101_090000.jpg``: an ordinary camera picture.

Written as ``phone.zip`` and as ``phone.raw``, an ext2 file-system image made with
``mke2fs -d`` (e2fsprogs; no mounting, no root). Names and texts are invented and neutral;
the pictures are plain-colour squares.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
WHATSAPP = "Android/media/com.whatsapp/WhatsApp"
MSGSTORE = f"{WHATSAPP}/Databases/msgstore.db"
PICTURE = f"{WHATSAPP}/Media/WhatsApp Images/IMG-20260110-WA0001.jpg"
TEXT_EXPORT = "Download/WhatsApp Chat with Ward 7 Residents"
TELEGRAM = "Telegram Desktop/ChatExport_2026-01-05"
CAMERA = "DCIM/Camera/IMG_20260101_090000.jpg"
WAL_TEXT = "Reminder: bring your library cards."
#: Fixed times and names, so listings are stable (SQLite salts its WAL at random, so the
#: bytes of a fresh run still differ).
STAMP = (2026, 1, 12, 9, 0, 0)
EPOCH = 1768208400


def _copy_tree(src: Path, dest: Path) -> None:
    for item in sorted(src.rglob("*")):
        if item.is_file():
            target = dest / item.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)


def _msgstore_with_wal(dest: Path) -> None:
    """Phone A's database, plus one message committed to the WAL and never checkpointed."""
    work = Path(tempfile.mkdtemp())
    try:
        db = work / "msgstore.db"
        shutil.copyfile(DATA / "chats_devices/phone_a/msgstore.db", db)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id,"
            " timestamp, message_type, text_data) VALUES (6, 1, 0, 'K6', 3, ?, 0, ?)",
            (1768030200000 + 5 * 60_000, WAL_TEXT),
        )
        conn.commit()
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Copied while the connection is open: closing it would checkpoint the WAL away.
        shutil.copyfile(db, dest)
        shutil.copyfile(work / "msgstore.db-wal", dest.with_name("msgstore.db-wal"))
        conn.close()
    finally:
        shutil.rmtree(work)


def build_tree(root: Path) -> None:
    """The extraction's files under ``root``."""
    _msgstore_with_wal(root / MSGSTORE)
    _copy_tree(DATA / "chats_devices/phone_a/Media", root / WHATSAPP / "Media")
    _copy_tree(DATA / "chats/whatsapp/android_group", root / TEXT_EXPORT)
    _copy_tree(DATA / "chats/telegram/single_chat", root / TELEGRAM)
    camera = root / CAMERA
    camera.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (24, 16), (90, 110, 170)).save(camera, "JPEG", quality=85)


def write_zip(root: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in sorted(root.rglob("*")):
            if item.is_file():
                info = zipfile.ZipInfo(item.relative_to(root).as_posix(), STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, item.read_bytes())


def write_ext2(root: Path, out: Path) -> None:
    """A 2 MiB ext2 image of ``root`` with a fixed UUID, hash seed and times."""
    for item in root.rglob("*"):
        os.utime(item, (EPOCH, EPOCH))
    os.utime(root, (EPOCH, EPOCH))
    out.unlink(missing_ok=True)
    env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(EPOCH))
    uuid, seed = "5f0b6c2e-0000-4000-8000-000000000001", "5f0b6c2e-0000-4000-8000-000000000002"
    options = f"-q -F -t ext2 -b 1024 -N 64 -L phone -U {uuid} -E hash_seed={seed}".split()
    subprocess.run(["mke2fs", *options, "-d", str(root), str(out), "2048"], check=True, env=env)


if __name__ == "__main__":
    tree = Path(tempfile.mkdtemp()) / "phone"
    try:
        build_tree(tree)
        write_zip(tree, HERE / "phone.zip")
        write_ext2(tree, HERE / "phone.raw")
    finally:
        shutil.rmtree(tree.parent)
