"""Which files of an E01 hold data in its bad sectors (chunks that failed their check).

libewf reads a damaged chunk as zeros, so a file with data there is hashed over bytes that
are not the acquired ones: its digests must not pass for the original file's. Each file
of a file system that pytsk3 reads is placed on the media by its attribute runs (blocks
of the file system, plus the volume's start); NTFS data resident in its MFT entry is
placed at the ``$MFT``'s runs. A file that cannot be placed (a file system read through
dfvfs, a volume inside a logical or encrypted one) is flagged as possibly damaged: a
defence expert must not find a clean-looking digest that nobody could check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import pytsk3

from phunt.errors import InputError
from phunt.sources.base import display_path
from phunt.sources.disk_image import DiskImageSource, is_ewf, is_later_segment
from phunt.sources.ewf_chunks import BadRange
from phunt.sources.ewf_set import INCOMPLETE
from phunt.sources.facts import SourceFacts

#: ``(start, length)`` in bytes of the media.
Extent = tuple[int, int]

_SKIPPED_RUNS = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
_MFT = 0
#: Attribute types holding a file's content (TSK's default, NTFS ``$DATA``, HFS+ data fork).
_DATA_TYPES = {
    int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT),
    int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA),
    int(pytsk3.TSK_FS_ATTR_TYPE_HFS_DATA),
}


@dataclass(frozen=True)
class DamagedFile:
    """A file of the image whose data may lie in bad sectors."""

    path: str
    key: str
    message: str


def damaged_files(
    path: str, ranges: list[BadRange], bytes_per_sector: int, *, display: str | None = None
) -> list[DamagedFile]:
    """Every file of the image at ``path`` whose data overlaps ``ranges`` (or cannot be
    placed on the media while some range exists), in the order the source lists them."""
    if not ranges:
        return []
    bad = [
        (r.first_sector * bytes_per_sector, (r.last_sector + 1) * bytes_per_sector, r)
        for r in ranges
    ]
    out = []
    source = DiskImageSource(path, display=display)
    try:
        for entry in source.entries():
            if entry.locator is None or not entry.locator.hops:
                continue
            key = entry.locator.hops[-1].key
            extents = member_extents(source, key)
            if extents is None:
                message = (
                    "the E01 has bad sectors and this file cannot be placed on the media: "
                    "its content and digests may not be the acquired ones"
                )
                out.append(DamagedFile(entry.path, key, message))
                continue
            hit = [r for start, end, r in bad if any(_overlaps(e, start, end) for e in extents)]
            if hit:
                out.append(DamagedFile(entry.path, key, damage_message(hit)))
    finally:
        source.close()
    return out


def is_first_ewf(path: str) -> bool:
    """True for a regular file that starts an E01 set (not a later segment of one)."""
    try:
        plain = os.path.isfile(path) and not os.path.islink(path)
        return plain and is_ewf(path) and not is_later_segment(path)
    except OSError:
        return False


def ewf_problems(path: str, facts: Future[SourceFacts]) -> Iterator[tuple[str, str]]:
    """``(path, error)`` of an E01 whose check failed: one for the image (its bad sectors,
    its MD5), then one for each file with data in the bad sectors, whose digests ``phunt
    hash`` printed already over the zeros libewf read there. Nothing for a sound image."""
    shown = display_path(path)
    try:
        ewf = facts.result().verification.get("ewf", {})
    except (OSError, InputError) as exc:
        yield shown, f"E01 not verified: {exc}"
        return
    if ewf.get("ok") is not False or INCOMPLETE in ewf.get("error", ""):
        return  # sound, or a segment missing, which the walk reports as the image's error
    ranges = [BadRange.from_dict(bad) for bad in ewf.get("bad_sectors", [])]
    problems = [f"bad {bad.describe()}" for bad in ranges]
    stored, computed = ewf.get("stored_md5"), ewf.get("computed_md5")
    if stored and computed and computed != stored:
        problems.append(f"MD5 {computed} is not the acquisition MD5 {stored}")
    problems += [ewf[key] for key in ("error", "chunk_error") if ewf.get(key)]
    yield shown, f"E01 not verified: {'; '.join(problems)}"
    if ranges:
        for damaged in damaged_files(path, ranges, int(ewf["bytes_per_sector"]), display=shown):
            yield damaged.path, damaged.message


def damage_message(hit: list[BadRange]) -> str:
    """The flag of a file with data in ``hit``: the sectors, as ``ewfverify`` names them."""
    sectors = "; ".join(r.describe() for r in hit)
    return (
        f"data in bad sectors of the E01 ({sectors}): read as zeros, so its content and "
        "digests are not the acquired file's"
    )


def member_extents(source: DiskImageSource, key: str) -> list[Extent] | None:
    """Where member ``key``'s data lies on the media; ``None`` when it cannot be placed."""
    try:
        index_text, _label, how, where = key.split("/", 3)
        index = int(index_text)
    except ValueError:
        return None
    fs_info = source.tsk_volume(index) if how == "inode" else None
    offset = source.volume_offset(index) if fs_info is not None else None
    if fs_info is None or offset is None:
        return None
    try:
        return list(_extents(fs_info, int(where), offset))
    except (OSError, ValueError):
        return None


def _extents(fs_info: Any, inode: int, offset: int) -> Iterator[Extent]:
    block = int(fs_info.info.block_size)
    for attribute in fs_info.open_meta(inode=inode):
        if int(attribute.info.flags) & int(pytsk3.TSK_FS_ATTR_RES):
            if int(attribute.info.type) not in _DATA_TYPES:
                continue  # names and times kept in the entry: not the file's content
            if int(fs_info.info.ftype) & int(pytsk3.TSK_FS_TYPE_NTFS_DETECT) and inode != _MFT:
                yield from _extents(fs_info, _MFT, offset)
                continue
            raise ValueError("resident data outside NTFS cannot be placed")
        for run in attribute:
            if int(run.flags) & _SKIPPED_RUNS:
                continue
            yield offset + int(run.addr) * block, int(run.len) * block


def _overlaps(extent: Extent, start: int, end: int) -> bool:
    return extent[0] < end and start < extent[0] + extent[1]
