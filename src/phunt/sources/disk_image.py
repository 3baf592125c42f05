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
from dfvfs.lib import errors as dfvfs_errors
from dfvfs.lib import tsk_image
from dfvfs.path import factory as path_spec_factory
from dfvfs.resolver import resolver

from phunt.errors import CorruptInput
from phunt.sources.base import Entry, FileTimes, Source, display_path, name_problem
from phunt.sources.base import join_container_path as _join
from phunt.sources.base import utc_from_timestamp as _utc
from phunt.sources.ewf_set import incomplete_message
from phunt.sources.locator import Locator
from phunt.sources.signatures import EWF_SIGNATURE

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
_DFVFS_ERRORS = (dfvfs_errors.Error, OSError, OverflowError, ValueError)


def _probe_head(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGICS) or head.startswith(_VMDK_DESCRIPTOR):
        return True
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":
        return True  # an MBR or a boot sector; GPT disks carry a protective MBR
    return any(head[at : at + len(magic)] == magic for at, magic in _FS_SIGNATURES)


def _has_vhd_footer(path: str) -> bool:
    """Fixed and dynamic VHDs end with a 512-byte footer that starts ``conectix``."""
    try:
        with open(path, "rb") as handle:
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
    with open(path, "rb") as handle:
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
    handle = pyewf.handle()
    try:
        segments = pyewf.glob(path)
        incomplete = incomplete_message(segments)
        if incomplete is not None:
            raise CorruptInput(incomplete, path=shown)
        handle.open(segments)
    except OSError as exc:
        raise CorruptInput(f"cannot open EWF image: {exc}", path=shown) from exc
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
        handle.close()
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


def _times(meta: Any) -> FileTimes:
    def at(name: str) -> Any:
        seconds = getattr(meta, name, 0) or 0
        if not seconds:
            return None
        nano = getattr(meta, f"{name}_nano", 0) or 0
        return _utc(seconds + nano / 1e9)

    return FileTimes(at("mtime"), at("atime"), at("ctime"), at("crtime"))


_SPECIAL = {
    pytsk3.TSK_FS_META_TYPE_FIFO: "a FIFO (named pipe)",
    pytsk3.TSK_FS_META_TYPE_SOCK: "a socket",
    pytsk3.TSK_FS_META_TYPE_CHR: "a character device",
    pytsk3.TSK_FS_META_TYPE_BLK: "a block device",
}


class DiskImageSource(Source):
    """Every file, allocated or deleted, of every file system in a disk image."""

    name = "disk-image"

    def __init__(
        self, path: str, *, display: str | None = None, locator: Locator | None = None
    ) -> None:
        super().__init__(path, display=display, locator=locator)
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
            with open(self.path, "rb") as handle:
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
        self.scan()
        for index, (label, fs_spec) in enumerate(self._volumes):
            fs_info = self._tsk(index)
            prefix = f"{index}/{label}/"
            if fs_info is not None:
                locate = _prefixed(self, prefix + "inode/")
                yield from _TskWalker(fs_info, self.display, label, locate).walk()
            else:
                yield from self._walk_dfvfs(fs_spec, label, _prefixed(self, prefix + "path/"))

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
    def _open_tsk(fs_spec: Any) -> Any:
        file_object = resolver.Resolver.OpenFileObject(fs_spec.parent)
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

    def _walk_dfvfs(
        self, fs_spec: Any, label: str, locate: Callable[[str], Locator]
    ) -> Iterator[Entry]:
        kind = fs_spec.type_indicator
        self.warnings.append(
            f"{label or '/'}: {kind} file system read through dfvfs; deleted files not listed"
        )
        try:
            root = resolver.Resolver.OpenFileEntry(fs_spec)
        except _DFVFS_ERRORS as exc:
            yield Entry(path=_join(self.display, label), error=f"cannot open {kind}: {exc}")
            return
        stack = [root]
        while stack:
            directory = stack.pop()
            try:
                children = sorted(directory.sub_file_entries, key=lambda e: e.name)
            except _DFVFS_ERRORS as exc:
                where = _join(self.display, f"{label}/{directory.path_spec.location}")
                yield Entry(path=where, error=f"cannot list folder: {exc}")
                continue
            for child in children:
                if child.IsDirectory():
                    stack.append(child)
                    continue
                inner = f"{label}/{child.path_spec.location.lstrip(chr(92) + '/')}"
                inner = inner.replace("\\", "/")
                yield _dfvfs_entry(child, _join(self.display, inner), locate)


def _prefixed(source: Source, prefix: str) -> Callable[[str], Locator]:
    """Locators of ``source``'s members whose keys start with ``prefix``."""

    def locate(rest: str) -> Locator:
        return source.member_locator(prefix + rest)

    return locate


