"""The rows an ingest stores for each file, built and bound by the worker that processed
it: its ``evidence_file`` row and match rows (:func:`process_for_store`), the file row's
values converted by their column types for the coordinator's database as SQLAlchemy
would have (:func:`process_bound`), so the coordinator hands them to the driver's
``executemany`` as they come, and the row's content hash split around its id, so the
coordinator seals the row without reading it back. Binding 5,000 rows cost the
coordinator a third of a CPU-second, a tenth of what a worker spends hashing them; it is
worker's work. The store (:mod:`phunt.ingest.store`) inserts them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, Boolean, Dialect, Integer, String, Table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from phunt.audit.rows import hash_parts
from phunt.ingest.stages import FileResult, Processed, Profile, process_batch
from phunt.schema import cases as _cases  # noqa: F401 - gives device_id its type (see _kinds)
from phunt.schema.db import driver_insert
from phunt.schema.ingest import EvidenceFile
from phunt.schema.types import UTCDateTime, json_text
from phunt.sources.apps import app_for_path
from phunt.sources.base import Entry

if TYPE_CHECKING:
    from phunt.matching.engine import Hit


@dataclass
class StoredRows:
    """One processed file as the store takes it: its file row and its match rows."""

    file: dict[str, Any]
    matches: list[dict[str, Any]]
    chat: bool = False
    """Whether the chat-source stage named it the main file of a chat source."""

    @property
    def read(self) -> bool:
        """Whether the content was read (counted in the job's files and bytes)."""
        return self.file["md5"] is not None


def file_row(job_id: int, device_id: int, item: Processed) -> dict[str, Any]:
    """The ``evidence_file`` row of one processed file, as insert parameters."""
    r = item.result
    pdq = None if r.pdq is None else r.pdq.hash
    return {
        "job_id": job_id,
        "device_id": device_id,
        "seq": item.seq,
        "path": r.path,
        "size": r.size,
        "modified": r.times.modified,
        "accessed": r.times.accessed,
        "changed": r.times.changed,
        "created": r.times.created,
        "deleted": r.deleted,
        "md5": r.md5,
        "sha1": r.sha1,
        "sha256": r.sha256,
        "mime": r.mime,
        "extension_mismatch": r.extension_mismatch,
        "app": app_for_path(r.path),
        "pdq": None if pdq is None else pdq.hex,
        "pdq_quality": None if pdq is None else pdq.quality,
        "pdq_mode": None if pdq is None else pdq.mode,
        "exif": item.exif,
        "known_good": item.known_good,
        "error": r.error,
        "warnings": list(r.warnings),
        "vpdq": _vpdq_text(r),
        "video": r.video_facts(),
        "locator": None if item.locator is None else item.locator.to_json(),
        "digests": dict(r.digests),
    }


def match_row(job_id: int, hit: Hit, item: Processed) -> dict[str, Any]:
    """The ``file_match`` row of one hit, as insert parameters (the store adds its file)."""
    pdq = item.result.pdq
    return {
        "job_id": job_id,
        **hit.stored_columns(),
        "quality": None if pdq is None or hit.kind != "pdq" else pdq.hash.quality,
        "threshold": hit.threshold if hit.kind == "pdq" else None,
        "variant": hit.variant,
        "detail": hit.video_detail(),
    }


def _vpdq_text(result: FileResult) -> str | None:
    """The stored vPDQ text; the video module (PyAV, numba) is imported only for videos."""
    if result.video is None:
        return None
    from phunt.hashing.vpdq import to_text

    return to_text(result.video)


def stored_rows(job_id: int, device_id: int, item: Processed) -> StoredRows:
    """The rows one processed file is stored as."""
    matches = [match_row(job_id, hit, item) for hit in item.hits]
    candidate = item.chat_candidate
    chat = candidate is not None and candidate.importable
    return StoredRows(file_row(job_id, device_id, item), matches, chat)


def process_for_store(
    batch: list[tuple[int, Entry]], profile: Profile, job_id: int, device_id: int
) -> list[StoredRows]:
    """What an ingest worker runs: the profile's stages on each entry of a batch, handed
    back as the rows to store, in order."""
    return [stored_rows(job_id, device_id, item) for item in process_batch(batch, profile)]


@dataclass(frozen=True)
class RowBinding:
    """How the coordinator's database takes ``evidence_file`` rows, for a worker to bind
    them: the dialect and driver (the worker makes its own dialect object from them), its
    parameter style, and the columns in the order the insert statement names them."""

    dialect: str
    driver: str
    paramstyle: str
    positional: bool
    columns: tuple[str, ...]


def _files_table() -> Table:
    return cast(Table, EvidenceFile.__table__)


def insert_files(dialect: Dialect) -> tuple[str, tuple[str, ...], bool]:
    """The ``evidence_file`` insert compiled for ``dialect``: its SQL, the columns in the
    order of its parameters, and whether they are positional."""
    table = _files_table()
    names = tuple(column.name for column in table.columns if column.name != "id")
    return driver_insert(table, dialect, names)


def row_binding(session: Session) -> RowBinding:
    """The binding of the session's database, to give to the workers."""
    dialect = session.get_bind().dialect
    _sql, order, positional = insert_files(dialect)
    return RowBinding(dialect.name, dialect.driver, dialect.paramstyle, positional, order)


@functools.cache
def _binders(binding: RowBinding) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Each column's bind processor for the binding's dialect, made once per process (the
    engine writes JSON with :func:`json_text`, so the dialect here does too)."""
    url = make_url(f"{binding.dialect}+{binding.driver}://")
    make_dialect: Callable[..., Dialect] = url.get_dialect()
    dialect = make_dialect(json_serializer=json_text, paramstyle=binding.paramstyle)
    columns = _files_table().columns
    return [
        (name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in binding.columns
    ]


@dataclass
class BoundRows:
    """One processed file bound for the database: its ``evidence_file`` parameters, its
    match rows, and what the job's totals need."""

    seq: int
    size: int
    read: bool
    failed: bool
    row: tuple[Any, ...] | dict[str, Any]
    matches: list[dict[str, Any]]
    #: The row's content hash split where its id goes (:func:`phunt.audit.rows.hash_parts`),
    #: for the coordinator to seal it without reading it back; None to read it back.
    parts: tuple[bytes, bytes] | None = None
    #: Whether it looks like a chat source: a job with none skips the chat step's pass
    #: over every stored file.
    chat: bool = False
    #: Its line of the job's manifest (:func:`manifest_line`).
    manifest_line: bytes = b""


def bind_rows(binding: RowBinding, rows: StoredRows) -> BoundRows:
    """``rows`` with the file row's values converted by their column types, and the split
    content hash of the row as it will be read back."""
    file = rows.file
    values = [
        file[name] if process is None else process(file[name])
        for name, process in _binders(binding)
    ]
    row = tuple(values) if binding.positional else dict(zip(binding.columns, values, strict=True))
    size = file["size"] or 0
    read_back = as_read_back(file)
    parts = None if read_back is None else hash_parts(_files_table().name, read_back)
    failed = file["error"] is not None
    line = manifest_line(file["sha256"], file["path"])
    return BoundRows(
        file["seq"], size, rows.read, failed, row, rows.matches, parts, rows.chat, line
    )


def manifest_line(sha256: str | None, path: str) -> bytes:
    """One stored file's line of its job's manifest: the SHA-256 (``-`` for a file that
    could not be read) and the path, as ``sha256sum`` writes them."""
    return f"{sha256 or '-'}  {path}\n".encode("utf-8", "surrogateescape")


@functools.cache
def _kinds() -> tuple[tuple[str, str], ...]:
    """Each non-id ``evidence_file`` column and what it holds: ``time``, ``json``, or the
    name of the one Python type it gives back (``?`` when none is known here).

    A foreign key column declared without a type takes its target's once the target's
    model is loaded: this module loads ``device``'s, or in a worker that had not (a Dask
    worker, a spawned process) ``device_id`` would be ``?`` and every row read back."""
    kinds = []
    for column in _files_table().columns:
        kind = column.type
        if column.name == "id":
            continue
        if isinstance(kind, UTCDateTime):
            kinds.append((column.name, "time"))
        elif isinstance(kind, JSON):
            kinds.append((column.name, "json"))
        else:
            known = {Boolean: "bool", Integer: "int", String: "str"}
            found = [name for base, name in known.items() if isinstance(kind, base)]
            kinds.append((column.name, found[0] if found else "?"))
    return tuple(kinds)


_EXACT: dict[str, type] = {"bool": bool, "int": int, "str": str}


def as_read_back(file: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``evidence_file`` row ``file`` (every column but the id) as both databases give
    it back: times aware in UTC, JSON through its text. None when a value is not of a type
    they give back as it is (a subclass, a naive time), so its hash is left to a read."""
    out: dict[str, Any] = {}
    for name, kind in _kinds():
        value = file[name]
        if value is None:
            pass
        elif kind == "time":
            if type(value) is not datetime or value.tzinfo is None:
                return None
            value = value.astimezone(UTC)
        elif kind == "json":
            if value or type(value) not in (dict, list):  # the many empty ones as they are
                value = json.loads(json_text(value))
        elif type(value) is not _EXACT.get(kind):
            return None
        out[name] = value
    return out


def process_bound(
    batch: list[tuple[int, Entry]],
    profile: Profile,
    job_id: int,
    device_id: int,
    binding: RowBinding,
) -> list[BoundRows]:
    """What an ingest worker runs: :func:`process_for_store`, each file's row bound."""
    return [
        bind_rows(binding, rows) for rows in process_for_store(batch, profile, job_id, device_id)
    ]
