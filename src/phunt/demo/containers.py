"""The forms a lab receives a device in: a folder, a zip, a 7z, a raw FAT disk image, an E01.

Each writer takes the device's files as ``{"DCIM/Camera/IMG_0001.jpg": bytes}`` (paths
relative to the device root, ``/``-separated) and writes them with fixed times, so the
same files give the same bytes (except the E01, whose acquisition date ewfacquire sets).
The FAT image is written here, in pure Python: FAT16 with long names, where ``deleted``
files are written and then deleted as an operating system does (name's first byte 0xE5,
clusters freed in the FAT, data left in place, contiguous), so The Sleuth Kit recovers
them; the E01 is that image acquired with Debian's ``ewfacquire`` (package ewf-tools).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from phunt.errors import UsageError

#: The time every written file carries: 12 January 2026, 09:00 (local time in FAT).
STAMP = (2026, 1, 12, 9, 0, 0)
_EPOCH = 1768208400  # STAMP as a POSIX time (UTC)
_SECTOR = 512
_MIN_CLUSTERS = 4096  # FAT16 needs 4085 to 65524 clusters
_MAX_CLUSTERS = 65524
_ROOT_ENTRIES = 512
_DIR, _ARCHIVE, _LFN = 0x10, 0x20, 0x0F
_FREED = 0xE5
_LABEL = b"PHUNT DEMO "
_VOLUME_ID = 0x20260112


def _parts(name: str) -> tuple[str, ...]:
    """The components of a relative path; anything that could leave the root is refused."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise UsageError(f"{name!r}: a device file needs a relative path without '..'")
    return parts


