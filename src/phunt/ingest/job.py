"""``phunt ingest``: the coordinator that turns a source into stored, matched files.

Only this process writes the database. Files are committed in batches in the order the
source lists them, so a job killed at any point is resumed by skipping the sequence
numbers already stored. The source itself is opened read-only and its SHA-256 recorded
(every segment of a split image), E01 acquisition hashes are verified, and at the end a
manifest hash over every stored file's SHA-256 and path seals what was found.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from phunt.audit import store as audit
from phunt.cases.devices import get_device
from phunt.errors import AlreadyImported, InputError, UsageError, WrongFormat
from phunt.hashset_spec import engine_spec
from phunt.ingest import store
from phunt.ingest.chat_sources import (
    AttachmentLinker,
    StoredChatSource,
    StoredTree,
    find_candidates,
)
from phunt.ingest.files import open_stored
from phunt.ingest.pipeline import Runner
from phunt.ingest.stages import Profile
from phunt.schema.db import Database
from phunt.sources.base import Entry
from phunt.sources.facts import SourceFacts, describe_kind, describe_source
from phunt.sources.locator import close_thread_cache

BATCH = 200

ProgressFn = Callable[[int, int], None]


@dataclass
class IngestSummary:
    job: int
    device: str
    source: str
    source_sha256: str | None
    files: int
    bytes: int
    errors: int
    matched_files: int
    resumed: bool
    manifest_sha256: str | None
    verification: dict[str, Any]
    chats: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _start(
    db: Database, source: str, device: str, resume: bool, options: dict[str, Any]
) -> tuple[int, bool, bool]:
    """The job to run: ``(id, resumed, facts still to record)``. The source's digests are
    recorded later (:func:`_record_facts`), once a worker has read the whole source."""
    with db.session() as s:
        job_id = store.resume_job(s, source, device, resume)
        if job_id is not None:
            return job_id, True, store.source_facts_missing(s, job_id)
    brief = describe_kind(source)
    if brief.kind == "folder":  # nothing to read: its start is recorded with the job
        with db.session() as s:
            job_id = store.start_job(
                s,
                source,
                device,
                kind=brief.kind,
                sha256=None,
                size=None,
                options=options,
                segments=None,
                verification={},
            )
        return job_id, False, False
    with db.session() as s:
        job_id = store.open_job(
            s, source, device, kind=brief.kind, size=brief.size, options=options
        )
    return job_id, False, True


def _facts_of(future: Future[SourceFacts], source: str) -> SourceFacts:
    """The source's facts a worker read, or, when it could not read the whole source, a
    record of why: the files are stored already and the job still completes, unverified,
    its source digest left empty for a resume to try again."""
    try:
        return future.result()
    except (OSError, InputError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        error = {"ok": False, "error": f"{source}: source not hashed: {reason}"}
        return SourceFacts("file", verification={"source": error})


def _record_facts(db: Database, job_id: int, facts: SourceFacts) -> None:
    """Record the source's digests, segments and verification on the job, audited."""
    with db.session() as s:
        store.record_source_facts(
            s,
            job_id,
            sha256=facts.sha256,
            segments=facts.segments or None,
            verification=facts.verification,
        )


def _done_seqs(db: Database, job_id: int) -> set[int]:
    with db.session() as s:
        return store.done_seqs(s, job_id)


def _store(db: Database, job_id: int, batch: list[store.StoredRows]) -> None:
    """Store a batch of files the workers processed (and matched), with their matches."""
    files = size = errors = matched = 0
    for item in batch:
        errors += item.file["error"] is not None
        if item.read:
            files += 1
            size += item.file["size"] or 0
        matched += bool(item.matches)
    found = [(item.file, item.matches) for item in batch]
    with db.session() as s:
        store.add_files(s, job_id, found, (files, size, errors, matched))


