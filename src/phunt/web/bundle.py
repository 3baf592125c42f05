"""Takedown requests as one download: the CSV, the letters and their manifests in a zip.

The files are written by :func:`phunt.reports.takedown_requests.write_takedown` (each
with its manifest, each write audited) into a folder of their own under the data folder's
``reports/web``, where ``phunt report verify`` can check them later; the zip beside it is
written through :mod:`phunt.output_path` (temporary file, then renamed; never over an
existing file) and its SHA-256 audited with each member's. The zip's bytes depend on its
members' alone: names in order, one fixed time, fixed permissions, stored (the PDFs are
compressed already, and no zlib version changes a stored member).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from phunt.audit import store as audit
from phunt.output_path import output_path
from phunt.reports.takedown_requests import write_takedown
from phunt.schema.db import Session

#: Every member's time: the earliest a zip can say (no clock in the bytes).
MEMBER_TIME = (1980, 1, 1, 0, 0, 0)


def zip_folder(folder: Path, out: Path, *, own: Path | None = None) -> dict[str, str]:
    """Write the files of ``folder`` (by name) into the zip ``out``; each member's SHA-256."""
    members: dict[str, str] = {}
    with output_path(out, own=own) as temp, zipfile.ZipFile(temp, "w") as archive:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            data = path.read_bytes()
            info = zipfile.ZipInfo(path.name, date_time=MEMBER_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever system wrote it
            info.external_attr = (0o100600 & 0xFFFF) << 16  # a private regular file
            archive.writestr(info, data)
            members[path.name] = hashlib.sha256(data).hexdigest()
    return members


def write_takedown_zip(
    session: Session, out: Path, *, case: int | None = None, operation: int | None = None,
    officer: str | None = None, own: Path | None = None,
) -> str:  # fmt: skip
    """The takedown requests of a case or an operation, written beside ``out`` (in the
    folder named as ``out`` without its suffix) and zipped into ``out``; its SHA-256."""
    folder = out.with_suffix("")
    folder.mkdir(mode=0o700)
    write_takedown(session, folder, case=case, operation=operation, officer=officer, own=own)
    members = zip_folder(folder, out, own=own)
    data = out.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    subject = f"case {case}" if case is not None else f"operation {operation}"
    details = {"path": str(out.absolute()), "sha256": sha256, "bytes": len(data),
               "members": members}  # fmt: skip
    audit.append(session, "report.takedown-zip", "report", f"takedown {subject}", details)
    return sha256
