"""Disk images (raw/dd, split raw, E01, QCOW, VMDK, VHD) read through dfvfs and pytsk3.

dfvfs's source scanner finds the storage-media layer, the partitions (MBR, GPT) and the
file systems; each file system is then walked with pytsk3 directly, because dfvfs's own
TSK directory listing drops deleted names and names that are not UTF-8, and an examiner
needs both. File systems pytsk3 cannot open (APFS, for one) are walked through dfvfs
instead, which lists allocated files only; the source records that as a warning.

Paths: ``disk.E01!/p1/Users/x/a.jpg`` where the image has a partition table (``p1``,
``p2``... as dfvfs numbers them: MBR logical partitions start at ``p5`` as on Linux),
``ext2.E01!/a_directory/a_file`` for a bare file system with no partition table.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyewf
import pytsk3
from dfvfs.helpers import source_scanner
from dfvfs.lib import definitions as dfvfs_definitions
from dfvfs.lib import tsk_image
from dfvfs.path import factory as path_spec_factory
from dfvfs.resolver import context as dfvfs_context
from dfvfs.resolver import resolver

from phunt.errors import CorruptInput
from phunt.sources import cpu_guard
from phunt.sources.base import Entry, Source, display_path
from phunt.sources.ewf_set import incomplete_message
from phunt.sources.image_io import EwfMedia
from phunt.sources.limits import ExpandLimits
from phunt.sources.locator import Locator, open_read_only
from phunt.sources.signatures import EWF_SIGNATURE
from phunt.sources.tsk_walk import DFVFS_ERRORS, TskWalker, file_system_lost, walk_dfvfs

#: First bytes of formats that are certainly disk images: EWF, QCOW, VMDK sparse, VHDX and
#: dynamic VHD (which starts with a copy of its ``conectix`` footer). A fixed VHD is a raw
#: disk with a footer, so its MBR or file-system signature finds it.
_IMAGE_MAGICS = (EWF_SIGNATURE, b"QFI\xfb", b"KDMV", b"vhdxfile", b"conectix")
#: Extensions of the second and later segments of an EWF set (E02..E99, then EAA...).
_LATER_EWF = re.compile(r"\.(e(0[2-9]|[1-9]\d)|e[a-z][a-z])$", re.IGNORECASE)
#: Text that starts a VMDK descriptor file.
_VMDK_DESCRIPTOR = b"# Disk DescriptorFile"
#: File-system signatures at fixed offsets (offset, magic), for raw images of one volume.
_FS_SIGNATURES = (
    (3, b"NTFS    "),
    (3, b"EXFAT   "),
    (54, b"FAT12   "),
    (54, b"FAT16   "),
    (82, b"FAT32   "),
    (1024 + 56, b"\x53\xef"),  # ext2/3/4 superblock magic
    (1024, b"H+"),  # HFS+
    (1024, b"HX"),  # HFSX
    (32, b"NXSB"),  # APFS container
    (32768 + 1, b"CD001"),  # ISO 9660
)
_READ_CHUNK = 1 << 20
_NOTHING = "no file system found in the image"
_DFVFS_ERRORS = DFVFS_ERRORS


def _probe_head(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGICS) or head.startswith(_VMDK_DESCRIPTOR):
        return True
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":
        return True  # an MBR or a boot sector; GPT disks carry a protective MBR
    return any(head[at : at + len(magic)] == magic for at, magic in _FS_SIGNATURES)


def _has_vhd_footer(path: str) -> bool:
    """Fixed and dynamic VHDs end with a 512-byte footer that starts ``conectix``."""
    try:
        with open_read_only(path) as handle:
            size = handle.seek(0, os.SEEK_END)
            if size < 512:
                return False
            handle.seek(size - 512)
            return handle.read(8) == b"conectix"
    except OSError:
        return False


def segment_files(path: str) -> list[str]:
    """Every segment of a split image, first one first, so each can be hashed and recorded.

    E01/E02..., .000/.001... and .001/.002... sets are found from the first segment;
    anything else is a single file.
    """
    if path.lower().endswith(".e01"):
        try:
            return list(pyewf.glob(path))
        except OSError as exc:
            raise CorruptInput(f"cannot list EWF segments: {exc}", path=display_path(path)) from exc
    stem, ext = os.path.splitext(path)
    if len(ext) == 4 and ext[1:].isdigit():
        first = int(ext[1:])
        segments = []
        number = first
        while os.path.exists(f"{stem}.{number:03d}"):
            segments.append(f"{stem}.{number:03d}")
            number += 1
        return segments or [path]
    return [path]


def is_later_segment(path: str) -> bool:
    """E02..., or .002... of a split set whose earlier segment sits beside it: read as
    part of the set through its first segment, never as an image of its own."""
    stem, ext = os.path.splitext(path)
    if _LATER_EWF.search(path):
        return any(os.path.exists(stem + first) for first in (".E01", ".e01"))
    if len(ext) == 4 and ext[1:].isdigit() and int(ext[1:]) > 0:
        return os.path.exists(f"{stem}.{int(ext[1:]) - 1:03d}")
    return False


def is_ewf(path: str) -> bool:
    """True when the file starts with the EWF signature."""
    with open_read_only(path) as handle:
        return handle.read(len(EWF_SIGNATURE)) == EWF_SIGNATURE


@dataclass(frozen=True)
class EwfVerification:
    """Result of checking an E01 set against the MD5 stored at acquisition."""

    stored_md5: str | None
    computed_md5: str
    media_size: int

    @property
    def ok(self) -> bool | None:
        """True or False when a hash was stored; ``None`` when there was nothing to compare."""
        if self.stored_md5 is None:
            return None
        return self.stored_md5.lower() == self.computed_md5


def verify_ewf(path: str, *, chunk_size: int = _READ_CHUNK) -> EwfVerification:
    """Read the whole media of an E01 set and compare its MD5 to the stored one.

    Raises :class:`CorruptInput` when the set cannot be opened or read to the end, or
    misses a segment (named in the message).
    """
    shown = display_path(path)
    try:
        segments = pyewf.glob(path)
        incomplete = incomplete_message(segments)
        if incomplete is not None:
            raise CorruptInput(incomplete, path=shown)
        media = EwfMedia(segments)
    except OSError as exc:
        raise CorruptInput(f"cannot open EWF image: {exc}", path=shown) from exc
    handle = media.handle
    try:
        stored = handle.get_hash_value("MD5")
        size = int(handle.get_media_size())
        digest = hashlib.md5(usedforsecurity=False)
        offset = 0
        while offset < size:
            data = handle.read_buffer_at_offset(min(chunk_size, size - offset), offset)
            if not data:
                raise CorruptInput("media ends early", path=shown, location=f"offset {offset}")
            digest.update(data)
            offset += len(data)
    except OSError as exc:
        raise CorruptInput(f"cannot read EWF media: {exc}", path=shown) from exc
    finally:
        media.close()
    return EwfVerification(stored or None, digest.hexdigest(), size)


class _TskFileReader(io.RawIOBase):
    """Read-only file object over a pytsk3 file, so content is streamed, never extracted."""

    def __init__(self, tsk_file: Any, size: int) -> None:
        super().__init__()
        self._file = tsk_file
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self._size - self._pos)
        if want <= 0:
            return 0
        data = self._file.read_random(self._pos, want)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


class DiskImageSource(Source):
    """Every file, allocated or deleted, of every file system in a disk image."""

    name = "disk-image"

    def __init__(
        self,
        path: str,
        *,
        display: str | None = None,
        locator: Locator | None = None,
        limits: ExpandLimits | None = None,
    ) -> None:
        super().__init__(path, display=display, locator=locator)
        #: CPU seconds one step of a file system's listing may take (see ``cpu_guard``).
        self.listing_cpu = (limits or ExpandLimits()).max_listing_cpu
        #: Problems with the image as a whole (unreadable partition, locked volume...).
        self.warnings: list[str] = []
        self._volumes: list[tuple[str, Any]] = []
        self._fs_infos: dict[int, Any] = {}
        self._scanned = False
        self._strong = False

    @classmethod
    def probe(cls, path: str, head: bytes) -> bool:
        return _probe_head(head)

    @property
    def volumes(self) -> list[tuple[str, str]]:
        """``(label, file-system type)`` of each file system found, ``""`` for a bare one."""
        self.scan()
        return [(label, spec.type_indicator) for label, spec in self._volumes]

    @property
    def found_nothing(self) -> bool:
        """True when only a loose signature (a boot sector's 0x55AA) matched and no volume
        or file system was found: the file was not a disk image after all."""
        self.scan()
        return not self._volumes and self.warnings == [_NOTHING] and not self._strong

    def scan(self) -> None:
        """Find the file systems; problems go to :attr:`warnings`, nothing raises."""
        if self._scanned:
            return
        self._scanned = True
        try:
            with open_read_only(self.path) as handle:
                head = handle.read(64)
        except OSError:
            head = b""
        self._strong = head.startswith((*_IMAGE_MAGICS, _VMDK_DESCRIPTOR))
        self._strong = self._strong or _has_vhd_footer(self.path)
        if head.startswith(EWF_SIGNATURE) and self._ewf_incomplete():
            return
        scanner = source_scanner.SourceScanner()
        context = source_scanner.SourceScannerContext()
        try:
            context.OpenSourcePath(self.path)
            scanner.Scan(context)
        except _DFVFS_ERRORS as exc:
            self.warnings.append(f"cannot scan disk image: {exc}")
            return
        root = context.GetRootScanNode()
        if root is not None:
            self._collect(root, context, "")
        if not self._volumes and not self.warnings:
            self.warnings.append(_NOTHING)

    def _ewf_incomplete(self) -> bool:
        """True (with the missing segment named in :attr:`warnings`) when the E01 set lacks
        a segment: libewf would open it and fail only at the first read of the gap."""
        try:
            message = incomplete_message(segment_files(self.path), self.display)
        except CorruptInput as exc:
            message = str(exc)
        if message is not None:
            self.warnings.append(message)
        return message is not None

    def _collect(self, node: Any, context: Any, label: str) -> None:
        kind = node.type_indicator
        location = getattr(node.path_spec, "location", None)
        if kind in dfvfs_definitions.FILE_SYSTEM_TYPE_INDICATORS:
            self._volumes.append((label, node.path_spec))
            return
        if context.IsLockedScanNode(node.path_spec):
            self.warnings.append(f"{label or '/'}: encrypted volume ({kind}), not unlocked")
            return
        if kind == dfvfs_definitions.TYPE_INDICATOR_VSHADOW:
            stores = [s.path_spec.location for s in node.sub_nodes]
            self.warnings.append(
                f"{label or '/'}: volume shadow copies present ({', '.join(stores)}), not walked"
            )
            return
        if kind in dfvfs_definitions.VOLUME_SYSTEM_TYPE_INDICATORS and location not in (
            None,
            "/",
        ):
            label = location.strip("/")
            if not node.sub_nodes:
                self.warnings.append(f"{label}: no file system recognised in this partition")
        for sub in node.sub_nodes:
            self._collect(sub, context, label)

    def entries(self) -> Iterator[Entry]:
        """Each file system listed in a child process of its own, bounded per step to
        :attr:`listing_cpu` s of CPU: damaged metadata can make The Sleuth Kit spin in C
        code, which nothing in this process could stop."""
        self.scan()
        for index, (label, _) in enumerate(self._volumes):
            where = self._where(index)

            def given_up(reason: str, some: bool, label: str = label, where: str = where) -> Entry:
                return file_system_lost(self.display, label, where, reason, some)

            walk = functools.partial(self._list_volume, index, where)
            yield from cpu_guard.guarded(walk, self.listing_cpu, given_up)

    def _where(self, index: int) -> str:
        """A file system as error lines name it: by its offset in the media."""
        offset = self.volume_offset(index)
        label = self._volumes[index][0]
        if offset is None:
            return f"file system {label}"
        return f"file system at offset {offset}" + (f" ({label})" if label else "")

    def _list_volume(self, index: int, where: str, guard: cpu_guard.StepGuard) -> Iterator[Entry]:
        """The walk of volume ``index``, run in the listing child: it opens the image
        again through a resolver context of its own, never the parent's open files
        (their file offsets are shared with the parent across the fork)."""
        label, fs_spec = self._volumes[index]
        prefix = f"{index}/{label}/"
        context = dfvfs_context.Context()
        if not guard.step():  # opening the file system
            yield file_system_lost(self.display, label, where, guard.reason(), False)
            return
        try:
            fs_info = self._open_tsk(fs_spec, context)
        except (OSError, *_DFVFS_ERRORS):
            fs_info = None
        if fs_info is not None:
            locate = _prefixed(self, prefix + "inode/")
            yield from TskWalker(fs_info, self.display, label, locate, guard, where).walk()
        else:
            locate = _prefixed(self, prefix + "path/")
            yield from walk_dfvfs(fs_spec, self.display, label, locate, guard, context)

    def _tsk(self, index: int) -> Any:
        """pytsk3's view of volume ``index``, opened once; ``None`` when pytsk3 cannot."""
        if index not in self._fs_infos:
            try:
                fs_info = self._open_tsk(self._volumes[index][1])
            except (OSError, *_DFVFS_ERRORS):
                fs_info = None
            self._fs_infos[index] = fs_info
        return self._fs_infos[index]

    def tsk_volume(self, index: int) -> Any:
        """pytsk3's ``FS_Info`` of volume ``index``; ``None`` when pytsk3 cannot open it."""
        self.scan()
        return self._tsk(index) if 0 <= index < len(self._volumes) else None

    def volume_offset(self, index: int) -> int | None:
        """Where volume ``index`` starts in the media, in bytes: 0 for a bare file system,
        the partition's start for one in a partition of the media; ``None`` when it lies
        deeper (a logical volume, an encrypted one) and cannot be placed."""
        self.scan()
        parent = self._volumes[index][1].parent
        if parent.type_indicator in dfvfs_definitions.STORAGE_MEDIA_IMAGE_TYPE_INDICATORS:
            return 0
        start = getattr(parent, "start_offset", None)
        media = getattr(parent, "parent", None)
        if start is None or media is None:
            return None
        if media.type_indicator not in dfvfs_definitions.STORAGE_MEDIA_IMAGE_TYPE_INDICATORS:
            return None
        return int(start)

    @staticmethod
    def _open_tsk(fs_spec: Any, context: Any = None) -> Any:
        file_object = resolver.Resolver.OpenFileObject(fs_spec.parent, resolver_context=context)
        return pytsk3.FS_Info(tsk_image.TSKFileSystemImage(file_object))

    def close(self) -> None:
        self._fs_infos.clear()

    def open_member(self, key: str) -> BinaryIO:
        """``key`` is ``volume/label/inode/N`` (read with pytsk3) or
        ``volume/label/path/location`` (a file system read through dfvfs)."""
        self.scan()
        try:
            index_text, label, how, where = key.split("/", 3)
            index = int(index_text)
            found_label, fs_spec = self._volumes[index]
        except (ValueError, IndexError) as exc:
            raise OSError(f"{self.display}: no member {key!r}") from exc
        if found_label != label:
            raise OSError(f"{self.display}: volume {index} is {found_label!r}, not {label!r}")
        if how == "inode":
            fs_info = self._tsk(index)
            if fs_info is None:
                raise OSError(f"{self.display}: volume {label or '/'} cannot be opened")
            inode = int(where)
            try:
                tsk_file = fs_info.open_meta(inode=inode)
            except OSError as exc:
                raise OSError(f"cannot open inode {inode}: {exc}") from exc
            size = int(tsk_file.info.meta.size)
            return io.BufferedReader(_TskFileReader(tsk_file, size), buffer_size=_READ_CHUNK)
        spec = path_spec_factory.Factory.NewPathSpec(
            fs_spec.type_indicator, location=where, parent=fs_spec.parent
        )
        try:
            file_object = resolver.Resolver.OpenFileObject(spec)
        except _DFVFS_ERRORS as exc:
            raise OSError(f"{self.display}: {where}: {exc}") from exc
        return io.BufferedReader(_DfvfsReader(file_object), _READ_CHUNK)


def _prefixed(source: Source, prefix: str) -> Callable[[str], Locator]:
    """Locators of ``source``'s members whose keys start with ``prefix``."""

    def locate(rest: str) -> Locator:
        return source.member_locator(prefix + rest)

    return locate


class _DfvfsReader(io.RawIOBase):
    """A dfvfs file object as a standard binary file (with ``with`` and ``readinto``)."""

    def __init__(self, file_object: Any) -> None:
        super().__init__()
        self._file = file_object

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._file.read(len(buffer))
        except _DFVFS_ERRORS as exc:
            raise OSError(str(exc)) from exc
        buffer[: len(data)] = data
        return len(data)