def _manifest(db: Database, job_id: int) -> str:
    digest = hashlib.sha256()
    with db.session() as s:
        for sha, path in store.file_digests(s, job_id):
            digest.update(f"{sha or '-'}  {path}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _import_chats(db: Database, job_id: int, device: str) -> list[dict[str, Any]]:
    """Import every chat database and export among the job's files, wherever it lies.

    Each is read through its locator (inside zips, tars, disk images alike), and its
    attachments are tied to the job's stored files. A file named like a chat source that
    is something else is passed over; a damaged export is recorded with its error, and the
    others still import.
    """
    with db.session() as s:
        tree = StoredTree(store.stored_files(s, job_id))
    candidates = find_candidates(tree)
    if not candidates:
        return []
    # The chat parsers and their store, imported only when there is a chat to import.
    from phunt.chats.source import ChatInput
    from phunt.chats.store import import_chat

    outcomes: list[dict[str, Any]] = []
    for main in candidates:
        folder = posixpath.dirname(main.path)
        source = StoredChatSource(tree, folder, open_stored)
        opener = functools.partial(open_stored, main)
        chat = ChatInput(posixpath.basename(main.path), source, main.path, opener)
        try:
            with db.session() as s:
                summary = import_chat(s, chat, device, media=AttachmentLinker(tree, folder))
            outcomes.append({"export": main.path, "imported": summary.as_dict()})
        except WrongFormat:
            continue
        except AlreadyImported as exc:
            outcomes.append({"export": main.path, "already_imported": exc.import_id})
        except (InputError, UsageError) as exc:
            outcomes.append({"export": main.path, "error": str(exc)})
        except OSError as exc:
            outcomes.append({"export": main.path, "error": f"cannot read: {exc.strerror or exc}"})
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            outcomes.append({"export": main.path, "error": f"parser failed: {failure}"})
    if outcomes:
        with db.session() as s:
            store.record_chats(s, job_id, outcomes)
    return outcomes


def _entries(source: str, expand: bool, scratch: str | None) -> Iterator[Entry]:
    from phunt.sources.expand import open_evidence

    return open_evidence(source, expand=expand, scratch_dir=scratch)


def ingest(
    db: Database,
    source: str,
    device: str,
    *,
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = False,
    pdq_mode: str | None = "default",
    expand: bool = True,
    scratch: str | None = None,
    progress: ProgressFn | None = None,
    batch_size: int = BATCH,
    import_chats: bool = True,
) -> IngestSummary:
    """Ingest ``source`` for ``device`` (id or evidence number) and return the totals."""
    source = os.path.abspath(source)
    if not os.path.exists(source):
        raise UsageError(f"{source}: no such file or folder")
    options = {"pdq_mode": pdq_mode, "expand": expand}
    job_id, resumed, facts_pending = _start(db, source, device, resume, options)
    done = _done_seqs(db, job_id) if resumed else set()
    with db.session() as s:
        spec = engine_spec(s)
        device_id = get_device(s, device).id
    profile = Profile.ingest(pdq_mode, spec if spec.hash_sets else None)

    def todo() -> Iterator[tuple[int, Entry]]:
        for seq, entry in enumerate(_entries(source, expand, scratch)):
            if seq not in done:
                yield seq, entry

    batch: list[store.StoredRows] = []
    seen_files = seen_bytes = 0
    with Runner(workers, cluster, scratch) as runner:
        # The source's SHA-256 reads all of it: a worker's job, started first.
        facts = runner.submit(describe_source, source) if facts_pending else None
        for item in runner.run(todo(), store.process_for_store, profile, job_id, device_id):
            batch.append(item)
            seen_files += 1
            seen_bytes += item.file["size"] or 0
            if progress is not None:
                progress(seen_files, seen_bytes)
            if len(batch) >= batch_size:
                _store(db, job_id, batch)
                batch = []
                if facts is not None and facts.done():
                    _record_facts(db, job_id, _facts_of(facts, source))
                    facts = None
        if batch:
            _store(db, job_id, batch)
        if facts is not None:
            _record_facts(db, job_id, _facts_of(facts, source))
    chats = _import_chats(db, job_id, device) if import_chats else []
    close_thread_cache()  # the containers the chat import opened, and their copies
    manifest = _manifest(db, job_id)
    with db.session() as s:
        job, count = store.finish_job(s, job_id, manifest)
        summary = IngestSummary(
            job=job.id,
            device=get_device(s, device).evidence_number,
            source=source,
            source_sha256=job.source_sha256,
            files=job.files,
            bytes=job.bytes,
            errors=job.errors,
            matched_files=job.matched_files,
            resumed=resumed,
            manifest_sha256=manifest,
            verification=job.verification,
            chats=chats,
        )
        details = summary.as_dict() | {"entries": count}
        audit.append(s, "ingest.complete", "ingest_job", job.id, details)
    return summary
