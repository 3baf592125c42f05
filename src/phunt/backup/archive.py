"""The backup file: a zip of one JSON Lines part per table, the set files the hash-set
versions name, and ``manifest.json`` (every part's SHA-256, size and row count, the
schema revision and the audit log's head) signed with the audit key in ``manifest.sig``.

The file is read only through :func:`open_checked`, which checks the signature against
the audit key given and every part's SHA-256 before anything reads a row: a tampered
backup is refused naming the part that differs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from phunt.audit.anchor import _raw_public, key_id  # the audit key's id, as anchors give it
from phunt.errors import InputError, IntegrityError

FORMAT = "phunt-backup/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
#: Fixed member times: the same rows give the same parts.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class PartWriter:
    """One part being written: hashed and counted as it streams into the zip."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self._out: IO[bytes] = archive.open(member(name), "w", force_zip64=True)
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self._sha.update(data)
        self.size += len(data)

    def close(self) -> dict[str, Any]:
        self._out.close()
        return {"name": self.name, "sha256": self._sha.hexdigest(), "bytes": self.size}


def lines_part(archive: zipfile.ZipFile, name: str, lines: Iterable[bytes]) -> dict[str, Any]:
    """A part of ``lines`` (a table's rows, encoded); its entry, with ``rows`` counted."""
    part, rows = PartWriter(archive, name), 0
    for line in lines:
        part.write(line)
        rows += 1
    return part.close() | {"rows": rows}


def file_part(archive: zipfile.ZipFile, name: str, path: Path) -> dict[str, Any]:
    """A part holding the file at ``path`` (a set file), copied in chunks; its entry."""
    part = PartWriter(archive, name)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            part.write(chunk)
    return part.close()


def sign_manifest(archive: zipfile.ZipFile, manifest: dict[str, Any], key: Any) -> bytes:
    """Write the manifest and its signature last; the manifest's bytes."""
    raw = _raw_public(key)
    body = manifest | {"key_id": key_id(raw), "public_key": base64.b64encode(raw).decode()}
    data = (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    archive.writestr(member(MANIFEST), data)
    archive.writestr(member(SIGNATURE), base64.b64encode(key.sign(data)) + b"\n")
    return data


@dataclass
class Checked:
    """A backup whose signature and parts were checked; its parts can be read."""

    archive: zipfile.ZipFile
    manifest: dict[str, Any]
    manifest_sha256: str

    def lines(self, name: str) -> Iterator[bytes]:
        with self.archive.open(name) as part:
            yield from part

    def extract(self, name: str, target: Path) -> None:
        with self.archive.open(name) as part, open(target, "wb") as out:
            while chunk := part.read(_CHUNK):
                out.write(chunk)


def _refuse(path: Path, what: str) -> IntegrityError:
    return IntegrityError(f"{path}: refused, the backup was altered: {what}")


def open_checked(path: Path, trusted_key: Any) -> Checked:
    """Open the backup at ``path`` once its manifest is signed by ``trusted_key`` (the
    audit key) and every part has the SHA-256 and size the manifest gives."""
    from cryptography.exceptions import InvalidSignature

    try:
        archive = zipfile.ZipFile(path)
        data = archive.read(MANIFEST)
        signature = base64.b64decode(archive.read(SIGNATURE).strip(), validate=True)
        manifest = json.loads(data)
        parts: list[dict[str, Any]] = list(manifest["parts"])
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise InputError(f"not a phunt backup ({exc})", path=str(path)) from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} file", path=str(path))
    own = key_id(_raw_public(trusted_key))
    if manifest.get("key_id") != own:
        signer = str(manifest.get("key_id"))[:16]
        raise _refuse(path, f"manifest signed by key {signer}, not by the audit key {own[:16]}")
    try:
        trusted_key.public_key().verify(signature, data)
    except InvalidSignature:
        raise _refuse(path, "manifest.json does not match its signature") from None
    names = {part["name"] for part in parts} | {MANIFEST, SIGNATURE}
    present = set(archive.namelist())
    if present != names:
        extra = ", ".join(sorted(present - names)) or "none"
        missing = ", ".join(sorted(names - present)) or "none"
        raise _refuse(path, f"parts not in the manifest: {extra}; parts missing: {missing}")
    for part in parts:
        what = f" (table {part['table']})" if "table" in part else ""
        sha, size = hashlib.sha256(), 0
        try:
            with archive.open(part["name"]) as stream:
                while chunk := stream.read(_CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _refuse(path, f"part {part['name']}{what} cannot be read ({exc})") from None
        if sha.hexdigest() != part["sha256"] or size != part["bytes"]:
            raise _refuse(path, f"part {part['name']}{what} has another SHA-256 than signed")
    return Checked(archive, manifest, hashlib.sha256(data).hexdigest())
