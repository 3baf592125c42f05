"""Importing a hash list as the next version of a set: streamed into one set file.

The reader's batches go straight into :func:`~phunt.hashsets.setbuild.build_set_file`
(bounded memory whatever the list's size), numbered against the current version so an
entry kept keeps its number; the file goes into storage (:mod:`phunt.hashsets.blobs`) and
the version row records it with everything a rebuild needs to make the same file again.
The import and its audit record commit together; a failed import leaves neither a row nor
a file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from phunt import scratch
from phunt.audit import store as audit
from phunt.errors import UsageError
from phunt.hashing.crypto import sha256_file
from phunt.hashsets import blobs
from phunt.hashsets.base import HashListReader
from phunt.hashsets.columns import EntryBatch
from phunt.hashsets.setbuild import BuildResult, build_set_file
from phunt.hashsets.setfile import SetFile
from phunt.hashsets.store_sets import open_version, version_row
from phunt.schema.hashsets import HASHSET_KINDS, HashSet, HashSetVersion


@dataclass(frozen=True)
class ImportResult:
    hash_set: str
    kind: str
    version: int
    format: str
    file_sha256: str
    entries: int
    added: int
    removed: int
    index_sha256: str
    index_size: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_hash_list(
    session: Session,
    path: str,
    *,
    name: str,
    fmt: str | None = None,
    kind: str | None = None,
    category_scheme: str | None = None,
    hash_kind: str | None = None,
    source_agency: str = "",
    description: str = "",
) -> ImportResult:
    """Import a list file as the next version of the set ``name`` (created if new)."""
    from phunt.hashsets.detect import open_hash_list

    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such hash-list file")
    if kind is not None and kind not in HASHSET_KINDS:
        raise UsageError(
            f"unknown hash-set kind {kind!r} (choose from: {', '.join(HASHSET_KINDS)})"
        )
    reader = open_hash_list(path, format=fmt, category_scheme=category_scheme, kind=hash_kind)
    read_header(reader)
    hash_set = _set_for_import(session, reader, path, name, kind)
    version = hash_set.current_version + 1
    file_sha = sha256_file(path)
    options = {
        "format": reader.name,
        "category_scheme": reader.category_scheme,
        "hash_kind": reader.kind,
        "first_number": hash_set.next_entry,
    }
    previous = None
    if hash_set.current_version:
        previous = open_version(session, hash_set.name, version_row(session, hash_set, None))
    meta = set_file_meta(file_sha, options, previous)
    try:
        with built_set_file(reader.batches(), meta, previous, hash_set.next_entry) as built:
            blobs.put_set_file(session, built.path)
    finally:
        if previous is not None:
            previous.close()
    if hash_set.id is None:  # saved only now: a list that failed leaves no empty set
        hash_set.source_agency, hash_set.description = source_agency, description
        session.add(hash_set)
        session.flush()
    list_meta = reader.metadata()
    session.add(
        HashSetVersion(
            hash_set_id=hash_set.id,
            version=version,
            imported_by=audit.current_actor(),
            file_name=os.path.basename(path),
            file_sha256=file_sha,
            file_size=os.path.getsize(path),
            format=reader.name,
            category_scheme=reader.category_scheme or list_meta.get("category_scheme"),
            meta=json.loads(json.dumps(list_meta, default=str)),
            entries=built.entries,
            added=built.added,
            removed=built.removed,
            index_sha256=built.sha256,
            index_size=built.size,
            source_path=os.path.abspath(path),
            source_options=options,
        )
    )
    hash_set.current_version = version
    hash_set.next_entry = built.next_number
    result = ImportResult(
        name,
        hash_set.kind,
        version,
        reader.name,
        file_sha,
        built.entries,
        built.added,
        built.removed,
        built.sha256,
        built.size,
    )
    details = result.as_dict() | {
        "file": os.path.basename(path),
        "records_read": built.records_read,
    }
    audit.append(session, "hashset.import", "hash_set", hash_set.id, details)
    return result


def read_header(reader: HashListReader) -> None:
    """Read the list's header (and its first entry) so its metadata says what it states.

    What a list says about its kind is checked before the bulk of a list of millions is
    read; the batches then read it from the start.
    """
    head = reader.entries()
    try:
        next(head, None)
    finally:
        if isinstance(head, Generator):  # closes the list file now
            head.close()


def set_file_meta(
    file_sha: str, options: dict[str, Any], previous: SetFile | None
) -> dict[str, Any]:
    """What a set file says of itself: which list it was read from, how, numbered from
    what. Nothing varies between runs, so a rebuild gives the same bytes; nothing names
    the set, so the same list imported the same way into two sets is one stored file."""
    return {
        "source_sha256": file_sha,
        "format": options["format"],
        "first_number": options["first_number"],
        "previous": None if previous is None else previous.sha256,
    }


@contextmanager
def built_set_file(
    batches: Iterable[EntryBatch],
    meta: dict[str, Any],
    previous: SetFile | None,
    first_number: int,
) -> Iterator[BuildResult]:
    """A set file built in this process's scratch folder, for the caller to store.

    The work folder goes whatever happens, so a list that fails half way leaves nothing.
    """
    work = Path(tempfile.mkdtemp(prefix="hashset-", dir=scratch.folder()))
    try:
        (work / "out").mkdir()
        (work / "tmp").mkdir()
        yield build_set_file(
            batches,
            work / "out",
            previous=previous,
            first_number=first_number,
            scratch=work / "tmp",
            meta=meta,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _set_for_import(
    session: Session, reader: HashListReader, path: str, name: str, kind: str | None
) -> HashSet:
    """The set a list goes into (a new, unsaved one if ``name`` is new), once its kind agrees.

    A list whose format states its kind (NSRL is known files) never joins a set of the
    other kind unless ``kind`` says so; a list that cannot say (HashKeeper, an index) needs
    ``kind``.
    """
    meta = reader.metadata()
    unknown = meta.get("kind_unknown")
    if kind is None and unknown:
        raise UsageError(
            f"{path}: a {reader.name} list does not say whether it is known-good or known-bad "
            f"({unknown}); give --kind known-good or --kind known-bad"
        )
    if kind is not None and meta.get("kind_from") and kind != meta.get("list_kind"):
        raise UsageError(f"{path}: {meta['kind_from']}; --kind {kind} contradicts it")
    list_kind = kind or str(meta.get("list_kind", reader.default_kind))
    hash_set = session.scalar(select(HashSet).where(HashSet.name == name))
    if hash_set is None:
        return HashSet(name=name, kind=list_kind, current_version=0, next_entry=1)
    if kind is not None and kind != hash_set.kind:
        raise UsageError(f"hash set {name!r} is {hash_set.kind}, not {kind}")
    if list_kind != hash_set.kind and meta.get("kind_stated"):
        raise UsageError(
            f"{path}: the {reader.name} format states a {list_kind} list, but hash set "
            f"{name!r} is {hash_set.kind}; import it into another set, or give "
            f"--kind {hash_set.kind} if this list really is {hash_set.kind}"
        )
    return hash_set