def write_folder(dest: Path, files: dict[str, bytes]) -> None:
    """The files under ``dest`` (created), each with the fixed modification time."""
    for name, data in files.items():
        target = dest.joinpath(*_parts(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.utime(target, (_EPOCH, _EPOCH))


def write_zip(dest: Path, files: dict[str, bytes]) -> None:
    """A deflated zip of the files, in the given order, with the fixed time."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo("/".join(_parts(name)), STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def write_7z(dest: Path, files: dict[str, bytes]) -> None:
    """A 7z of the files (py7zr), written from a scratch folder with the fixed times:
    py7zr stamps members given as bytes with the current time."""
    import py7zr

    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="phunt-demo-7z-") as scratch:
        root = Path(scratch)
        write_folder(root, files)
        with py7zr.SevenZipFile(dest, "w") as archive:
            for name in files:
                archive.write(root.joinpath(*_parts(name)), "/".join(_parts(name)))


# ---------------------------------------------------------------- FAT16


@dataclass
class _Node:
    """A file or folder of the image, with the clusters it was given."""

    name: str
    data: bytes = b""
    deleted: bool = False
    folder: bool = False
    children: dict[str, _Node] = field(default_factory=dict)
    cluster: int = 0
    short: bytes = b""


def _tree(files: dict[str, bytes], deleted: dict[str, bytes]) -> _Node:
    root = _Node("", folder=True)
    for gone, listing in ((False, files), (True, deleted)):
        for name, data in listing.items():
            *folders, leaf = _parts(name)
            here = root
            for part in folders:
                here = here.children.setdefault(part, _Node(part, folder=True))
                if not here.folder:
                    raise UsageError(f"{name!r}: {part!r} is a file, not a folder")
            if leaf in here.children:
                raise UsageError(f"{name!r} is given twice (live or deleted)")
            here.children[leaf] = _Node(leaf, data, gone)
    return root


def _short_names(folder: _Node) -> None:
    """8.3 names (``BASIS~N.EXT``) unique in the folder; the long name is the real one."""
    for number, child in enumerate(folder.children.values(), 1):
        stem, _, ext = child.name.rpartition(".") if "." in child.name else (child.name, "", "")
        clean = "".join(c for c in stem.upper() if c.isascii() and c.isalnum()) or "FILE"
        tail = f"~{number}"
        basis = clean[: 8 - len(tail)] + tail
        suffix = "".join(c for c in ext.upper() if c.isascii() and c.isalnum())[:3]
        child.short = basis.ljust(8).encode("ascii") + suffix.ljust(3).encode("ascii")
        if child.folder:
            _short_names(child)


def _slots(name: str) -> int:
    """Directory entries a name takes: its long-name pieces and its 8.3 entry."""
    units = len(name.encode("utf-16-le")) // 2
    if units > 255:
        raise UsageError(f"{name[:40]!r}...: a FAT name has at most 255 characters")
    return -(-units // 13) + 1


def _folder_bytes(folder: _Node, is_root: bool) -> int:
    count = sum(_slots(c.name) for c in folder.children.values()) + (0 if is_root else 2)
    return count * 32


def _clusters(size: int, cluster_size: int) -> int:
    return -(-size // cluster_size)


def _fat_time() -> tuple[int, int]:
    year, month, day, hour, minute, second = STAMP
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _short_entry(short: bytes, attr: int, cluster: int, size: int) -> bytes:
    time, date = _fat_time()
    return struct.pack(
        "<11sBBBHHHHHHHI", short, attr, 0, 0, time, date, date, 0, time, date, cluster, size
    )


def _checksum(short: bytes) -> int:
    total = 0
    for byte in short:
        total = (((total & 1) << 7) + (total >> 1) + byte) & 0xFF
    return total


def _lfn_entries(name: str, short: bytes) -> list[bytes]:
    """The long-name entries that precede the 8.3 entry, last piece first."""
    units = name.encode("utf-16-le")
    pieces = -(-len(units) // 26)
    padded = units + (b"\x00\x00" + b"\xff" * 26 if len(units) % 26 else b"")
    out = []
    for index in range(pieces):
        chunk = padded[index * 26 : index * 26 + 26]
        sequence = (index + 1) | (0x40 if index == pieces - 1 else 0)
        entry = struct.pack(
            "<B10sBBB12sH4s",
            sequence,
            chunk[:10],
            _LFN,
            0,
            _checksum(short),
            chunk[10:22],
            0,
            chunk[22:26],
        )
        out.append(entry)
    return out[::-1]


def _entries(folder: _Node) -> bytes:
    """The folder's directory entries; a deleted one has 0xE5 as its first byte, in its
    long-name entries too, as Windows and Linux leave it."""
    out = bytearray()
    for child in folder.children.values():
        attr = _DIR if child.folder else _ARCHIVE
        size = 0 if child.folder else len(child.data)
        group = [*_lfn_entries(child.name, child.short)]
        group.append(_short_entry(child.short, attr, child.cluster, size))
        for entry in group:
            out += bytes([_FREED]) + entry[1:] if child.deleted else entry
    return bytes(out)


@dataclass
class _Layout:
    """Where everything sits: cluster size, the FAT, and each cluster's content."""

    cluster_size: int
    total_clusters: int
    fat: list[int]
    data: dict[int, bytes]


def _walk(folder: _Node) -> list[_Node]:
    """Every folder and file below ``folder``, folders first at each level."""
    found: list[_Node] = []
    for child in folder.children.values():
        found.append(child)
    for child in folder.children.values():
        if child.folder:
            found.extend(_walk(child))
    return found


def _layout(root: _Node) -> _Layout:
    nodes = _walk(root)
    sizes = [_folder_bytes(n, False) if n.folder else len(n.data) for n in nodes]
    for cluster_size in (512 << shift for shift in range(7)):
        needed = sum(_clusters(size, cluster_size) for size in sizes)
        total = max(_MIN_CLUSTERS, needed + needed // 8 + 16)
        if total <= _MAX_CLUSTERS:
            break
    else:
        raise UsageError(f"{sum(sizes)} bytes of files do not fit a demo FAT16 image")
    fat = [0] * (total + 2)
    fat[0], fat[1] = 0xFFF8, 0xFFFF
    data: dict[int, bytes] = {}
    free = 2
    for node, size in zip(nodes, sizes, strict=True):
        count = _clusters(size, cluster_size)
        if count == 0:
            continue
        node.cluster = free
        if not node.deleted:  # a deleted file's clusters are free again in the FAT
            for cluster in range(free, free + count - 1):
                fat[cluster] = cluster + 1
            fat[free + count - 1] = 0xFFFF
        free += count
    for node in nodes:
        if node.folder:
            data[node.cluster] = _dot_entries(node, root, nodes) + _entries(node)
        elif node.data:
            data[node.cluster] = node.data
    return _Layout(cluster_size, total, fat, data)


def _dot_entries(folder: _Node, root: _Node, nodes: list[_Node]) -> bytes:
    parent = next((n for n in nodes if folder in n.children.values()), root)
    up = 0 if parent is root else parent.cluster
    return _short_entry(b".".ljust(11), _DIR, folder.cluster, 0) + _short_entry(
        b"..".ljust(11), _DIR, up, 0
    )


def fat_image(files: dict[str, bytes], deleted: dict[str, bytes]) -> bytes:
    """A FAT16 file-system image (no partition table) holding ``files`` and the
    recoverable remains of ``deleted``."""
    root = _tree(files, deleted)
    _short_names(root)
    layout = _layout(root)
    root_bytes = _entries(root)
    root_entries = max(_ROOT_ENTRIES, _clusters(len(root_bytes), 512) * 16)
    root_sectors = root_entries * 32 // _SECTOR
    fat_sectors = _clusters((layout.total_clusters + 2) * 2, _SECTOR)
    per_cluster = layout.cluster_size // _SECTOR
    total_sectors = 1 + 2 * fat_sectors + root_sectors + layout.total_clusters * per_cluster
    boot = struct.pack(
        "<3s8sHBHBHHBHHHII",
        b"\xeb\x3c\x90",
        b"MSWIN4.1",
        _SECTOR,
        per_cluster,
        1,  # reserved sectors: the boot sector
        2,  # FATs
        root_entries,
        total_sectors if total_sectors < 0x10000 else 0,
        0xF8,
        fat_sectors,
        63,
        255,
        0,
        total_sectors if total_sectors >= 0x10000 else 0,
    )
    boot += struct.pack("<BBBI11s8s", 0x80, 0, 0x29, _VOLUME_ID, _LABEL, b"FAT16   ")
    image = bytearray(total_sectors * _SECTOR)
    image[: len(boot)] = boot
    image[510:512] = b"\x55\xaa"
    fat = struct.pack(f"<{len(layout.fat)}H", *layout.fat)
    for copy in range(2):
        start = (1 + copy * fat_sectors) * _SECTOR
        image[start : start + len(fat)] = fat
    root_start = (1 + 2 * fat_sectors) * _SECTOR
    image[root_start : root_start + len(root_bytes)] = root_bytes
    data_start = root_start + root_sectors * _SECTOR
    for cluster, content in layout.data.items():
        at = data_start + (cluster - 2) * layout.cluster_size
        image[at : at + len(content)] = content
    return bytes(image)


def write_fat_image(dest: Path, files: dict[str, bytes], deleted: dict[str, bytes]) -> None:
    """A raw FAT16 image (``.raw``/``.dd``) of the files, with ``deleted`` recoverable."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(fat_image(files, deleted))


def write_e01(dest: Path, files: dict[str, bytes], deleted: dict[str, bytes]) -> Path:
    """An E01 (one segment, deflate) of the FAT image of the files, acquired with Debian's
    ``ewfacquire``; returns the ``.E01`` written (``dest`` with that suffix)."""
    tool = shutil.which("ewfacquire")
    if tool is None:
        raise UsageError(
            "ewfacquire not found: the demo's E01 is made with Debian's ewf-tools "
            "(sudo apt-get install ewf-tools)"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = dest.with_suffix("")
    made = target.with_suffix(".E01")
    made.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="phunt-demo-e01-") as scratch:
        raw = Path(scratch) / "disk.raw"
        raw.write_bytes(fat_image(files, deleted))
        options = ["-u", "-q", "-c", "deflate:fast", "-S", "1.4GiB", "-m", "removable"]
        facts = ["-C", "demo", "-D", "synthetic demo device", "-e", "demo examiner"]
        command = [tool, *options, *facts, "-E", made.stem, "-N", "generated by phunt demo"]
        result = subprocess.run(
            [*command, "-t", str(target), str(raw)], capture_output=True, text=True, check=False
        )
    if result.returncode != 0 or not made.is_file():
        shown = (result.stderr or result.stdout).strip()[-500:]
        raise UsageError(f"ewfacquire could not write {made}: {shown}")
    return made