def _dfvfs_entry(child: Any, path: str, locate: Callable[[str], Locator]) -> Entry:
    if not child.IsFile():
        return Entry(path=path, error=f"skipped: {child.entry_type}, not a regular file")

    def timestamp(value: Any) -> Any:
        return None if value is None else _utc(value.CopyToPosixTimestamp())

    times = FileTimes(
        timestamp(child.modification_time),
        timestamp(child.access_time),
        timestamp(child.change_time),
        timestamp(child.creation_time),
    )

    locator = locate(child.path_spec.location)
    return Entry(path=path, size=child.size, times=times, locator=locator)


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


class _TskWalker:
    """Depth-first, name-ordered walk of one pytsk3 file system, deleted names included."""

    def __init__(
        self, fs_info: Any, display: str, label: str, locate: Callable[[str], Locator]
    ) -> None:
        self._fs = fs_info
        self._display = display
        self._label = label
        self._locate = locate
        self._seen: set[int] = set()

    def walk(self) -> Iterator[Entry]:
        try:
            root = self._fs.open_dir(path="/")
        except OSError as exc:
            yield Entry(path=_join(self._display, self._label), error=f"cannot list root: {exc}")
            return
        yield from self._walk_dir(root, self._label, None)

    def _walk_dir(self, directory: Any, prefix: str, bad_name: str | None) -> Iterator[Entry]:
        """Entries under ``directory``; ``bad_name`` is a name problem of a folder above."""
        try:
            items = sorted(
                (f for f in directory if f.info.name is not None),
                key=lambda f: bytes(f.info.name.name),
            )
        except OSError as exc:
            yield Entry(path=_join(self._display, prefix), error=f"cannot list folder: {exc}")
            return
        for item in items:
            raw = bytes(item.info.name.name)
            if raw in (b".", b".."):
                continue
            name = display_path(raw)
            inner = f"{prefix}/{name}" if prefix else name
            deleted = bool(int(item.info.name.flags) & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
            meta = item.info.meta
            problem = name_problem(raw) or bad_name
            if meta is not None and _is_dir(item, meta):
                yield from self._enter(item, meta, inner, deleted, problem)
                continue
            entry = self._entry(item, meta, inner, deleted)
            if entry is not None:
                entry.name_problem = problem
                yield entry

    def _enter(
        self, item: Any, meta: Any, inner: str, deleted: bool, bad_name: str | None
    ) -> Iterator[Entry]:
        if meta.addr in self._seen or (deleted and _reallocated(meta)):
            return  # a loop, or a deleted folder whose entry now belongs to another one
        self._seen.add(meta.addr)
        try:
            sub = item.as_directory()
        except OSError as exc:
            yield Entry(path=_join(self._display, inner), deleted=deleted, error=f"{exc}")
            return
        yield from self._walk_dir(sub, inner, bad_name)

    def _entry(self, item: Any, meta: Any, inner: str, deleted: bool) -> Entry | None:
        path = _join(self._display, inner)
        if meta is None:
            if "$OrphanFiles" in inner.split("/")[:-1]:
                reason = "orphan entry named by the file system tool; no readable metadata"
            elif deleted:
                reason = "deleted: only the name survives; metadata and content not recoverable"
            else:
                reason = "no metadata: content cannot be read"
            return Entry(path=path, deleted=deleted, error=reason)
        kind = meta.type
        if kind in (pytsk3.TSK_FS_META_TYPE_VIRT, pytsk3.TSK_FS_META_TYPE_VIRT_DIR):
            return None  # made up by TSK ($MBR, $FAT1...), not a file on the device
        times = _times(meta)
        if deleted and _reallocated(meta):
            return Entry(
                path=path,
                times=times,
                deleted=True,
                error="deleted: its metadata entry now belongs to another file",
            )
        if kind == pytsk3.TSK_FS_META_TYPE_LNK:
            return Entry(path=path, times=times, deleted=deleted, error=_link_reason(item, meta))
        if kind in _SPECIAL:
            reason = f"skipped: {_SPECIAL[kind]}, not a regular file"
            return Entry(path=path, times=times, deleted=deleted, error=reason)
        size = int(meta.size)
        warnings = ["deleted file: content may be partly overwritten"] if deleted else []
        return Entry(
            path=path,
            size=size,
            times=times,
            deleted=deleted,
            warnings=warnings,
            locator=self._locate(str(int(meta.addr))),
        )


def _is_dir(item: Any, meta: Any) -> bool:
    return bool(meta.type in (pytsk3.TSK_FS_META_TYPE_DIR, pytsk3.TSK_FS_META_TYPE_VIRT_DIR))


def _reallocated(meta: Any) -> bool:
    return bool(int(meta.flags) & pytsk3.TSK_FS_META_FLAG_ALLOC)


def _link_reason(item: Any, meta: Any) -> str:
    link = getattr(meta, "link", None)
    if link:
        target = display_path(link)
    else:
        try:
            target = display_path(item.read_random(0, min(int(meta.size), 4096)))
        except OSError:
            target = "unreadable"
    return f"skipped: symbolic link, not followed (-> {target})"
